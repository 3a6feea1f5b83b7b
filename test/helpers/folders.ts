/** Scratch folders for tests that run the CLI: one temporary root per test file, a fresh folder per call. */
import { mkdirSync, mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

/** A `folder()` that makes a new empty folder under a temporary root named from `prefix` at each call. */
export function freshFolders(prefix: string): () => string {
  const root = mkdtempSync(join(tmpdir(), prefix))
  let n = 0
  return () => {
    const dir = join(root, String(n++))
    mkdirSync(dir)
    return dir
  }
}
