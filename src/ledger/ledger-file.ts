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
  fchmodSync,
  fstatSync,
  lstatSync,
  openSync,
  readFileSync,
  readSync,
  realpathSync,
  rmSync,
  statSync,
} from 'node:fs'
import { dirname } from 'node:path'
import Database from 'better-sqlite3'
import { DccError } from '../errors.js'
import { refuseLinksAlong } from '../fs/links-along.js'
import { makeDirectories } from '../fs/make-directories.js'

const OPEN = constants.O_RDWR | constants.O_CREAT | (constants.O_NOFOLLOW ?? 0)

/** the files SQLite keeps beside a database: its write-ahead log and index, and a rollback journal */
const SIDE_FILES = ['-wal', '-shm', '-journal'] as const

/** The first 16 bytes of every SQLite database file (sqlite.org/fileformat.html, 1.3). */
const SQLITE_HEADER = 'SQLite format 3\0'

/**
 * What a --ledger path names, looked at before SQLite opens (or creates) anything, so that a wrong
 * path gets a message that says what it is rather than a storage fault: ERR_LEDGER for an empty
 * path, a folder, a FIFO, socket or device, a file that is not a SQLite database (a CSV, a key: give the ledger's file), or a
 * `-wal`/`-shm`/`-journal` file beside it that is not a plain file (a planted link: SQLite would follow it).
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
  for (const suffix of SIDE_FILES) {
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
  // a folder on the way that is a link would put the ledger elsewhere (the file itself: O_NOFOLLOW)
  refuseLinksAlong('ledger:', path, false, 'ERR_LEDGER')
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
  for (const suffix of SIDE_FILES) {
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
 * The ledger opened for reading only (the file must exist): nothing is created, migrated or
 * chmod-ed, and nothing is left beside it, so `stats`, `export` and dry runs work on a ledger file
 * the user may only read, through a symbolic link, or in a folder (or on a disk) that cannot be
 * written. A link is followed for reading (the user named it; nothing is written through it).
 * - no `-wal`/`-shm` beside the file (no connection has it open) and the user may write the file
 *   and its folder: opened read-write refusing every write (`PRAGMA query_only`): SQLite makes its
 *   `-wal`/`-shm` files and, as the last connection, removes them on close;
 * - no `-wal`/`-shm`, and the file or its folder may not be written (mode 0444, a read-only folder
 *   or disk): nobody can be writing it, so the file is read into memory (as a rollback-journal
 *   database: bytes 18-19 of the header set to 1) and read from there; it costs memory of the
 *   file's size, and SQLite has no file to make;
 * - no `-wal`/`-shm`, and SQLite cannot make them (a full disk, a file size limit such as
 *   `ulimit -f`): read without a `-shm` file when no other process has the ledger open
 *   (withoutSharedMemory), and the files the failed open made are removed;
 * - `-wal`/`-shm` there (another process has the ledger open, or one was killed): opened
 *   SQLITE_OPEN_READONLY, using them. In a folder that cannot be written without a `-shm` file,
 *   SQLITE_CANTOPEN (readOnlyOpenError says what to do).
 * A file that cannot be read (EACCES) is thrown as such (readOnlyOpenError says what to do).
 */
export function openReadOnly(path: string, timeoutMs: number): Database.Database {
  const real = realPathOf(path)
  // lstat: a link there, even one to nothing, is there (and never followed or removed)
  if (!lstatOrUndefined(`${real}-wal`) && !lstatOrUndefined(`${real}-shm`)) {
    if (mayWrite(real)) {
      let db: Database.Database | undefined
      try {
        db = new Database(real, { fileMustExist: true, timeout: timeoutMs })
        db.pragma('query_only = 1')
        // the first read makes SQLite's -wal and -shm files: a failure to write them shows here
        db.prepare('SELECT count(*) FROM sqlite_master').get()
        return db
      } catch (cause) {
        closeQuietly(db)
        if (!storageFailure(cause)) throw cause
        return withoutSharedMemory(real, timeoutMs, cause)
      }
    }
    return inMemory(real)
  }
  const db = new Database(real, { readonly: true, fileMustExist: true, timeout: timeoutMs })
  // a connection opened SQLITE_OPEN_READONLY cannot checkpoint: when it is the last to close (the
  // run that made the -wal finished meanwhile) the -wal, holding the newest commits, would stay
  const close = db.close.bind(db)
  db.close = () => {
    close()
    checkpointIfLast(real)
    return db
  }
  return db
}

/**
 * After a read-only connection closed: the ledger opened read-write for a moment and closed, so that
 * SQLite, when no other process has it open any more, checkpoints the -wal into the ledger file and
 * removes the -wal and -shm on that last close (sqlite.org/wal.html); while another process still
 * has it open nothing changes (its own close does that). Best effort (a busy ledger is waited for
 * 1 s at most; any failure leaves the files as they were); never through a link planted as -wal or
 * -shm, and only on a ledger this user may write.
 */
function checkpointIfLast(path: string): void {
  const wal = lstatOrUndefined(`${path}-wal`)
  const shm = lstatOrUndefined(`${path}-shm`)
  if ((!wal && !shm) || wal?.isSymbolicLink() || shm?.isSymbolicLink() || !mayWrite(path)) return
  let db: Database.Database | undefined
  try {
    db = new Database(path, { fileMustExist: true, timeout: 1000 })
    db.prepare('SELECT count(*) FROM sqlite_master').get()
  } catch {
    // left as it was: the next run's last close checkpoints it
  } finally {
    closeQuietly(db)
  }
}

/** SQLite could not write a file beside the ledger (its -shm, -wal): no room, or the device failed */
function storageFailure(cause: unknown): boolean {
  const code = String((cause as { code?: unknown })?.code ?? '')
  return code === 'SQLITE_FULL' || code.startsWith('SQLITE_IOERR')
}

/**
 * The ledger read without SQLite's shared-memory file, when it could not be made (a full disk, a
 * file size limit) and there was none before: in exclusive locking mode SQLite keeps its WAL index
 * in memory and makes no -shm (sqlite.org/wal.html, "Use of WAL without shared-memory"). The
 * exclusive lock is SQLite's own proof that no other process has the ledger open (each holds a
 * shared lock on it while it is open): with it held, the -shm (and -wal) the failed open left are
 * this process's, and are removed (the -wal by SQLite on close). A process that opened the ledger
 * in the meantime keeps the lock from us (SQLITE_BUSY after the busy timeout): then `failed` is
 * thrown and those files, which it may be using now, are left. Other processes wait for the lock
 * while this one reads (HCERT_LEDGER_TIMEOUT).
 */
export function withoutSharedMemory(path: string, timeoutMs: number, failed: unknown): Database.Database {
  let db: Database.Database | undefined
  try {
    db = new Database(path, { fileMustExist: true, timeout: timeoutMs })
    db.pragma('locking_mode = EXCLUSIVE')
    db.pragma('query_only = 1')
    db.prepare('SELECT count(*) FROM sqlite_master').get()
  } catch (cause) {
    closeQuietly(db)
    throw String((cause as { code?: unknown })?.code ?? '').startsWith('SQLITE_BUSY') ? failed : cause
  }
  // the lock is held from that read until close: nobody else has the ledger open
  if (lstatOrUndefined(`${path}-shm`)?.isFile()) rmSync(`${path}-shm`, { force: true })
  return db
}

function closeQuietly(db: Database.Database | undefined): void {
  try {
    db?.close()
  } catch {
    // the error that matters is the one that made us close it
  }
}

/** The file a path names, links followed; the path itself when that fails (SQLite then says why). */
function realPathOf(path: string): string {
  try {
    return realpathSync(path)
  } catch {
    return path
  }
}

/** The database file read into memory, as a rollback-journal database (WAL needs files beside it). */
function inMemory(path: string): Database.Database {
  const bytes = readFileSync(path)
  if (bytes.length === 0) {
    const empty = new Database(':memory:')
    empty.pragma('query_only = 1')
    return empty
  }
  // header bytes 18 and 19: file format write/read versions, 2 for WAL (sqlite.org/fileformat.html 1.3.3)
  if (bytes.length >= 100 && bytes.toString('latin1', 0, 16) === SQLITE_HEADER) {
    if (bytes[18] === 2) bytes[18] = 1
    if (bytes[19] === 2) bytes[19] = 1
  }
  return new Database(bytes, { readonly: true })
}

function mayWrite(path: string): boolean {
  try {
    accessSync(path, constants.R_OK | constants.W_OK)
    accessSync(dirname(path), constants.W_OK)
    return lstatSync(path).isFile()
  } catch {
    return false
  }
}
