/**
 * Round 8 of testers: `issue --qr-dir` on a disk that fills up said only "cannot write …png: no
 * space left on the disk (ENOSPC)", though the certificates were signed and committed. Every output
 * that fails after commits (--out, --qr-dir, --rejects) says what is committed and how to get it, as
 * a failed --out did (out-full-disk.test.ts). A real 64 KB tmpfs, mounted in a mount namespace of
 * its own (unshare), holds the failing output while the ledger is on another disk; skipped where
 * that is not allowed.
 */
import { spawnSync } from 'node:child_process'
import { existsSync, mkdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { BIN } from '../helpers/cli.js'
import { KEYS_EXAMPLE } from '../helpers/keys.js'
import { freshFolders } from '../helpers/folders.js'
import { vaccinationCsv } from '../helpers/records.js'

const folder = freshFolders('hcert-outputs-full-')
const canMount =
  spawnSync('unshare', ['-rm', 'sh', '-c', 'mount -t tmpfs -o size=64k tmpfs /mnt'], { stdio: 'ignore' })
    .status === 0

/** `issue b.csv … <output flags naming $1, the 64 KB tmpfs> --json` in `dir` */
function issueOnSmallDisk(
  dir: string,
  output: string,
): { status: number | null; error: { code: string; message: string } } {
  const small = join(dir, 'small')
  mkdirSync(small)
  const r = spawnSync(
    'unshare',
    [
      '-rm',
      'sh',
      '-c',
      `mount -t tmpfs -o size=64k tmpfs "$1" && exec "$0" "$2" issue b.csv --key-dir "$3" --ledger l.sqlite --at 2021-12-21T00:00:00Z ${output} --json`,
      process.execPath,
      small,
      BIN,
      KEYS_EXAMPLE,
    ],
    { cwd: dir, encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' } },
  )
  return {
    status: r.status,
    error: (JSON.parse(r.stdout) as { error: { code: string; message: string } }).error,
  }
}

describe('an output that fails after commits says what is committed (round 8)', () => {
  it.skipIf(!canMount)('--qr-dir on a full disk: the images failed, the certificates are committed', () => {
    const dir = folder()
    // 100 certificates: 100 PNG images of some KB each, more than 64 KB
    writeFileSync(join(dir, 'b.csv'), vaccinationCsv({ to: 100 }))
    const r = issueOnSmallDisk(dir, '--qr-dir "$1/qr"')
    expect(r.status).toBe(2)
    expect(r.error.message).toMatch(/no space left on the disk \(ENOSPC\)/)
    expect(r.error.message).toMatch(
      /committed to the ledger \(\d+ by this run\): run the same command again .* hcert export --batch b\.csv/,
    )
    expect(existsSync(join(dir, 'l.sqlite'))).toBe(true)
  })

  it.skipIf(!canMount)(
    '--rejects on a full disk: the rejects file failed, the certificates are committed',
    () => {
      const dir = folder()
      // 1,000 good records and 1,000 rejected ones (dose 5 of 2): the rejects file is well over 64 KB
      writeFileSync(join(dir, 'b.csv'), vaccinationCsv({ to: 2000, bad: (i) => i % 2 === 0 }))
      const r = issueOnSmallDisk(dir, '--rejects "$1/r.csv" --out o.jsonl')
      expect(r.status).toBe(2)
      expect(r.error.message).toMatch(/no space left on the disk \(ENOSPC\)|file size/)
      expect(r.error.message).toMatch(
        /committed to the ledger \(\d+ by this run\): run the same command again/,
      )
    },
  )
})
