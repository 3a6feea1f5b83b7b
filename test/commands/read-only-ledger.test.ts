/**
 * stats and export only read the ledger: through a symbolic link, on a file the user may only read
 * (mode 0444), or in a folder that cannot be written, they read it and leave nothing beside it (no
 * -wal or -shm file); a ledger they may not read at all is ERR_LEDGER saying what to do. Root may
 * write anywhere: the permission cases run the command as nobody (uid 65534) when run as root.
 * Also: an empty --id, --uvci or --batch given to export is a usage error, not "missing".
 */
import { spawnSync } from 'node:child_process'
import {
  chmodSync,
  chownSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { BIN, runCli } from '../helpers/cli.js'
import { KEYS_EXAMPLE } from '../helpers/keys.js'

const tmp = mkdtempSync(join(tmpdir(), 'hcert-ro-ledger-'))
chmodSync(tmp, 0o755)
const asRoot = process.getuid?.() === 0
afterAll(() => chmodSync(tmp, 0o755))

/** a fresh ledger of two certificates in a folder of its own (as issue leaves it: WAL mode, no -wal/-shm) */
function ledgerIn(name: string): { dir: string; ledger: string } {
  const dir = join(tmp, name)
  mkdirSync(dir, { mode: 0o755 })
  const input = join(dir, 'records.csv')
  writeFileSync(
    input,
    'id,type,fn,gn,dob,vaccine,dose,doses,date\n1,v,Tran,An,1980-01-01,Comirnaty,1,2,2021-06-01\n2,v,Le,Binh,1990-02-02,Comirnaty,1,2,2021-06-01\n',
  )
  const ledger = join(dir, 'ledger.sqlite')
  const r = runCli(['issue', input, '--key-dir', KEYS_EXAMPLE, '--ledger', ledger, '--at', '2021-06-15'])
  expect(r.code, r.stderr).toBe(0)
  return { dir, ledger }
}

/** the CLI as an unprivileged user (nobody when the tests run as root) */
function runAsUser(args: string[], home: string): { code: number; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [BIN, ...args], {
    encoding: 'utf8',
    env: { ...process.env, NO_COLOR: '1', HOME: home, XDG_DATA_HOME: home },
    ...(asRoot ? { uid: 65534, gid: 65534 } : {}),
  })
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr }
}

const besideLedger = (dir: string): string[] => readdirSync(dir).filter((f) => /-(wal|shm)$/.test(f))

describe('read-only commands leave nothing beside the ledger', () => {
  it('through a symbolic link: stats and export read the ledger it points to, and leave no -wal/-shm there', () => {
    const { dir, ledger } = ledgerIn('link')
    const link = join(tmp, 'link.sqlite')
    symlinkSync(ledger, link)
    const stats = runCli(['stats', '--ledger', link, '--json'])
    expect(stats.code, stats.stderr).toBe(0)
    expect(JSON.parse(stats.stdout).totals.issued).toBe(2)
    const exported = runCli(['export', '--all', '--ledger', link, '--json'])
    expect(exported.code, exported.stderr).toBe(0)
    expect(JSON.parse(exported.stdout).exported).toBe(2)
    expect(besideLedger(dir)).toEqual([])
    expect(besideLedger(tmp)).toEqual([])
  })

  it('a ledger file of mode 0444 (in a folder the user may write): read, nothing left beside it', () => {
    const { dir, ledger } = ledgerIn('mode444')
    chmodSync(ledger, 0o444)
    if (asRoot) for (const f of [dir, ledger]) chownSync(f, 65534, 65534)
    const stats = runAsUser(['stats', '--ledger', ledger, '--json'], dir)
    expect(stats.code, stats.stdout + stats.stderr).toBe(0)
    expect(JSON.parse(stats.stdout).totals.issued).toBe(2)
    const exported = runAsUser(['export', '--all', '--ledger', ledger, '--json'], dir)
    expect(exported.code, exported.stdout).toBe(0)
    expect(JSON.parse(exported.stdout).exported).toBe(2)
    expect(besideLedger(dir)).toEqual([])
  })

  it('a ledger in a folder the user may not write: read, not "needs the -shm file"', () => {
    const { dir, ledger } = ledgerIn('rofolder')
    // the file is the user's own (mode 0600, as issue makes it); the folder is not theirs to write
    if (asRoot) chownSync(ledger, 65534, 65534)
    chmodSync(dir, 0o555)
    const home = mkdtempSync(join(tmp, 'home-'))
    if (asRoot) chownSync(home, 65534, 65534)
    const stats = runAsUser(['stats', '--ledger', ledger, '--json'], home)
    expect(stats.code, stats.stdout + stats.stderr).toBe(0)
    expect(JSON.parse(stats.stdout).totals.issued).toBe(2)
    const exported = runAsUser(['export', '--id', '1', '--ledger', ledger, '--json'], home)
    expect(exported.code, exported.stdout).toBe(0)
    expect(JSON.parse(exported.stdout).exported).toBe(1)
    expect(besideLedger(dir)).toEqual([])
  })

  it('a ledger the user may not read: ERR_LEDGER saying so and what to do (exit 2)', () => {
    const { dir, ledger } = ledgerIn('unreadable')
    chmodSync(ledger, 0o000)
    const home = mkdtempSync(join(tmp, 'home-'))
    if (asRoot) chownSync(home, 65534, 65534)
    for (const args of [
      ['stats', '--ledger', ledger, '--json'],
      ['export', '--all', '--ledger', ledger, '--json'],
    ]) {
      const r = runAsUser(args, home)
      expect(r.code, r.stdout + r.stderr).toBe(2)
      const error = JSON.parse(r.stdout).error
      expect(error.code).toBe('ERR_LEDGER')
      expect(error.message).toMatch(/cannot be read .*read permission/)
      expect(error.message).not.toMatch(/for writing/)
    }
    expect(besideLedger(dir)).toEqual([])
  })
})

describe('export: an empty selection value is a usage error', () => {
  it.each([
    ['--id', ''],
    ['--id', '  '],
    ['--uvci', ''],
    ['--batch', ''],
  ])('export %s %j: ERR_USAGE (exit 2), not a "missing" exit 4', (flag, value) => {
    const { ledger } = ledgerIn(`empty${flag}${value.length}`)
    const r = runCli(['export', flag, value, '--ledger', ledger, '--json'])
    expect(r.code, r.stdout).toBe(2)
    expect(JSON.parse(r.stdout).error).toMatchObject({
      code: 'ERR_USAGE',
      message: expect.stringMatching(new RegExp(`^${flag} is empty`)),
    })
  })
})
