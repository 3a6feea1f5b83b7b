/**
 * SQLite's failures, as `ERR_LEDGER` errors that say what happened and what to do. Every ledger
 * operation goes through here, so that a damaged, locked or full ledger is never reported as a bug.
 * Messages name the file and SQLite's result code, never anything stored in the ledger.
 */
import { accessSync, constants, existsSync } from 'node:fs'
import { dirname } from 'node:path'
import { DccError } from '../errors.js'
import { redactLedgerSpec } from './ledger-spec.js'

/** better-sqlite3's SqliteError, and the file-system errors met while opening. */
export function isSqliteError(err: unknown): err is Error & { code: string } {
  return (
    err instanceof Error &&
    typeof (err as { code?: unknown }).code === 'string' &&
    ((err as unknown as { code: string }).code.startsWith('SQLITE_') || err.name === 'SqliteError')
  )
}

const COMMITTED =
  'what earlier chunks committed is kept, and a rerun of the same input resumes where this one stopped'

/**
 * What a failure of a writing run leaves once it committed chunks (both engines): what they hold is
 * kept, `certificates` of them signed by this run, and a rerun resumes.
 */
export function committedByRun(certificates: number): string {
  return `what earlier chunks committed is kept (${certificates} certificate${certificates === 1 ? '' : 's'} by this run), and a rerun of the same input resumes where this one stopped`
}

/** what a failure leaves when this run had committed no chunk yet (both engines) */
export const NOTHING_COMMITTED =
  'this run had committed nothing to the ledger (no chunk was written before the failure): run the same command again once this is fixed'

/**
 * HCERT_LEDGER_TIMEOUT as in force for a message: `HCERT_LEDGER_TIMEOUT (1000 ms)` when it is set,
 * `HCERT_LEDGER_TIMEOUT (30000 ms, the default)` when it is unset and the default applies.
 */
export function timeoutInForce(ms: number, env: NodeJS.ProcessEnv = process.env): string {
  const set = (env.HCERT_LEDGER_TIMEOUT?.trim() ?? '') !== ''
  return `HCERT_LEDGER_TIMEOUT (${ms} ms${!set && ms === 30_000 ? ', the default' : ''})`
}

/** whether `after` (what a failure leaves) already tells the user to run again */
export function saysRunAgain(after: string): boolean {
  return /\b(run|rerun)\b[^;]*\bagain\b|\brerun\b/i.test(after)
}

/**
 * `cause` (a SqliteError or a file-system error) as ERR_LEDGER. `timeoutMs`: how long a busy
 * ledger was waited for. `after`: what was kept and how to go on, instead of the words on chunks
 * (ledger copy). A DccError passes through unchanged.
 */
export function ledgerError(
  cause: unknown,
  path: string,
  timeoutMs?: number,
  after = COMMITTED,
  /** where the ledger was given, for the advice: `--ledger`, or ledger copy's first argument */
  given = '--ledger',
): DccError {
  if (cause instanceof DccError) return cause
  const code = String((cause as { code?: unknown })?.code ?? '')
  const where = `ledger: ${redactLedgerSpec(path)}`
  let message: string
  if (code.startsWith('SQLITE_BUSY') || code.startsWith('SQLITE_LOCKED')) {
    const waited =
      timeoutMs === undefined
        ? ''
        : ` for ${Math.round(timeoutMs / 100) / 10} s as ${timeoutInForce(timeoutMs)} says`
    // "run again" once: `after` says it already when it speaks of a rerun
    message = `${where} is busy: another process kept it locked${waited} (an hcert issue or renew still running, or a tool holding a transaction open). Wait for it to finish, or raise HCERT_LEDGER_TIMEOUT (milliseconds)${saysRunAgain(after) ? '' : ', and run again'}; ${after}`
  } else if (code.startsWith('SQLITE_CORRUPT') || code === 'SQLITE_NOTADB') {
    message = `${where} is damaged (${code}: not a SQLite database, or truncated or overwritten); hcert wrote nothing more to it. Restore it from a backup, or give ${given} another file (sqlite3's .recover may save what it still holds)`
  } else if (code === 'SQLITE_FULL' || code === 'ENOSPC') {
    message = `${where}: the disk is full (${code}): the chunk being written was not committed; ${after}. Free some space and run again`
  } else if (code.startsWith('SQLITE_IOERR') || code === 'EFBIG') {
    message = `${where} could not be written or read (${code}: a full disk, a file size limit or a failing device): the chunk being written was not committed; ${after}. Check the disk and run again`
  } else if (code === 'SQLITE_READONLY_DIRECTORY') {
    message = noShmMessage(path, code, given)
  } else if (
    code.startsWith('SQLITE_CANTOPEN') ||
    code.startsWith('SQLITE_READONLY') ||
    code === 'SQLITE_PERM' ||
    code === 'SQLITE_AUTH' ||
    code === 'EACCES' ||
    code === 'EPERM' ||
    code === 'EROFS' ||
    code === 'EISDIR' ||
    code === 'ENOTDIR'
  ) {
    message =
      (code === 'EACCES' || code === 'EPERM') && path !== ':memory:' && !existsSync(path)
        ? // no file to open: the folder refused the new one
          `${where} cannot be created (${code}): no permission to write in ${dirname(path)}; give ${given} a path in a folder you can write, or make that folder writable for you`
        : `${where} cannot be opened for writing (${code}): check the path, that it is a file, and its permissions`
  } else {
    message = `${where}: SQLite failed (${code || (cause as Error)?.message || 'unknown error'}); ${after}`
  }
  return new DccError('ERR_LEDGER', message, { cause })
}

/** what a failed read leaves: stats, export, dry runs and the copy's source only read the ledger */
export const READ_AFTER = 'hcert only read the ledger: nothing in it was changed'

/** a write SQLite needs even to read a WAL ledger (its -shm file) failed for want of room */
function noRoom(code: string): boolean {
  return (
    code === 'SQLITE_FULL' ||
    code === 'ENOSPC' ||
    code === 'EFBIG' ||
    code === 'EDQUOT' ||
    code === 'SQLITE_IOERR_SHMSIZE' ||
    code === 'SQLITE_IOERR_WRITE' ||
    code === 'SQLITE_IOERR_TRUNCATE'
  )
}

/**
 * `cause`, met while only reading the ledger (stats, export, a dry run, the source of ledger copy),
 * as ERR_LEDGER worded for a read: nothing was being committed, so nothing about chunks or reruns.
 * A storage failure there is SQLite failing to make (or grow) its shared-memory file beside the
 * ledger: no room (a full disk, a file size limit) or a failing device. `after`: what was kept and
 * how to go on.
 */
export function ledgerReadError(
  cause: unknown,
  path: string,
  timeoutMs?: number,
  after = READ_AFTER,
  /** where the ledger was given, for the advice: `--ledger`, or ledger copy's first argument */
  given = '--ledger',
): DccError {
  if (cause instanceof DccError) return cause
  const known = readOnlyOpenError(cause, path, given)
  if (known) return known
  const code = String((cause as { code?: unknown })?.code ?? '')
  const where = `ledger: ${redactLedgerSpec(path)}`
  let message: string
  if (noRoom(code))
    message = `${where} could not be read (${code}): reading a ledger in WAL mode needs SQLite's shared-memory file ${path}-shm beside it, and there was no room to write it (a full disk, a file size limit such as ulimit -f, or a failing device); ${after}. Free some space or raise the limit and run again, or copy the ledger (with its -wal file, if there is one) to a disk with room and give that copy as ${given}`
  else if (code.startsWith('SQLITE_IOERR'))
    message = `${where} could not be read (${code}: a failing device, or a file changed while it was read); ${after}. Check the disk and run again`
  else if (
    code.startsWith('SQLITE_CANTOPEN') ||
    (code.startsWith('SQLITE_READONLY') && code !== 'SQLITE_READONLY_DIRECTORY') ||
    code === 'SQLITE_PERM' ||
    code === 'EISDIR' ||
    code === 'ENOTDIR' ||
    code === 'EROFS'
  )
    message = `${where} cannot be opened for reading (${code}): check the path, that it is a file, and its permissions; ${after}`
  else return ledgerError(cause, path, timeoutMs, after, given)
  return new DccError('ERR_LEDGER', message, { cause })
}

function readable(path: string): boolean {
  try {
    accessSync(path, constants.R_OK)
    return true
  } catch {
    return false
  }
}

/** A ledger read in a folder (or on a disk) that cannot be written: SQLite cannot make its -shm file. */
export function noShmMessage(path: string, code: string, given = '--ledger'): string {
  return `ledger: ${path} cannot be read from its folder (${code}): a ledger in WAL mode needs the file ${path}-shm beside it, and the folder is not writable (or the disk is read only). Give write permission on the folder, or copy the ledger (with its -wal file, if there is one) to a writable folder and give that copy as ${given}`
}

/**
 * A ledger opened read only (stats, export, a dry run) that SQLite cannot open (SQLITE_CANTOPEN)
 * because it cannot create the `-shm` file beside it: no -shm there, and its folder may not be
 * written (a read-only disk, a folder without write permission). ERR_LEDGER saying so, or undefined
 * when that is not the reason.
 */
export function readOnlyOpenError(cause: unknown, path: string, given = '--ledger'): DccError | undefined {
  const code = String((cause as { code?: unknown })?.code ?? '')
  if (code === 'EACCES' || code === 'EPERM' || (code.startsWith('SQLITE_CANTOPEN') && !readable(path)))
    return new DccError(
      'ERR_LEDGER',
      `ledger: ${path} cannot be read (${code}: no permission to read the file, or a folder on its path): stats, export and dry runs only read the ledger, but they must read it. Ask the ledger's owner for read permission (or run as the user that issues), or give ${given} a copy you may read`,
      { cause },
    )
  if (!code.startsWith('SQLITE_CANTOPEN') || existsSync(`${path}-shm`) || !existsSync(path)) return undefined
  try {
    // access(2) says EROFS for a read-only mount too
    accessSync(dirname(path), constants.W_OK)
    return undefined
  } catch {
    // the folder cannot be written: the reason
  }
  return new DccError('ERR_LEDGER', noShmMessage(path, code, given), { cause })
}
