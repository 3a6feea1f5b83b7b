/**
 * An exclusive lock held by a file that only one process can create (O_CREAT | O_EXCL, never
 * through a symbolic link): two runs writing one set of files (two `hcert keys generate --out keys`
 * started together) would otherwise each write part of it. The file holds the holder's pid, so a
 * lock left by a process that was killed is taken over, not a folder locked for ever.
 */
import { closeSync, constants, openSync, readFileSync, rmSync, writeSync } from 'node:fs'

const CREATE = constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | (constants.O_NOFOLLOW ?? 0)

/** true when a process with this id runs (one of another user counts: EPERM) */
function alive(pid: number): boolean {
  try {
    process.kill(pid, 0)
    return true
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM'
  }
}

/** the pid written in a lock file, or undefined when it holds none (being written, or not hcert's) */
export function holderOf(path: string): number | undefined {
  try {
    const pid = Number.parseInt(readFileSync(path, 'utf8'), 10)
    return Number.isSafeInteger(pid) && pid > 0 ? pid : undefined
  } catch {
    return undefined
  }
}

/**
 * Takes the lock at `path` and returns its release, or undefined when a live process holds it.
 * A lock whose holder is gone is removed and taken. Other errors (EACCES …) are thrown as they are.
 */
export function tryLock(path: string): (() => void) | undefined {
  for (let attempt = 0; attempt < 2; attempt++) {
    let fd: number
    try {
      fd = openSync(path, CREATE, 0o600)
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err
      const holder = holderOf(path)
      // no pid yet: its holder is between creating and writing it, so alive
      if (holder === undefined || alive(holder)) return undefined
      rmSync(path, { force: true })
      continue
    }
    try {
      writeSync(fd, `${process.pid}\n`)
    } finally {
      closeSync(fd)
    }
    return () => rmSync(path, { force: true })
  }
  return undefined
}
