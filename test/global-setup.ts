/**
 * One temporary root for the whole run: every test's `tmpdir()` (and every hcert process a test
 * starts) lands under it, and it is removed at the end, so a run leaves nothing in /tmp.
 */
import { chmodSync, mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

export default function setup(): () => void {
  const root = mkdtempSync(join(tmpdir(), 'hcert-tests-'))
  // as /tmp is: tests that run hcert as another user (nobody, for permission cases) reach their folders
  chmodSync(root, 0o1777)
  process.env.TMPDIR = root
  return () => {
    try {
      rmSync(root, { recursive: true, force: true })
    } catch (err) {
      // a folder a test left unreadable, as another user: the run's result stands
      console.warn(`could not remove ${root}: ${(err as Error).message}`)
    }
  }
}
