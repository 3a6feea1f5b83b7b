/** How a failed command tells its user: one JSON document on stdout with --json, else a line on stderr. */
import { DccError, EXIT, exitCodeFor } from '../errors.js'
import { colorsFor } from './colors.js'
import { terminalJson, terminalText } from './render/terminal-text.js'
import { stderrFailure } from './stdout-errors.js'

export interface ErrorJson {
  error: { code: string; layer: string; message: string }
}

/**
 * Writes `error` and returns its exit code (src/errors.ts); a stderr that failed (its reader gone, a
 * full device) takes nothing more: the exit code is all that is left to tell. `help` is the command line to suggest
 * after a usage error, in the form users type (`hcert keys generate --help`).
 */
export async function reportError(
  error: DccError,
  options: { json: boolean; help?: string; stack?: string },
): Promise<number> {
  const exit = exitCodeFor(error.code)
  if (options.json) {
    process.stdout.write(
      `${terminalJson(JSON.stringify({ error: error.toJSON() } satisfies ErrorJson, null, 2))}\n`,
    )
    return exit
  }
  if (stderrFailure()) return exit
  const c = await colorsFor(process.stderr)
  // a message may name a file or quote input: shown, never acted on by the terminal
  process.stderr.write(`${c.red('error')} ${c.dim(`[${error.code}]`)} ${terminalText(error.message)}\n`)
  if (exit === EXIT.USAGE && error.layer === 'usage' && options.help)
    process.stderr.write(c.dim(`See: ${options.help}\n`))
  if (exit === EXIT.BUG && process.env.DEBUG && options.stack) process.stderr.write(`${options.stack}\n`)
  return exit
}
