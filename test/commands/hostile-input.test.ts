/**
 * Input that used to crash a command or mislead its user (issue 11, the tester's second round), run
 * as real processes: duplicate CSV columns, a giant cell or line, a 100,000-deep JSON value, a ledger
 * row damaged by hand, a missing input, a read-only ledger, a batch of one, reasons grouped in stats,
 * and a DSC rolled under an existing CSCA.
 */
import {
  chmodSync,
  copyFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  writeFileSync,
} from 'node:fs'
import { spawnSync } from 'node:child_process'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import Database from 'better-sqlite3'
import { describe, expect, it } from 'vitest'
import { BIN, runCli } from '../helpers/cli.js'
import { KEYS_EXAMPLE } from '../helpers/keys.js'

const tmp = mkdtempSync(join(tmpdir(), 'hcert-hostile-'))
const AT = '2021-07-01T00:00:00Z'
const base = (ledger: string): string[] => [
  '--key-dir',
  KEYS_EXAMPLE,
  '--ledger',
  join(tmp, ledger),
  '--at',
  AT,
]
const HEADER = 'id,type,fn,gn,dob,vaccine,dose,doses,date'
const row = (id: string, gn = 'An'): string => `${id},v,Le,${gn},1980-01-01,Comirnaty,1,2,2021-06-01`

function file(name: string, content: string | Buffer): string {
  const path = join(tmp, name)
  writeFileSync(path, content)
  return path
}

const errorOf = (stdout: string): { code: string; message: string } => JSON.parse(stdout).error

describe('issue input that is not a batch of records', () => {
  it('a CSV header naming a column twice is refused as ERR_INPUT (exit 3, as a semicolon-separated file), naming the column and its positions', () => {
    const input = file('dup.csv', `id,type,fn,gn,dob,vaccine,dose,doses,date,FN\n${row('R1')},Other\n`)
    const result = runCli(['issue', input, ...base('dup.sqlite'), '--json'])
    expect(result.code).toBe(3)
    expect(errorOf(result.stdout)).toEqual({
      code: 'ERR_INPUT',
      layer: 'input',
      message: expect.stringMatching(/the CSV header has the column "fn" 2 times \(columns 3, 10\)/),
    })
  })

  it('a giant CSV cell or JSON Lines line rejects that record only (field, line, "longer than"), in bounded memory and linear time', () => {
    const giant = 'x'.repeat(48 * 1024 * 1024)
    const csv = file('giant.csv', `${HEADER}\n${row('R1')}\n${row('R2', giant)}\n${row('R3')}\n`)
    const jsonl = file('giant.jsonl', `{"type":"v"}\n{"type":"v","fn":"${giant}"}\n{"type":"v"}\n`)
    for (const [input, line, field, records] of [
      [csv, 3, 'gn', 3],
      [jsonl, 2, 'record', 3],
    ] as const) {
      const started = performance.now()
      // 96 MB of heap: reading the 48 MB line whole (as UTF-16 text, then split) would not fit
      const result = spawnSync(
        process.execPath,
        ['--max-old-space-size=96', BIN, 'issue', input, ...base('giant.sqlite'), '--json', '--dry-run'],
        { encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' } },
      )
      expect(result.status, result.stderr).toBe(4)
      const report = JSON.parse(result.stdout)
      expect(report.records).toBe(records)
      expect(report.rejections).toContainEqual({
        index: 2,
        line,
        field,
        reason: expect.stringMatching(/longer than 65,536 characters/),
      })
      expect(result.stdout).not.toContain('xxxx')
      expect(performance.now() - started).toBeLessThan(60_000)
    }
  })

  it('a 100,000-deep JSON value is a rejection of that record (JSON Lines, JSON), never a crash', () => {
    const deep = `${'{"a":'.repeat(100_000)}1${'}'.repeat(100_000)}`
    const deepList = `{"type":"v","fn":${'['.repeat(100_000)}${']'.repeat(100_000)}}`
    const jsonl = file(
      'deep.jsonl',
      `${deep}\n${deepList}\n{"type":"v","fn":"Le","gn":"An","dob":"1980-01-01","vaccine":"Comirnaty","dose":1,"doses":2,"date":"2021-06-01"}\n`,
    )
    const big = runCli(['issue', jsonl, ...base('deep-big.sqlite'), '--json'])
    // the lines are 600 KB: over the line limit, each rejected as such; shorter ones reach the depth check
    expect(big.code).toBe(4)
    expect(JSON.parse(big.stdout)).toMatchObject({ issued: 1, rejected: 2 })
    expect(JSON.parse(big.stdout).rejections.map((r: { reason: string }) => r.reason)).toEqual([
      expect.stringMatching(/^is longer than 65,536 characters/),
      expect.stringMatching(/^is longer than 65,536 characters/),
    ])
    const nested = `${'['.repeat(20_000)}${']'.repeat(20_000)}`
    const shallowEnough = file(
      'deep2.jsonl',
      `{"type":"v","fn":${nested}}\n{"nam":{"fn":{"x":{"y":{"z":{"w":{"v":{"u":{"t":1}}}}}}}}}\n{"type":"v","fn":"Le","gn":"An","dob":"1980-01-01","vaccine":"Comirnaty","dose":1,"doses":2,"date":"2021-06-01"}\n`,
    )
    const result = runCli(['issue', shallowEnough, ...base('deep.sqlite'), '--json'])
    expect(result.code).toBe(4)
    const report = JSON.parse(result.stdout)
    expect(report).toMatchObject({ issued: 1, rejected: 2 })
    expect(report.rejections.map((r: { field: string; reason: string }) => [r.field, r.reason])).toEqual([
      ['record', expect.stringMatching(/^is nested more than 8 levels deep/)],
      ['record', expect.stringMatching(/^is nested more than 8 levels deep/)],
    ])
    const json = file('deep.json', `[${deep}]`)
    const whole = runCli(['issue', json, ...base('deep.sqlite'), '--json'])
    expect(whole.code).toBe(4)
    expect(JSON.parse(whole.stdout).rejections[0]).toMatchObject({
      field: 'record',
      reason: expect.stringMatching(/nested/),
    })
  })

  it('a missing input file creates nothing (no ledger): ERR_INPUT, exit 3', () => {
    const ledger = join(tmp, 'never', 'ledger.sqlite')
    const result = runCli([
      'issue',
      join(tmp, 'nosuch.csv'),
      '--key-dir',
      KEYS_EXAMPLE,
      '--ledger',
      ledger,
      '--json',
    ])
    expect(result.code).toBe(3)
    expect(errorOf(result.stdout).code).toBe('ERR_INPUT')
    expect(existsSync(ledger)).toBe(false)
    expect(existsSync(join(tmp, 'never'))).toBe(false)
  })
})

describe('output lines', () => {
  it('a batch of one prints the same JSON Lines line as a batch of many, with its id; one JSON object prints HC1', () => {
    const one = runCli(['issue', file('one.csv', `${HEADER}\n${row('R1')}\n`), ...base('one.sqlite')])
    expect(one.code).toBe(0)
    const lines = one.stdout.trim().split('\n')
    expect(lines).toHaveLength(1)
    expect(Object.keys(JSON.parse(lines[0] as string))).toEqual([
      'line',
      'id',
      'uvci',
      'type',
      'iat',
      'exp',
      'hc1',
    ])
    expect(JSON.parse(lines[0] as string).id).toBe('R1')
    const list = runCli([
      'issue',
      file(
        'one-list.json',
        `[{"id":"R2","type":"v","fn":"Le","gn":"Binh","dob":"1980-01-01","vaccine":"Comirnaty","dose":1,"doses":2,"date":"2021-06-01"}]`,
      ),
      ...base('one.sqlite'),
    ])
    expect(JSON.parse(list.stdout.trim()).id).toBe('R2')
    const object = runCli([
      'issue',
      file(
        'one-object.json',
        `{"id":"R3","type":"v","fn":"Le","gn":"Chi","dob":"1980-01-01","vaccine":"Comirnaty","dose":1,"doses":2,"date":"2021-06-01"}`,
      ),
      ...base('one.sqlite'),
    ])
    expect(object.stdout.trim()).toMatch(/^HC1:/)
  })
})

describe('the ledger, damaged or read only', () => {
  it('renew refuses a row whose payload was damaged by hand with ERR_LEDGER naming the row, and renews the others', () => {
    const ledger = 'damaged.sqlite'
    const input = file('damaged.csv', `${HEADER}\n${row('R1')}\n${row('R2', 'Binh')}\n${row('R3', 'Chi')}\n`)
    expect(runCli(['issue', input, ...base(ledger), '--out', join(tmp, 'damaged.jsonl')]).code).toBe(0)
    const db = new Database(join(tmp, ledger))
    db.prepare(`UPDATE certificates SET payload = '{"nam": {"fn": "Le"' WHERE id = 2`).run()
    db.prepare(`UPDATE certificates SET payload = '[]' WHERE id = 3`).run()
    db.close()
    const result = runCli([
      'renew',
      '--expired',
      '--key-dir',
      KEYS_EXAMPLE,
      '--ledger',
      join(tmp, ledger),
      '--at',
      '2022-07-02T00:00:00Z',
      '--json',
    ])
    expect(result.code).toBe(4)
    const report = JSON.parse(result.stdout)
    expect(report.renewed).toBe(1)
    expect(report.refused).toEqual([
      expect.objectContaining({
        code: 'ERR_LEDGER',
        reason: expect.stringMatching(/^the certificate in row 2 has a damaged stored payload/),
      }),
      expect.objectContaining({
        code: 'ERR_LEDGER',
        reason: expect.stringMatching(/^the certificate in row 3 has a damaged stored payload/),
      }),
    ])
    expect(result.stdout).not.toContain('"Le"')
  })

  it('stats and export read a ledger the user may only read; in a folder they cannot write, ERR_LEDGER says what to do', () => {
    const folder = join(tmp, 'readonly')
    mkdirSync(folder)
    const ledger = join(folder, 'ledger.sqlite')
    const input = file('ro.csv', `${HEADER}\n${row('R1')}\n`)
    expect(
      runCli([
        'issue',
        input,
        '--key-dir',
        KEYS_EXAMPLE,
        '--ledger',
        ledger,
        '--at',
        AT,
        '--out',
        join(tmp, 'ro.jsonl'),
      ]).code,
    ).toBe(0)
    chmodSync(ledger, 0o444)
    chmodSync(folder, 0o777)
    chmodSync(tmp, 0o755)
    // as a user who may not write the ledger (root may write anything: run as nobody then)
    const asReader = (args: string[]) => {
      const root = process.getuid?.() === 0
      const result = spawnSync(
        root ? 'setpriv' : process.execPath,
        root
          ? ['--reuid=65534', '--regid=65534', '--clear-groups', process.execPath, BIN, ...args]
          : [BIN, ...args],
        { encoding: 'utf8', env: { ...process.env, NO_COLOR: '1', HOME: folder } },
      )
      return { code: result.status, stdout: result.stdout, stderr: result.stderr }
    }
    const stats = asReader(['stats', '--ledger', ledger, '--json'])
    expect(stats.stderr).toBe('')
    expect(stats.code).toBe(0)
    expect(JSON.parse(stats.stdout).totals.issued).toBe(1)
    const exported = asReader(['export', '--all', '--ledger', ledger, '--json'])
    expect(exported.code).toBe(0)
    expect(JSON.parse(exported.stdout).exported).toBe(1)
    // a folder the reader cannot write, without the -shm file SQLite needs for a WAL ledger: read
    // into memory (ledger-file.ts), nothing left beside it
    const closed = join(tmp, 'closed')
    mkdirSync(closed)
    copyFileSync(ledger, join(closed, 'ledger.sqlite'))
    chmodSync(closed, 0o555)
    const read = asReader(['stats', '--ledger', join(closed, 'ledger.sqlite'), '--json'])
    expect(read.stderr).toBe('')
    expect(read.code).toBe(0)
    expect(JSON.parse(read.stdout).totals.issued).toBe(1)
    expect(readdirSync(closed)).toEqual(['ledger.sqlite'])
  })
})

describe('hcert stats', () => {
  it('groups rejection reasons by kind: one line for every id reused, not one per id', () => {
    const ledger = 'grouped.sqlite'
    const first = file('g1.csv', `${HEADER}\n${row('R1')}\n${row('R2', 'Binh')}\n${row('R3', 'Chi')}\n`)
    expect(runCli(['issue', first, ...base(ledger), '--out', join(tmp, 'g1.jsonl')]).code).toBe(0)
    const second = file(
      'g2.csv',
      `${HEADER}\n${row('R1', 'Dung')}\n${row('R2', 'Em')}\n${row('R3', 'Giang')}\n`,
    )
    expect(runCli(['issue', second, ...base(ledger), '--out', join(tmp, 'g2.jsonl')]).code).toBe(4)
    const stats = runCli(['stats', '--ledger', join(tmp, ledger), '--json'])
    const top = JSON.parse(stats.stdout).topRejections
    expect(top).toEqual([
      {
        field: 'id',
        // Dung, Em, Giang are not typo fixes of An, Binh, Chi: another person each (holder-match.ts)
        reason: expect.stringMatching(/^the id \(column id\) seems to belong to another person/),
        count: 3,
      },
    ])
  })
})

describe('hcert keys generate --csca', () => {
  it('a DSC rolled under an existing CSCA takes its country and organisation unless given', () => {
    const out = join(tmp, 'keys-th')
    expect(
      runCli(['keys', 'generate', '--out', out, '--country', 'TH', '--org', 'กรมควบคุมโรค, Bangkok', '--json'])
        .code,
    ).toBe(0)
    const rolled = runCli(['keys', 'generate', '--csca', out, '--out', join(tmp, 'keys-th-2'), '--json'])
    expect(rolled.code).toBe(0)
    const dsc = JSON.parse(rolled.stdout).dsc
    expect(dsc.country).toBe('TH')
    expect(dsc.subject).toContain('กรมควบคุมโรค')
    const given = runCli([
      'keys',
      'generate',
      '--csca',
      out,
      '--out',
      join(tmp, 'keys-th-3'),
      '--org',
      'Other',
      '--json',
    ])
    expect(JSON.parse(given.stdout).dsc.subject).toMatch(/O=Other/)
  })
})
