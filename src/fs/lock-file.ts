/**
 * An exclusive lock held by a file that only one process can create (O_CREAT | O_EXCL, never
 * through a symbolic link): two runs writing one set of files (two `hcert keys generate --out keys`
 * started together) would otherwise each write part of it. The file holds the holder's pid, so a
 * lock left by a process that was killed is taken over, not a folder locked for ever; so is one left
 * empty (its holder died, or its disk filled, between creating it and writing the pid). A lock that
 * cannot be made whole (a full disk, a file size limit) is removed again, never left to block the path.
 */
import { closeSync, constants, fstatSync, openSync, readSync, rmSync, writeSync } from 'node:fs'
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

/** the pid written in a lock file, or undefined when it holds none (being written, or not hcert's) */
export function holderOf(path: string): number | undefined {
  const content = lockContent(path)
  return typeof content === 'object' && 'pid' in content ? content.pid : undefined
}

/**
 * Takes the lock at `path` and returns its release, or undefined when a live process holds it.
 * A lock whose holder is gone, or left empty for a while, is removed and taken. ERR_USAGE when the
 * path holds something that is no lock of hcert's (a symbolic link, a folder, a file of other text):
 * it is never removed, the message says to remove it. Errors creating or writing the lock (EACCES,
 * ENOSPC, EFBIG …) are thrown as they are, the half-made lock removed.
 */
export function tryLock(path: string): (() => void) | undefined {
  for (let attempt = 0; attempt < 3; attempt++) {
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
      if ('emptyFor' in content ? content.emptyFor < EMPTY_STALE_MS : alive(content.pid)) return undefined
      rmSync(path, { force: true })
      continue
    }
    try {
      writeSync(fd, `${process.pid}\n`)
    } catch (err) {
      closeSync(fd)
      rmSync(path, { force: true })
      throw err
    }
    closeSync(fd)
    return () => rmSync(path, { force: true })
  }
  return undefined
}
