/**
 * Round 9, finding 2: a --json report larger than what the disk behind stdout takes (a file size
 * limit, `ulimit -f`, as a disk that fills mid-way) was cut off with exit 0 and no error. It is
 * ERR_USAGE `cannot write stdout: …`, exit 2, like a text report. Real processes in a child shell.
 */
import { spawnSync } from 'node:child_process'
import { mkdtempSync, statSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it, vi } from 'vitest'
import { BIN, runCli } from '../helpers/cli.js'
import { KEYS_EXAMPLE } from '../helpers/keys.js'
import { vaccinationCsv } from '../helpers/records.js'

vi.setConfig({ testTimeout: 180_000 })

/** `hcert <args> > <out>` in a shell whose file size limit is 8 KiB */
function limited(args: string[], out: string): { code: number | null; stderr: string } {
  const quoted = [process.execPath, BIN, ...args].map((a) => `'${a.replaceAll("'", "'\\''")}'`).join(' ')
  const result = spawnSync('sh', ['-c', `ulimit -f 16; exec ${quoted} > '${out}'`], { encoding: 'utf8' })
  return { code: result.status, stderr: result.stderr }
}

describe('a --json report cut off by a full disk behind stdout', () => {
  it('renew --dry-run --json and export --json: exit 2, cannot write stdout', () => {
    const dir = mkdtempSync(join(tmpdir(), 'hcert-json-short-'))
    const ledger = join(dir, 'l.sqlite')
    writeFileSync(join(dir, 'in.csv'), vaccinationCsv({ to: 200 }))
    const issued = runCli([
      'issue',
      join(dir, 'in.csv'),
      '--key-dir',
      KEYS_EXAMPLE,
      '--ledger',
      ledger,
      '--at',
      '2021-07-01T00:00:00Z',
    ])
    expect(issued.code, issued.stderr).toBe(0)

    const whole = runCli([
      'renew',
      '--expired',
      '--dry-run',
      '--key-dir',
      KEYS_EXAMPLE,
      '--ledger',
      ledger,
      '--json',
    ])
    expect(whole.code).toBe(0)
    expect(whole.stdout.length).toBeGreaterThan(16 * 1024 + 1)

    const out = join(dir, 'report.json')
    const renew = limited(
      ['renew', '--expired', '--dry-run', '--key-dir', KEYS_EXAMPLE, '--ledger', ledger, '--json'],
      out,
    )
    expect(renew.code, renew.stderr).toBe(2)
    expect(renew.stderr).toMatch(/cannot write stdout: .*\(EFBIG\)/)
    expect(statSync(out).size).toBeLessThan(whole.stdout.length)

    const exported = limited(['export', '--all', '--ledger', ledger, '--json'], join(dir, 'export.json'))
    expect(exported.code, exported.stderr).toBe(2)
    expect(exported.stderr).toMatch(/cannot write stdout: .*\(EFBIG\)/)
    expect(exported.stderr).not.toMatch(/Nguyen/)
  })
})
