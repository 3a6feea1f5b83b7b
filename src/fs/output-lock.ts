/**
 * A run takes each output file it names for itself (`--out`, `--rejects`): two runs writing one path
 * at once would each replace the other's file, and the one that ends first would lose what it wrote
 * (a rejects file is also read when a run starts and replaced when it ends). The lock is a file beside
 * the output (lock-file.ts: O_EXCL, holding the pid; a lock of a process of this machine that is gone
 * is taken over), as `keys generate` locks its key folder. The second run is refused at once.
 */
import { basename, dirname, join } from 'node:path'
import { DccError } from '../errors.js'
import { holderOf, tryLock } from './lock-file.js'
import { writeError } from './write-error.js'

/** The lock file of the output at `path`: `.<name>.hcert-lock` in its folder. */
export function outputLockPath(path: string): string {
  return join(dirname(path), `.${basename(path)}.hcert-lock`)
}

/**
 * Takes the lock of the output `flag` names at `path` and returns its release (which may be called
 * more than once). ERR_USAGE when another live run holds it, or when the lock cannot be made (the
 * folder cannot be written).
 */
export function lockOutput(flag: string, path: string): () => void {
  const lock = outputLockPath(path)
  let release: (() => void) | undefined
  try {
    release = tryLock(lock)
  } catch (cause) {
    if (cause instanceof DccError) throw cause // something not hcert's at the lock's name
    // the lock is made first, so this is the run's first write there: say why it failed
    throw new DccError('ERR_USAGE', `${flag} ${path}: ${writeError(lock, cause).message}`, { cause })
  }
  if (!release) {
    const pid = holderOf(lock)
    throw new DccError(
      'ERR_USAGE',
      `${flag} ${path}: another hcert run${pid === undefined ? '' : ` (pid ${pid})`} writes that file (it holds ${lock}); give each run its own ${flag} path, or wait for it to end`,
    )
  }
  let held = true
  const free = release
  return () => {
    if (held) free()
    held = false
  }
}
