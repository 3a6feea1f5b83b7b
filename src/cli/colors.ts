import type { ChalkInstance } from 'chalk'

/**
 * Colour only for a terminal, and never when NO_COLOR is set (https://no-color.org).
 * chalk is loaded on first use, so that --json output never pays for it at start-up.
 */
export async function colorsFor(stream: NodeJS.WriteStream): Promise<ChalkInstance> {
  const { Chalk } = await import('chalk')
  const noColor = process.env.NO_COLOR !== undefined && process.env.NO_COLOR !== ''
  return new Chalk({ level: stream.isTTY && !noColor ? 2 : 0 })
}
