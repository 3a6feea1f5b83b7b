/**
 * An exclusive lock held by a file that only one process can create (O_CREAT | O_EXCL, never
 * through a symbolic link): two runs writing one set of files (two `hcert keys generate --out keys`
 * started together) would otherwise each write part of it. The file holds the holder's pid, so a
 * lock left by a process that was killed is taken over, not a folder locked for ever; so is one left
 * empty (its holder died, or its disk filled, between creating it and writing the pid). A lock that
 * cannot be made whole (a full disk, a file size limit) is removed again, never left to block the path.
 *
 * Taking over a stale lock is safe when several runs do it at once: the stale file is renamed aside
 * to a name of this run's own (only one rename of it succeeds), what was renamed is judged again
 * (another run may have taken the lock over and made its own meanwhile), and only then is a new lock
 * created, exclusively. A release removes the lock only while it is still this run's own file.
 */
import { randomBytes } from 'node:crypto'
import {
  closeSync,
  constants,
  fstatSync,
  linkSync,
  lstatSync,
  openSync,
  readSync,
  renameSync,
  rmSync,
  unlinkSync,
  writeSync,
} from 'node:fs'
import { DccError } from '../errors.js'

const CREATE = constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | (constants.O_NOFOLLOW ?? 0)
const READ = constants.O_RDONLY | (constants.O_NOFOLLOW ?? 0) | (constants.O_NONBLOCK ?? 0)

/** an empty lock older than this lost its holder: a holder writes its pid right after creating it */
const EMPTY_STALE_MS = 10_000

/** true when a process with this id runs (one of another user counts: EPERM) */
function alive(pid: number): boolean {
  try {
    process.kill(pid, 0)
    return true
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM'
  }
}

/**
 * What the file at a lock's path holds: a pid, nothing yet (with its age in ms), something that is
 * no lock of hcert's (a symbolic link, a folder, other text), or nothing at all (gone meanwhile).
 */
type LockContent = { pid: number } | { emptyFor: number } | 'foreign' | 'gone'

function lockContent(path: string): LockContent {
  let fd: number
  try {
    fd = openSync(path, READ)
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'ENOENT' ? 'gone' : 'foreign' // ELOOP: a link
  }
  try {
    const stat = fstatSync(fd)
    if (!stat.isFile() || stat.size > 32) return 'foreign'
    const bytes = Buffer.alloc(32)
    const text = bytes.toString('latin1', 0, readSync(fd, bytes, 0, 32, 0))
    if (text === '') return { emptyFor: Date.now() - stat.mtimeMs }
    if (!/^\d+\n?$/.test(text)) return 'foreign'
    const pid = Number.parseInt(text, 10)
    return Number.isSafeInteger(pid) && pid > 0 ? { pid } : 'foreign'
  } catch {
    return 'foreign'
  } finally {
    closeSync(fd)
  }
}

/** a lock left by a run that is gone: its pid runs no more, or it stayed empty too long */
function isStale(content: LockContent): boolean {
  if (typeof content !== 'object') return false
  return 'emptyFor' in content ? content.emptyFor >= EMPTY_STALE_MS : !alive(content.pid)
}

/** the pid written in a lock file, or undefined when it holds none (being written, or not hcert's) */
export function holderOf(path: string): number | undefined {
  const content = lockContent(path)
  return typeof content === 'object' && 'pid' in content ? content.pid : undefined
}

/**
 * Moves the stale lock at `path` out of the way: renamed to `<path>.<pid>.<12 hex>.stale` (atomic:
 * of runs doing this at once, one gets the file, the others ENOENT). What was renamed is judged
 * again: another run may have taken the stale lock over and made its own at `path` between our look
 * and our rename. A stale lock is removed; anything else is put back with link(), which never
 * replaces a file: should a third run have made a lock at `path` meanwhile, the one renamed is not
 * put over it (its holder's release then leaves that run's lock alone). Best effort: the caller
 * tries to create the lock again whatever happened here.
 */
function moveStaleAside(path: string): void {
  const aside = `${path}.${process.pid}.${randomBytes(6).toString('hex')}.stale`
  try {
    renameSync(path, aside)
  } catch {
    return // taken over by another run, or removed by its holder: look again
  }
  if (!isStale(lockContent(aside))) {
    try {
      linkSync(aside, path)
    } catch {
      // a lock made since is at path: it stays, and the one renamed goes (no file holds two locks)
    }
  }
  rmSync(aside, { force: true })
}

/** locks this process holds, by path: their device and inode, to release only what is still ours */
const held = new Map<string, { dev: number; ino: number }>()
let exitHook = false

/** Removes each lock this process still holds (synchronous: safe at exit or in a signal handler). */
export function releaseAllLocks(): void {
  for (const path of [...held.keys()]) releaseLock(path)
}

/**
 * Removes the lock at `path` if it is still the file this process created (`mine`, or whichever
 * it holds there when not given), holding its pid.
 */
function releaseLock(path: string, mine = held.get(path)): void {
  if (!mine || held.get(path) !== mine) return // released already
  held.delete(path)
  const stat = lstatSync(path, { throwIfNoEntry: false })
  if (!stat || stat.dev !== mine.dev || stat.ino !== mine.ino) return // not ours any more
  if (holderOf(path) !== process.pid) return
  try {
    unlinkSync(path)
  } catch {
    // gone meanwhile
  }
}

export interface TryLockHooks {
  /**
   * Runs once a stale lock has been read and judged stale, before it is taken over: for tests, to
   * interleave another run at the very point where two takeovers race.
   */
  beforeTakeover?: () => void
}

/**
 * Takes the lock at `path` and returns its release, or undefined when a live process holds it.
 * A lock whose holder is gone, or left empty for a while, is taken over (moveStaleAside). ERR_USAGE
 * when the path holds something that is no lock of hcert's (a symbolic link, a folder, a file of
 * other content): it is never removed, the message says to remove it. Errors creating or writing
 * the lock (EACCES, ENOSPC, EFBIG …) are thrown as they are, the half-made lock removed. The
 * release (idempotent, also run at exit) removes the lock only while it is this process's own.
 */
export function tryLock(path: string, hooks: TryLockHooks = {}): (() => void) | undefined {
  for (let attempt = 0; attempt < 5; attempt++) {
    let fd: number
    try {
      fd = openSync(path, CREATE, 0o600)
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err
      const content = lockContent(path)
      if (content === 'gone') continue
      if (content === 'foreign')
        throw new DccError(
          'ERR_USAGE',
          `${path} is in the way: hcert keeps its lock there, and this is not one it made (a symbolic link, a folder or a file of other content); if no hcert run is writing there, remove it and run the same command again`,
        )
      // no pid yet: its holder is between creating and writing it (alive), unless that was long ago
      if (!isStale(content)) return undefined
      hooks.beforeTakeover?.()
      moveStaleAside(path)
      continue
    }
    let identity: { dev: number; ino: number }
    try {
      writeSync(fd, `${process.pid}\n`)
      const stat = fstatSync(fd)
      identity = { dev: stat.dev, ino: stat.ino }
    } catch (err) {
      closeSync(fd)
      rmSync(path, { force: true })
      throw err
    }
    closeSync(fd)
    held.set(path, identity)
    if (!exitHook) {
      process.once('exit', releaseAllLocks)
      exitHook = true
    }
    return () => releaseLock(path, identity)
  }
  return undefined
}
