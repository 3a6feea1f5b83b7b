import { readdirSync } from 'node:fs'
import { join } from 'node:path'

/** Files under `dir` (recursively) whose name passes `accept`, sorted for a stable order. */
export function findFiles(dir: string, accept: (name: string) => boolean): string[] {
  const out: string[] = []
  const walk = (current: string): void => {
    for (const entry of readdirSync(current, { withFileTypes: true })) {
      const path = join(current, entry.name)
      if (entry.isDirectory()) walk(path)
      else if (entry.isFile() && accept(entry.name)) out.push(path)
    }
  }
  walk(dir)
  return out.sort((a, b) => a.localeCompare(b, 'en', { numeric: true }))
}
