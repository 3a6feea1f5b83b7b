import { readdirSync } from 'node:fs'
import { join } from 'node:path'
import { DccError } from '../errors.js'

/**
 * Files under `dir` (recursively) whose name passes `accept`, sorted for a stable order.
 * Symbolic links are not followed. Errors: ERR_USAGE when a folder cannot be listed.
 */
export function findFiles(dir: string, accept: (name: string) => boolean): string[] {
  const out: string[] = []
  const walk = (current: string): void => {
    for (const entry of list(current)) {
      const path = join(current, entry.name)
      if (entry.isDirectory()) walk(path)
      else if (entry.isFile() && accept(entry.name)) out.push(path)
    }
  }
  walk(dir)
  return out.sort((a, b) => a.localeCompare(b, 'en', { numeric: true }))
}

function list(dir: string) {
  try {
    return readdirSync(dir, { withFileTypes: true })
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code ?? 'error'
    throw new DccError('ERR_USAGE', `cannot list the folder ${dir} (${code})`, { cause: err })
  }
}
