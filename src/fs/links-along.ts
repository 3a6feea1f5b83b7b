/**
 * The symbolic links a path goes through. hcert writes nothing through a link (outputs, QR images,
 * keys, the ledger): a folder on the way to a destination replaced by a link (`out/` → someone
 * else's folder) would put personal data or keys where its owner did not choose. Each component of
 * the path is looked at as written (no `..` folded away: `link/..` goes through `link`, as the
 * kernel does); a relative path is looked at from the working folder, whose own path is the user's.
 *
 * System links are not planted: a link directly under `/` owned by root (Debian's `/bin` → `usr/bin`,
 * macOS's `/tmp` → `private/tmp`) is taken as a folder. Nothing else is exempt, a link the user made
 * included: give hcert the real path (the message names the link).
 */
import { lstatSync, readlinkSync, type Stats } from 'node:fs'
import { isAbsolute, sep } from 'node:path'
import { DccError } from '../errors.js'

export interface LinkAlong {
  /** the path up to and including the link, as written */
  link: string
  /** what the link points to, as stored in it ('' when it cannot be read) */
  target: string
}

function lstatOrUndefined(path: string): Stats | undefined {
  try {
    return lstatSync(path, { throwIfNoEntry: false })
  } catch {
    return undefined // ENOTDIR, EACCES: the write itself fails and says why
  }
}

/**
 * The first symbolic link among the components of `path` (every component when `withLast`, else all
 * but the last), or undefined. Components that do not exist yet end the look: hcert creates them
 * itself (mode 0700), never through a link.
 */
export function linkAlong(path: string, withLast: boolean): LinkAlong | undefined {
  const parts = path.split(sep).filter((part) => part !== '')
  const count = withLast ? parts.length : parts.length - 1
  let current = isAbsolute(path) ? '' : '.'
  for (let i = 0; i < count; i++) {
    const part = parts[i] as string
    current = `${current}${sep}${part}`
    if (part === '.') continue
    const stat = lstatOrUndefined(current)
    if (!stat) return undefined
    if (!stat.isSymbolicLink()) continue
    if (isAbsolute(path) && i === 0 && stat.uid === 0) continue // a system link under /
    let target = ''
    try {
      target = readlinkSync(current)
    } catch {
      // gone meanwhile: still refused
    }
    return { link: isAbsolute(path) ? current : current.slice(2), target }
  }
  return undefined
}

/**
 * Throws `code` (ERR_USAGE by default) when `path` goes through a symbolic link: a folder on its way,
 * or (`withLast`) the path itself. See linkAlong for what counts.
 */
export function refuseLinksAlong(
  flag: string,
  path: string,
  withLast: boolean,
  code: 'ERR_USAGE' | 'ERR_LEDGER' = 'ERR_USAGE',
): void {
  const found = linkAlong(path, withLast)
  if (!found) return
  const what = found.link === path.replace(/\/+$/, '') ? 'is' : `goes through ${found.link}, which is`
  throw new DccError(
    code,
    `${flag} ${path} ${what} a symbolic link${found.target ? ` (to ${found.target})` : ''}: hcert writes nothing through a link, which may lead where it should not; give the real path`,
  )
}
