import { Chalk, type ChalkInstance } from 'chalk'

/** Colour only for a terminal, and never when NO_COLOR is set (https://no-color.org). */
export function colorsFor(stream: NodeJS.WriteStream): ChalkInstance {
  const noColor = process.env.NO_COLOR !== undefined && process.env.NO_COLOR !== ''
  return new Chalk({ level: stream.isTTY && !noColor ? 2 : 0 })
}
