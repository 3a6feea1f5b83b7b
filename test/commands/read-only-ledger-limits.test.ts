/**
 * Commands that only read the ledger (stats, export, issue and renew --dry-run) under a file size limit
 * (`ulimit -f 1`: a tiny disk quota, where SQLite cannot make its shared-memory file beside a WAL
 * ledger), as real processes. With no -wal/-shm there before, they read the ledger without one and
 * leave the folder as they found it. With -wal/-shm already there (another process's, or a killed
 * one's), those are neither used past the limit nor removed: ERR_LEDGER worded for a read (no
 * "chunk", no "rerun"). Node ignores SIGXFSZ, so a write past the limit fails (EFBIG) instead of
 * killing the process: every run here ends with an exit code, not a signal.
 */
import { spawn, spawnSync } from 'node:child_process'
import { copyFileSync, mkdirSync, mkdtempSync, readdirSync, statSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { beforeAll, describe, expect, it } from 'vitest'
import { BIN, runCli } from '../helpers/cli.js'
import { KEYS_EXAMPLE } from '../helpers/keys.js'
import { vaccinationCsv } from '../helpers/records.js'

const tmp = mkdtempSync(join(tmpdir(), 'hcert-ro-limits-'))
const source = join(tmp, 'source.sqlite')
const records = join(tmp, 'records.csv')

beforeAll(() => {
  writeFileSync(records, vaccinationCsv({ to: 3 }))
  const r = runCli(['issue', records, '--key-dir', KEYS_EXAMPLE, '--ledger', source, '--at', '2021-06-15'])
  expect(r.code, r.stderr).toBe(0)
})

let folders = 0
/** a copy of the ledger in a folder of its own, as issue leaves it (WAL mode, no -wal/-shm) */
function ledgerCopy(): { dir: string; ledger: string } {
  const dir = join(tmp, `case-${++folders}`)
  mkdirSync(dir)
  const ledger = join(dir, 'ledger.sqlite')
  copyFileSync(source, ledger)
  return { dir, ledger }
}

/** hcert with a file size limit of one block (1 KB) */
function limited(args: string[]): {
  code: number | null
  signal: string | null
  stdout: string
  stderr: string
} {
  const r = spawnSync('bash', ['-c', 'ulimit -f 1; exec "$0" "$@"', process.execPath, BIN, ...args], {
    encoding: 'utf8',
    env: { ...process.env, NO_COLOR: '1', HCERT_LEDGER_TIMEOUT: '2000' },
  })
  return { code: r.status, signal: r.signal, stdout: r.stdout, stderr: r.stderr }
}

const besideLedger = (dir: string): string[] =>
  readdirSync(dir)
    .filter((f) => /-(wal|shm)$/.test(f))
    .sort()

describe('read-only commands under a file size limit (ulimit -f 1)', () => {
  for (const json of [false, true]) {
    const flag = json ? ['--json'] : []
    it(`stats${json ? ' --json' : ''} reads the ledger and leaves no -wal/-shm`, () => {
      const { dir, ledger } = ledgerCopy()
      const r = limited(['stats', '--ledger', ledger, ...flag])
      expect(r.signal).toBeNull()
      expect(r.code, r.stdout + r.stderr).toBe(0)
      if (json) expect(JSON.parse(r.stdout).totals.issued).toBe(3)
      else expect(r.stdout).toMatch(/issued 3 /)
      expect(r.stdout + r.stderr).not.toMatch(/rerun|chunk|ERR_/)
      expect(besideLedger(dir)).toEqual([])
    })

    it(`export --all${json ? ' --json' : ''} reads the ledger and leaves no -wal/-shm`, () => {
      const { dir, ledger } = ledgerCopy()
      const r = limited(['export', '--all', '--ledger', ledger, ...flag])
      expect(r.signal).toBeNull()
      expect(r.code, r.stdout + r.stderr).toBe(0)
      if (json) expect(JSON.parse(r.stdout).exported).toBe(3)
      else expect(r.stdout.trim().split('\n')).toHaveLength(3)
      expect(r.stdout + r.stderr).not.toMatch(/rerun|chunk|ERR_/)
      expect(besideLedger(dir)).toEqual([])
    })
  }

  it('issue --dry-run reads the ledger (all 3 already issued) and leaves no -wal/-shm', () => {
    const { dir, ledger } = ledgerCopy()
    const r = limited([
      'issue',
      records,
      '--dry-run',
      '--key-dir',
      KEYS_EXAMPLE,
      '--ledger',
      ledger,
      '--json',
    ])
    expect(r.signal).toBeNull()
    expect(r.code, r.stdout + r.stderr).toBe(0)
    expect(JSON.parse(r.stdout).dryRun).toBe(true)
    expect(besideLedger(dir)).toEqual([])
  })

  it('renew --dry-run reads the ledger (opened read only) and leaves no -wal/-shm', () => {
    const { dir, ledger } = ledgerCopy()
    const r = limited([
      'renew',
      '--dry-run',
      '--expired',
      '--at',
      '2040-01-01',
      '--key-dir',
      KEYS_EXAMPLE,
      '--ledger',
      ledger,
      '--json',
    ])
    expect(r.signal).toBeNull()
    expect(r.code, r.stdout + r.stderr).toBe(0)
    expect(JSON.parse(r.stdout).wouldRenew).toHaveLength(3)
    expect(besideLedger(dir)).toEqual([])
  })

  it('-wal/-shm already there and too small to use: ERR_LEDGER worded for a read, and both left as they were', () => {
    const { dir, ledger } = ledgerCopy()
    // as a process killed while opening the ledger leaves them: an empty log, a few bytes of index
    writeFileSync(`${ledger}-wal`, '')
    writeFileSync(`${ledger}-shm`, Buffer.alloc(3))
    for (const args of [
      ['stats', '--ledger', ledger, '--json'],
      ['export', '--all', '--ledger', ledger, '--json'],
    ]) {
      const r = limited(args)
      expect(r.signal).toBeNull()
      expect(r.code, r.stdout + r.stderr).toBe(2)
      const { error } = JSON.parse(r.stdout) as { error: { code: string; message: string } }
      expect(error.code).toBe('ERR_LEDGER')
      expect(error.message).not.toMatch(/rerun|chunk|commit/)
      expect(error.message).toMatch(/shared-memory file .*-shm/)
      expect(error.message).toMatch(/file size limit/)
      expect(error.message).toMatch(/nothing in it was changed/)
      expect(besideLedger(dir)).toEqual(['ledger.sqlite-shm', 'ledger.sqlite-wal'])
      expect(statSync(`${ledger}-shm`).size).toBe(3)
      expect(statSync(`${ledger}-wal`).size).toBe(0)
    }
  })

  it('another process has the ledger open: its -wal/-shm are used, and left there', async () => {
    const { dir, ledger } = ledgerCopy()
    const holder = spawn(
      process.execPath,
      [
        '-e',
        `const db = new (require('better-sqlite3'))(process.argv[1]); db.prepare('SELECT count(*) FROM certificates').get(); console.log('open'); setInterval(() => {}, 1000)`,
        ledger,
      ],
      { cwd: join(import.meta.dirname, '..', '..'), stdio: ['ignore', 'pipe', 'inherit'] },
    )
    try {
      await new Promise<void>((resolve, reject) => {
        holder.stdout.once('data', () => resolve())
        holder.once('exit', () => reject(new Error('the process holding the ledger ended')))
      })
      const r = limited(['stats', '--ledger', ledger, '--json'])
      expect(r.code, r.stdout + r.stderr).toBe(0)
      expect(JSON.parse(r.stdout).totals.issued).toBe(3)
      expect(besideLedger(dir)).toEqual(['ledger.sqlite-shm', 'ledger.sqlite-wal'])
    } finally {
      holder.kill()
    }
  })
})
