/**
 * A failure writing stdout (a full disk behind `> file`, /dev/full, a reader that closed the pipe:
 * `| head -1`) is an output failure like a file's: ERR_USAGE (exit 2) naming stdout and the cause,
 * never ERR_INTERNAL, and never success (lines that went nowhere are lost output). oclif swallows
 * EPIPE on stdout; hcert's own listener, placed first, reports every stdout error.
 * A long run (issue, renew) says what its lines were with `describeStdout`: the message then tells
 * what was committed and how to get it back.
 */
import { DccError } from '../errors.js'

const REASONS: Readonly<Record<string, string>> = {
  EPIPE: 'the reader closed the pipe (e.g. head) before every line was read',
  ENOSPC: 'no space left on the device',
  EDQUOT: 'the disk quota is exceeded',
  EFBIG: 'the file size limit was reached (see ulimit -f)',
  EIO: 'an input/output error',
  EBADF: 'stdout is closed',
  EACCES: 'permission denied',
  EPERM: 'operation not permitted',
}

let failure: Error | undefined
let context: string | undefined

/** What a run's stdout carries and how to get it back, added to the error when stdout fails. */
export function describeStdout(text: string | undefined): void {
  context = text
}

/** the stdout error seen, if any: then nothing more is written there */
export function stdoutFailure(): Error | undefined {
  return failure
}

/** Calls `report` once, on the first error stdout emits (before oclif's own listener). */
export function watchStdout(report: (err: Error) => void): void {
  if (watching) {
    reporter = report
    return
  }
  watching = true
  reporter = report
  process.stdout.prependListener('error', (err: Error) => {
    if (failure) return
    failure = err
    reporter?.(err)
  })
}
let watching = false
let reporter: ((err: Error) => void) | undefined

/** The coded error for a failed write to stdout: ERR_USAGE, cause named, no data. */
export function stdoutError(err: Error): DccError {
  const code = (err as NodeJS.ErrnoException).code
  const reason = (code && REASONS[code]) ?? err.message
  return new DccError(
    'ERR_USAGE',
    `cannot write stdout: ${reason}${code ? ` (${code})` : ''}${context ? `; ${context}` : ''}`,
    { cause: err },
  )
}
