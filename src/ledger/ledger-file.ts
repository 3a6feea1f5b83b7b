/**
 * The ledger's file, before SQLite opens it: its folder created 0700 if need be, the file created
 * 0600 (O_CREAT | O_NOFOLLOW), or an existing one made 0600 whatever its mode was (it holds personal
 * health data), as are the write-ahead log and shared-memory files beside it. A symbolic link at the
 * ledger's path is refused, not followed (SQLite would follow it to a file elsewhere); SQLite itself
 * opens the log files without following links.
 */
import {
  accessSync,
  closeSync,
  constants,
  existsSync,
  fchmodSync,
  fstatSync,
  lstatSync,
  openSync,
  readSync,
  statSync,
} from 'node:fs'
import { dirname } from 'node:path'
import Database from 'better-sqlite3'
import { DccError } from '../errors.js'
import { makeDirectories } from '../fs/make-directories.js'

const OPEN = constants.O_RDWR | constants.O_CREAT | (constants.O_NOFOLLOW ?? 0)

/** The first 16 bytes of every SQLite database file (sqlite.org/fileformat.html, 1.3). */
const SQLITE_HEADER = 'SQLite format 3\0'

/**
 * What a --ledger path names, looked at before SQLite opens (or creates) anything, so that a wrong
 * path gets a message that says what it is rather than a storage fault: ERR_LEDGER for an empty
 * path, a folder, a FIFO, socket or device, a file that is not a SQLite database (a CSV, a key: give the ledger's file), or a
 * `-wal`/`-shm` file beside it that is not a plain file (a planted link: SQLite would follow it).
 * Nothing is created or changed here; a path that does not exist yet passes.
 */
export function checkLedgerPath(path: string): void {
  if (path === ':memory:') return
  if (path.trim() === '')
    throw new DccError(
      'ERR_LEDGER',
      "ledger: the path is empty (--ledger '' or HCERT_LEDGER set to nothing); give the ledger's file, or leave --ledger out for the default",
    )
  const stat = lstatOrUndefined(path)
  if (stat?.isDirectory())
    throw new DccError(
      'ERR_LEDGER',
      `ledger: ${path} is a folder, not a ledger file; give the ledger's file (for example ${path.replace(/\/+$/, '')}/ledger.sqlite)`,
    )
  // a FIFO, socket or device (or a link to one): SQLite would wait on a FIFO for ever
  const target = stat?.isSymbolicLink() ? statOrUndefined(path) : stat
  if (target && !target.isFile() && !target.isDirectory())
    throw new DccError(
      'ERR_LEDGER',
      `ledger: ${path} is not a file (a FIFO, socket or device); give the ledger's file`,
    )
  for (const suffix of ['-wal', '-shm']) {
    const side = lstatOrUndefined(`${path}${suffix}`)
    if (side && !side.isFile())
      throw new DccError(
        'ERR_LEDGER',
        `ledger: ${path}${suffix} is not a file (${side.isSymbolicLink() ? 'a symbolic link' : 'a folder or device'}); SQLite would use it beside the ledger: remove it`,
      )
  }
  if (stat?.isFile() && stat.size > 0 && !startsLikeSqlite(path))
    throw new DccError(
      'ERR_LEDGER',
      `ledger: ${path} is not a ledger (not a SQLite database: a CSV, a key or another file?); give --ledger the ledger file hcert issue writes (if this file was your ledger and was overwritten, restore it from a backup)`,
    )
}

function statOrUndefined(path: string): ReturnType<typeof statSync> | undefined {
  try {
    return statSync(path, { throwIfNoEntry: false })
  } catch {
    return undefined
  }
}

function lstatOrUndefined(path: string): ReturnType<typeof lstatSync> | undefined {
  try {
    return lstatSync(path, { throwIfNoEntry: false })
  } catch {
    return undefined // ENOTDIR, EACCES: SQLite's own error says it
  }
}

/** Whether the file starts with SQLite's header; true when it cannot be read (SQLite says why). */
function startsLikeSqlite(path: string): boolean {
  let fd: number
  try {
    fd = openSync(path, constants.O_RDONLY | (constants.O_NOFOLLOW ?? 0))
  } catch {
    return true
  }
  try {
    const head = Buffer.alloc(16)
    const read = readSync(fd, head, 0, 16, 0)
    return read === 16 && head.toString('latin1') === SQLITE_HEADER
  } catch {
    return true
  } finally {
    closeSync(fd)
  }
}

export function secureLedgerFile(path: string): void {
  // one level at a time: Node's recursive mkdir spins forever under /proc (make-directories.ts)
  makeDirectories(dirname(path), 0o700)
  let fd: number
  try {
    fd = openSync(path, OPEN, 0o600)
  } catch (cause) {
    if ((cause as NodeJS.ErrnoException).code === 'ELOOP')
      throw new DccError('ERR_LEDGER', `ledger: ${path} is a symbolic link; give the ledger's own path`, {
        cause,
      })
    throw cause
  }
  try {
    const stat = fstatSync(fd)
    if (!stat.isFile()) throw new DccError('ERR_LEDGER', `ledger: ${path} is not a file`)
    if ((stat.mode & 0o777) !== 0o600) fchmodSync(fd, 0o600)
  } finally {
    closeSync(fd)
  }
  for (const suffix of ['-wal', '-shm']) {
    const side = `${path}${suffix}`
    const stat = lstatSync(side, { throwIfNoEntry: false })
    if (!stat) continue
    if (!stat.isFile())
      throw new DccError('ERR_LEDGER', `ledger: ${side} is not a file (a symbolic link?); remove it`)
    if ((stat.mode & 0o777) !== 0o600) {
      const sideFd = openSync(side, constants.O_RDWR | (constants.O_NOFOLLOW ?? 0))
      try {
        fchmodSync(sideFd, 0o600)
      } finally {
        closeSync(sideFd)
      }
    }
  }
}

/**
 * The ledger opened for reading only (SQLITE_OPEN_READONLY; the file must exist): nothing is
 * created, migrated or chmod-ed, so `stats` and `export` work on a ledger file the user may only
 * read. SQLite still needs the `-shm` file beside a ledger in WAL mode: in a folder the user cannot
 * write, without one, the first read fails with SQLITE_READONLY_DIRECTORY (ledger-error.ts says what to do).
 */
export function openReadOnly(path: string, timeoutMs: number): Database.Database {
  // A reader of a WAL ledger makes its -wal and -shm files, and a read-only connection cannot
  // remove them when it closes: a dry run would leave two files behind. When no other connection
  // has them (neither exists) and the user may write there, the ledger is opened read-write but
  // refusing every write (query_only), so that SQLite removes them on close as the last connection.
  if (!existsSync(`${path}-wal`) && !existsSync(`${path}-shm`) && mayWrite(path)) {
    const db = new Database(path, { fileMustExist: true, timeout: timeoutMs })
    db.pragma('query_only = 1')
    return db
  }
  return new Database(path, { readonly: true, fileMustExist: true, timeout: timeoutMs })
}

function mayWrite(path: string): boolean {
  try {
    accessSync(path, constants.W_OK)
    accessSync(dirname(path), constants.W_OK)
    return lstatSync(path).isFile()
  } catch {
    return false
  }
}
