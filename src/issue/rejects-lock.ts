/**
 * A run takes its `--rejects` path for itself: each run reads the earlier rejects file when it
 * starts and replaces it when it ends, so two runs at one path at once would lose the rejects of
 * the one that ends first. The lock is a file beside the rejects file (fs/lock-file.ts: O_EXCL,
 * holding the pid; a lock of a process of this machine that is gone is taken over), as
 * `keys generate` locks its key folder.
 */
import { basename, dirname, join } from 'node:path'
import { DccError } from '../errors.js'
import { holderOf, tryLock } from '../fs/lock-file.js'

/** The lock file of the rejects file at `path`: `.<name>.hcert-lock` in its folder. */
export function rejectsLockPath(path: string): string {
  return join(dirname(path), `.${basename(path)}.hcert-lock`)
}

/**
 * Takes the lock of the rejects file at `path` and returns its release (which may be called more
 * than once). ERR_USAGE when another live run holds it, or when the lock cannot be made (the
 * folder cannot be written).
 */
export function lockRejects(path: string): () => void {
  const lock = rejectsLockPath(path)
  let release: (() => void) | undefined
  try {
    release = tryLock(lock)
  } catch (cause) {
    throw new DccError(
      'ERR_USAGE',
      `--rejects ${path}: cannot make its lock file ${lock} (${(cause as NodeJS.ErrnoException).code ?? 'error'}); give a --rejects path in a folder this user can write`,
      { cause },
    )
  }
  if (!release) {
    const pid = holderOf(lock)
    throw new DccError(
      'ERR_USAGE',
      `--rejects ${path}: another hcert run${pid === undefined ? '' : ` (pid ${pid})`} writes that rejects file (it holds ${lock}); give each run its own --rejects path`,
    )
  }
  let held = true
  const free = release
  return () => {
    if (held) free()
    held = false
  }
}
