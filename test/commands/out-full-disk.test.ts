/**
 * `issue --out` on a disk that fills up while the ledger (on another disk) takes every chunk: the
 * error says the certificates are committed and how to get every line back (a rerun, or hcert
 * export --batch), as a failed stdout's message does. A real 64 KB tmpfs, mounted in a mount
 * namespace of its own (unshare); skipped where that is not allowed.
 */
import { spawnSync } from 'node:child_process'
import { existsSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { BIN } from '../helpers/cli.js'
import { KEYS_EXAMPLE } from '../helpers/keys.js'
import { freshFolders } from '../helpers/folders.js'
import { vaccinationCsv } from '../helpers/records.js'

const folder = freshFolders('hcert-out-full-')
const canMount =
  spawnSync('unshare', ['-rm', 'sh', '-c', 'mount -t tmpfs -o size=64k tmpfs /mnt'], { stdio: 'ignore' })
    .status === 0

describe('issue --out on a full disk', () => {
  it.skipIf(!canMount)('ERR_USAGE exit 2 saying what is committed and how to get the lines back', () => {
    const dir = folder()
    const small = join(dir, 'small')
    mkdirSync(small)
    // 200 certificates: ~130 KB of --out, twice what the disk holds
    writeFileSync(join(dir, 'b.csv'), vaccinationCsv({ to: 200 }))
    const r = spawnSync(
      'unshare',
      [
        '-rm',
        'sh',
        '-c',
        `mount -t tmpfs -o size=64k tmpfs "$1" && exec "$0" "$2" issue b.csv --key-dir "$3" --ledger l.sqlite --at 2021-12-21T00:00:00Z --out "$1/o.jsonl" --json`,
        process.execPath,
        small,
        BIN,
        KEYS_EXAMPLE,
      ],
      { cwd: dir, encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' } },
    )
    expect(r.status, r.stderr).toBe(2)
    const error = (JSON.parse(r.stdout) as { error: { code: string; message: string } }).error
    expect(error.code).toBe('ERR_USAGE')
    expect(error.message).toMatch(/cannot write .*o\.jsonl: no space left on the disk \(ENOSPC\)/)
    expect(error.message).toMatch(
      /committed to the ledger \(\d+ by this run\): run the same command again .* hcert export --batch b\.csv/,
    )
    expect(existsSync(join(dir, 'l.sqlite'))).toBe(true)
    expect(readdirSync(small)).toEqual([])
  })
})
