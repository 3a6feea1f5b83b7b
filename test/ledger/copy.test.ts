/**
 * `hcert ledger copy <sqlite> postgres://…`: the same figures (`stats --json`) and the same
 * certificates (`export --all`) from both, idempotent when run again, never printing the
 * password, and refusing a server ledger that holds other certificates.
 */
import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { runCli } from '../helpers/cli.js'
import { KEYS_EXAMPLE } from '../helpers/keys.js'
import { freshPgUrl, PG_AVAILABLE, requirePgInCi } from '../helpers/pg.js'
import { letters } from '../helpers/records.js'

requirePgInCi()
const tmp = mkdtempSync(join(tmpdir(), 'hcert-copy-'))

function records(name: string, from: number, to: number, extra: string[] = []): string {
  const rows = ['id,type,fn,gn,dob,vaccine,dose,doses,date']
  for (let i = from; i <= to; i++)
    rows.push(
      `C${i},v,Tran,Thi ${letters(i)},1975-0${1 + (i % 9)}-1${i % 10},Comirnaty,${1 + (i % 2)},2,2021-06-0${1 + (i % 9)}`,
    )
  const file = join(tmp, name)
  writeFileSync(file, `${[...rows, ...extra].join('\n')}\n`)
  return file
}

/** stats --json without its timing: the figures */
const figures = (stdout: string): unknown => {
  const { seconds: _seconds, ...rest } = JSON.parse(stdout) as Record<string, unknown>
  return rest
}

const ok = (args: string[]) => {
  const result = runCli(args)
  expect(result.code === 0 || result.code === 4, result.stdout + result.stderr).toBe(true)
  return result
}

describe.skipIf(!PG_AVAILABLE)('ledger copy', () => {
  it('gives identical stats --json and export --all, adds nothing when run again, and never prints the password', () => {
    const sqlite = join(tmp, 'office.sqlite')
    const keys = ['--key-dir', KEYS_EXAMPLE, '--ledger', sqlite]
    ok([
      'issue',
      records('june.csv', 1, 1200, ['BAD,v,Tran,X,not-a-date,Comirnaty,1,2,2021-06-01']),
      ...keys,
      '--at',
      '2021-06-10T08:00:00Z',
      '--json',
    ])
    ok(['issue', records('july.csv', 1201, 1300), ...keys, '--at', '2021-07-03T23:30:00Z', '--json'])
    const renewed = JSON.parse(
      ok(['renew', '--expired', ...keys, '--at', '2022-06-12T00:00:00Z', '--batch', 'june.csv', '--json'])
        .stdout,
    ).renewed as number
    expect(renewed).toBeGreaterThan(0)
    const url = freshPgUrl('copy')
    const first = runCli(['ledger', 'copy', sqlite, url, '--json'])
    expect(first.code, first.stdout).toBe(0)
    const report = JSON.parse(first.stdout)
    expect(report.certificates).toEqual({ copied: 1300 + renewed, alreadyThere: 0 })
    expect(report.rejections.copied).toBeGreaterThan(0)
    expect(first.stdout).not.toContain(':hcert@')
    for (const at of ['2022-06-20T00:00:00Z', '2021-08-01T00:00:00Z'])
      for (const by of ['day', 'week', 'month']) {
        const args = ['stats', '--at', at, '--by', by, '--json']
        const a = runCli([...args, '--ledger', sqlite])
        const b = runCli([...args, '--ledger', url])
        expect(b.code).toBe(0)
        expect(figures(b.stdout)).toEqual(figures(a.stdout))
      }
    const narrow = ['stats', '--since', '2021-06-10T09:00:00Z', '--until', '2021-07-04', '--json']
    expect(figures(runCli([...narrow, '--ledger', url]).stdout)).toEqual(
      figures(runCli([...narrow, '--ledger', sqlite]).stdout),
    )
    const exported = (ledger: string) => runCli(['export', '--all', '--ledger', ledger]).stdout
    expect(exported(url)).toEqual(exported(sqlite))
    const again = runCli(['ledger', 'copy', sqlite, url, '--json'])
    expect(JSON.parse(again.stdout).certificates).toEqual({ copied: 0, alreadyThere: 1300 + renewed })
    expect(
      figures(runCli(['stats', '--at', '2022-06-20T00:00:00Z', '--json', '--ledger', url]).stdout),
    ).toEqual(figures(runCli(['stats', '--at', '2022-06-20T00:00:00Z', '--json', '--ledger', sqlite]).stdout))
    // issuing into the copy goes on after the copied ids
    const more = runCli([
      'issue',
      records('aug.csv', 1301, 1310),
      '--key-dir',
      KEYS_EXAMPLE,
      '--ledger',
      url,
      '--at',
      '2021-08-02T00:00:00Z',
      '--json',
    ])
    expect(JSON.parse(more.stdout)).toMatchObject({ issued: 10 })
  }, 600_000)

  it('run again after a renew on the SQLite ledger: the originals copied before are superseded on the server too', () => {
    const sqlite = join(tmp, 'renewed.sqlite')
    const keys = ['--key-dir', KEYS_EXAMPLE, '--ledger', sqlite]
    ok(['issue', records('few.csv', 1, 4), ...keys, '--at', '2021-06-10T08:00:00Z', '--json'])
    const url = freshPgUrl('recopy')
    expect(runCli(['ledger', 'copy', sqlite, url, '--json']).code).toBe(0)
    const renewed = JSON.parse(
      ok(['renew', '--expired', ...keys, '--at', '2022-06-12T00:00:00Z', '--json']).stdout,
    ).renewed as number
    expect(renewed).toBe(4)
    const again = runCli(['ledger', 'copy', sqlite, url, '--json'])
    expect(again.code, again.stdout).toBe(0)
    expect(JSON.parse(again.stdout).certificates).toEqual({ copied: 4, alreadyThere: 4 })
    const stats = (ledger: string) =>
      figures(runCli(['stats', '--at', '2022-06-20T00:00:00Z', '--json', '--ledger', ledger]).stdout)
    expect(stats(url)).toEqual(stats(sqlite))
    const current = (ledger: string) => runCli(['export', '--all', '--current', '--ledger', ledger]).stdout
    expect(current(url).trim().split('\n')).toHaveLength(4)
    expect(current(url)).toEqual(current(sqlite))
    expect(runCli(['export', '--all', '--ledger', url]).stdout).toEqual(
      runCli(['export', '--all', '--ledger', sqlite]).stdout,
    )
  }, 300_000)

  it('into a server ledger that holds other certificates: ERR_LEDGER, nothing written', () => {
    const sqlite = join(tmp, 'other.sqlite')
    ok([
      'issue',
      records('other.csv', 1, 5),
      '--key-dir',
      KEYS_EXAMPLE,
      '--ledger',
      sqlite,
      '--at',
      '2021-06-10T08:00:00Z',
      '--json',
    ])
    const url = freshPgUrl('busy')
    ok([
      'issue',
      records('busy.csv', 101, 105),
      '--key-dir',
      KEYS_EXAMPLE,
      '--ledger',
      url,
      '--at',
      '2021-06-10T08:00:00Z',
      '--json',
    ])
    const result = runCli(['ledger', 'copy', sqlite, url, '--json'])
    expect(result.code).toBe(2)
    expect(JSON.parse(result.stdout).error).toMatchObject({
      code: 'ERR_LEDGER',
      message: expect.stringMatching(
        /already holds other certificates.*internal row number.*copied into an empty database.*issue into the PostgreSQL ledger from the start/,
      ),
    })
    expect(JSON.parse(runCli(['stats', '--json', '--ledger', url]).stdout).totals.issued).toBe(5)
  }, 120_000)

  it('arguments the wrong way round are a usage error', () => {
    const result = runCli(['ledger', 'copy', 'postgres://x@localhost/db', join(tmp, 'x.sqlite'), '--json'])
    expect(result.code).toBe(2)
    expect(JSON.parse(result.stdout).error.code).toBe('ERR_USAGE')
  })
})
