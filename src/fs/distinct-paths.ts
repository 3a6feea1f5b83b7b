/**
 * Before a run reads anything: no file it writes may be a file it reads (the input, the ledger, a
 * key), nor another file it writes. Two paths are the same file when they name the same device and
 * inode (links and `..` included); a path that does not exist yet is compared by its resolved path.
 * Field report: `--rejects records.csv`, with records.csv the input, truncated the input while it
 * was being read.
 */
import { existsSync, lstatSync, realpathSync, statSync } from 'node:fs'
import { basename, dirname, join, resolve } from 'node:path'
import { DccError } from '../errors.js'

export interface RolePath {
  /** how the message names it: 'the input', '--out', 'the ledger' */
  role: string
  path: string
}

/** the path with its folder's links resolved, and its own too unless `ownName` */
function resolved(path: string, ownName = false): string {
  try {
    if (!ownName) return realpathSync(path)
  } catch {
    // does not exist (yet): resolve its folder
  }
  try {
    return join(realpathSync(dirname(path)), basename(path))
  } catch {
    return resolve(path)
  }
}

/**
 * true when both paths are one name for one directory entry: what two outputs must not share (a
 * symbolic link at either is replaced, not followed, so two links to one file are two outputs)
 */
export function sameName(a: string, b: string): boolean {
  const sa = lstatSync(a, { throwIfNoEntry: false })
  const sb = lstatSync(b, { throwIfNoEntry: false })
  if (sa && sb) return sa.dev === sb.dev && sa.ino === sb.ino
  return resolved(a, true) === resolved(b, true)
}

/** true when both paths name one file (or, one not existing, resolve to one path) */
export function sameFile(a: string, b: string): boolean {
  const sa = statSync(a, { throwIfNoEntry: false })
  const sb = statSync(b, { throwIfNoEntry: false })
  if (sa && sb) return sa.dev === sb.dev && sa.ino === sb.ino
  return resolved(a) === resolved(b)
}

/** Throws ERR_USAGE when a path written is a path read, or two paths written are one. */
export function refuseOverlaps(reads: readonly RolePath[], writes: readonly RolePath[]): void {
  writes.forEach((write, i) => {
    for (const read of reads) {
      if (sameFile(write.path, read.path))
        throw new DccError(
          'ERR_USAGE',
          `${write.role} ${write.path} is ${read.role}: writing it would destroy it; give another path`,
        )
    }
    for (const other of writes.slice(0, i)) {
      if (sameName(write.path, other.path))
        throw new DccError(
          'ERR_USAGE',
          `${write.role} and ${other.role} are the same file (${write.path}); give each its own path`,
        )
    }
  })
}

/** `path` with the links of its longest existing part resolved (the rest, not there yet, as given). */
function resolvedAncestry(path: string): string {
  const rest: string[] = []
  let current = resolve(path)
  for (;;) {
    try {
      return join(realpathSync(current), ...rest.reverse())
    } catch {
      const up = dirname(current)
      if (up === current) return resolve(path)
      rest.push(basename(current))
      current = up
    }
  }
}

/**
 * The nearest folder, `path` itself (existing or not) or one above it, that holds one of `names`
 * (files of a key folder: a private key, a key reference), or undefined. Links resolved as by
 * isWithinFolder, so a link to a key folder is one.
 */
export function folderHolding(path: string, names: readonly string[]): string | undefined {
  let current = resolvedAncestry(path)
  for (;;) {
    if (names.some((name) => existsSync(join(current, name)))) return current
    const up = dirname(current)
    if (up === current) return undefined
    current = up
  }
}

/**
 * true when `path` (existing or not) is the folder `folder` or lies anywhere under it: each folder
 * above it is compared with `folder` by device and inode, so links and `..` cannot hide it.
 */
export function isWithinFolder(path: string, folder: string): boolean {
  const target = statSync(folder, { throwIfNoEntry: false })
  if (!target?.isDirectory()) return false
  let current = resolvedAncestry(path)
  for (;;) {
    const stat = statSync(current, { throwIfNoEntry: false })
    if (stat && stat.dev === target.dev && stat.ino === target.ino) return true
    const up = dirname(current)
    if (up === current) return false
    current = up
  }
}
