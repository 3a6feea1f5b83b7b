/**
 * A failure writing stdout (a full disk behind `> file`, /dev/full, a reader that closed the pipe:
 * `| head -1`) is an output failure like a file's: ERR_USAGE (exit 2) naming stdout and the cause,
 * never ERR_INTERNAL, and never success (lines that went nowhere are lost output). oclif swallows
 * EPIPE on stdout; hcert's own listener, placed first, reports every stdout error.
 * A long run (issue, renew) says what its lines were with `describeStdout`: the message then tells
 * what was committed and how to get it back.
 * stderr is watched alike (`2>&1 | head -1`, `2>/dev/full`): its failure is the same ERR_USAGE, and
 * nothing more is written to it (not even that error: see report-error.ts).
 */
import { fstatSync, writeSync } from 'node:fs'
import { DccError } from '../errors.js'

const REASONS: Readonly<Record<string, string>> = {
  EPIPE: 'the reader closed the pipe (e.g. head) before every line was read',
  ENOSPC: 'no space left on the device',
  EDQUOT: 'the disk quota is exceeded',
  EFBIG: 'the file size limit was reached (see ulimit -f)',
  EIO: 'an input/output error',
  EACCES: 'permission denied',
  EPERM: 'operation not permitted',
}

type Name = 'stdout' | 'stderr'
const failures: Partial<Record<Name, Error>> = {}
const reporters: Partial<Record<Name, (err: Error) => void>> = {}
let context: string | undefined

/** What a run's stdout carries and how to get it back, added to the error when stdout fails. */
export function describeStdout(text: string | undefined): void {
  context = text
}

/** the stdout error seen, if any: then nothing more is written there */
export function stdoutFailure(): Error | undefined {
  return failures.stdout
}

/** the stderr error seen, if any: then nothing more is written there */
export function stderrFailure(): Error | undefined {
  return failures.stderr
}

/** Calls `report` once, on the first error stdout emits (before oclif's own listener). */
export function watchStdout(report: (err: Error) => void): void {
  watch('stdout', report)
}

/**
 * Calls `report` once, on the first error stderr emits. Without a listener, that error (EPIPE when
 * the reader has gone) was an uncaught exception: ERR_INTERNAL, exit 1.
 */
export function watchStderr(report: (err: Error) => void): void {
  watch('stderr', report)
}

function watch(name: Name, report: (err: Error) => void): void {
  const first = reporters[name] === undefined
  reporters[name] = report
  if (!first) return
  process[name].prependListener('error', (err: Error) => fail(name, err))
}

/** the first failure of `name` is kept and reported; later ones are its consequences */
function fail(name: Name, err: Error): void {
  if (failures[name]) return
  failures[name] = err
  reporters[name]?.(err)
}

/** The coded error for a failed write to stdout: ERR_USAGE, cause named, no data. */
export function stdoutError(err: Error): DccError {
  return outputError('stdout', err)
}

/** The coded error for a failed write to stderr (shown only where --json puts errors: stdout). */
export function stderrError(err: Error): DccError {
  return outputError('stderr', err)
}

function outputError(name: Name, err: Error): DccError {
  const code = (err as NodeJS.ErrnoException).code
  const reason = (code === 'EBADF' ? `${name} is closed` : code && REASONS[code]) ?? err.message
  return new DccError(
    'ERR_USAGE',
    `cannot write ${name}: ${reason}${code ? ` (${code})` : ''}${context ? `; ${context}` : ''}`,
    { cause: err },
  )
}

let stdoutIsFile: boolean | undefined

/**
 * Writes `text` to stdout, every byte or a known failure. stdout redirected to a file
 * (`> report.json`) is written synchronously by Node, and a short write (a disk that fills, a
 * `ulimit -f` reached, mid-way through a large --json report) was dropped unseen: the end of the
 * text lost, exit 0. Here a file is written to the last byte (a short write is retried, and the
 * retry fails with ENOSPC, EFBIG…), and a failure is reported as stdout's 'error' event is
 * (ERR_USAGE, exit 2). A pipe or a terminal is written by the stream, which reports its own errors.
 */
export function writeStdout(text: string): void {
  if (failures.stdout) return
  stdoutIsFile ??= isRegularFile(1)
  if (!stdoutIsFile) {
    process.stdout.write(text)
    return
  }
  const bytes = Buffer.from(text)
  let offset = 0
  try {
    while (offset < bytes.length) offset += writeSync(1, bytes, offset)
  } catch (err) {
    fail('stdout', err as Error)
  }
}

function isRegularFile(fd: number): boolean {
  try {
    return fstatSync(fd).isFile()
  } catch {
    return false
  }
}
