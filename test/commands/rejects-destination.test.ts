/**
 * Issue 11, "nothing lost" for the files hcert writes (tester findings 2 and 10): no output replaces
 * a database, a key or a certificate it did not write; --rejects replaces only a rejects file hcert
 * wrote, and names the input's own format. Through the built CLI, as a user runs it.
 */
import { execFileSync } from 'node:child_process'
import { cpSync, existsSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it, vi } from 'vitest'
import { runCli } from '../helpers/cli.js'
import { KEYS_EXAMPLE } from '../helpers/keys.js'
import { vaccinationCsv } from '../helpers/records.js'
import { freshFolders } from '../helpers/folders.js'

vi.setConfig({ testTimeout: 180_000 })

/** a fresh folder per test */
const folder = freshFolders('hcert-rejects-dest-')
const AT = '2021-12-21T00:00:00Z'
const issue = (dir: string, input: string, ...more: string[]): ReturnType<typeof runCli> =>
  runCli([
    'issue',
    input,
    '--key-dir',
    KEYS_EXAMPLE,
    '--ledger',
    join(dir, 'ledger.sqlite'),
    '--at',
    AT,
    ...more,
  ])
const errorOf = (stdout: string): { code: string; message: string } =>
  (JSON.parse(stdout) as { error: { code: string; message: string } }).error

describe('an output flag never replaces a file hcert did not write', () => {
  it('--rejects or --out at another ledger, a PEM or DER key, or (--rejects) a site list: ERR_USAGE naming the flag and what the file is, the file intact, nothing issued', () => {
    const dir = folder()
    const input = join(dir, 'batch.csv')
    writeFileSync(input, vaccinationCsv({ to: 3, bad: (i) => i === 2 }))
    // a real ledger of another batch
    const other = join(dir, 'other.sqlite')
    const otherInput = join(dir, 'other.csv')
    writeFileSync(otherInput, vaccinationCsv({ to: 1, prefix: 'O' }))
    expect(runCli(['issue', otherInput, '--key-dir', KEYS_EXAMPLE, '--ledger', other, '--at', AT]).code).toBe(
      0,
    )
    const keys = join(dir, 'keys')
    cpSync(KEYS_EXAMPLE, keys, { recursive: true })
    const der = join(dir, 'dsc.der')
    execFileSync('openssl', ['x509', '-in', join(keys, 'dsc.crt.pem'), '-outform', 'DER', '-out', der])
    const list = join(dir, 'mylist.csv')
    writeFileSync(list, vaccinationCsv({ to: 2, prefix: 'L' }))
    const cases: Array<[string, string, RegExp]> = [
      ['--rejects', other, /--rejects .*other\.sqlite is an SQLite database/],
      ['--out', other, /--out .*other\.sqlite is an SQLite database/],
      ['--rejects', join(keys, 'dsc.key.pem'), /--rejects .*dsc\.key\.pem is a PEM file/],
      ['--out', join(keys, 'csca.key.pem'), /--out .*csca\.key\.pem is a PEM file/],
      ['--rejects', der, /--rejects .*dsc\.der is a DER file/],
      ['--rejects', list, /--rejects .*mylist\.csv is not a rejects file hcert wrote/],
    ]
    for (const [flag, path, pattern] of cases) {
      const before = readFileSync(path)
      const result = issue(dir, input, flag, path, '--json')
      expect(result.code, `${flag} ${path}`).toBe(2)
      expect(errorOf(result.stdout)).toMatchObject({ code: 'ERR_USAGE' })
      expect(errorOf(result.stdout).message).toMatch(pattern)
      expect(readFileSync(path).equals(before), path).toBe(true)
    }
    // refused before anything was read or signed: no ledger was even created
    expect(existsSync(join(dir, 'ledger.sqlite'))).toBe(false)
  })

  it('renew --out and export --out at another ledger or a key: ERR_USAGE, the file intact', () => {
    const dir = folder()
    const input = join(dir, 'batch.csv')
    writeFileSync(input, vaccinationCsv({ to: 1 }))
    expect(issue(dir, input).code).toBe(0)
    const other = join(dir, 'other.sqlite')
    const otherInput = join(dir, 'other.csv')
    writeFileSync(otherInput, vaccinationCsv({ to: 1, prefix: 'O' }))
    expect(runCli(['issue', otherInput, '--key-dir', KEYS_EXAMPLE, '--ledger', other, '--at', AT]).code).toBe(
      0,
    )
    const before = readFileSync(other)
    const key = join(dir, 'dsc.key.pem')
    cpSync(join(KEYS_EXAMPLE, 'dsc.key.pem'), key)
    const keyBefore = readFileSync(key)
    const ledger = join(dir, 'ledger.sqlite')
    const renewArgs = [
      'renew',
      '--expired',
      '--key-dir',
      KEYS_EXAMPLE,
      '--ledger',
      ledger,
      '--at',
      '2023-01-01T00:00:00Z',
    ]
    for (const args of [
      [...renewArgs, '--out', other],
      [...renewArgs, '--out', key],
      ['export', '--ledger', ledger, '--batch', 'batch.csv', '--out', other],
      ['export', '--ledger', ledger, '--batch', 'batch.csv', '--out', key],
    ]) {
      const result = runCli([...args, '--json'])
      expect(result.code, args.join(' ')).toBe(2)
      expect(errorOf(result.stdout).message).toMatch(/--out .* is (an SQLite database|a PEM file)/)
    }
    expect(readFileSync(other).equals(before)).toBe(true)
    expect(readFileSync(key).equals(keyBefore)).toBe(true)
  })

  it('a clean run leaves a site list alone (refused), and replaces or removes only a rejects file hcert wrote (CSV, JSON Lines, empty)', () => {
    const dir = folder()
    const bad = join(dir, 'bad.csv')
    writeFileSync(bad, vaccinationCsv({ to: 2, bad: (i) => i === 2 }))
    const rejects = join(dir, 'r.csv')
    expect(issue(dir, bad, '--rejects', rejects).code).toBe(4)
    expect(readFileSync(rejects, 'utf8')).toMatch(/,reason\n/)
    // an hcert rejects file is replaced by the next run's
    expect(issue(dir, bad, '--rejects', rejects).code).toBe(4)
    // an empty file may be written
    const empty = join(dir, 'empty.csv')
    writeFileSync(empty, '')
    expect(issue(dir, bad, '--rejects', empty).code).toBe(4)
    expect(readFileSync(empty, 'utf8')).toMatch(/reason/)
    // JSON Lines rejects of hcert's are recognised too
    const jsonl = join(dir, 'b.jsonl')
    writeFileSync(
      jsonl,
      '{"id":"J1","type":"v","fn":"A","gn":"B","dob":"1980-01-01","vaccine":"Comirnaty","dose":5,"doses":2,"date":"2021-06-01"}\n',
    )
    const jsonlRejects = join(dir, 'rj.jsonl')
    expect(issue(dir, jsonl, '--rejects', jsonlRejects).code).toBe(4)
    expect(issue(dir, jsonl, '--rejects', jsonlRejects).code).toBe(4)
    const foreign = join(dir, 'notes.jsonl')
    writeFileSync(foreign, '{"note":"mine"}\n')
    const result = issue(dir, jsonl, '--rejects', foreign, '--json')
    expect(result.code).toBe(2)
    expect(errorOf(result.stdout).message).toMatch(/is not a rejects file hcert wrote/)
    expect(readFileSync(foreign, 'utf8')).toBe('{"note":"mine"}\n')
  })
})

describe('an output replaces only a file hcert wrote of its kind, or an empty one', () => {
  it("--out at a trust list, another batch's input, a JSON record, HC1 text, a rejects file or notes: ERR_USAGE saying what the file is, the file intact; another --out file and an empty one are replaced", () => {
    const dir = folder()
    const input = join(dir, 'batch.csv')
    writeFileSync(input, vaccinationCsv({ to: 2 }))
    const keys = join(dir, 'keys')
    cpSync(KEYS_EXAMPLE, keys, { recursive: true })
    const otherInput = join(dir, 'other.csv')
    writeFileSync(otherInput, vaccinationCsv({ to: 2, prefix: 'O' }))
    const record = join(dir, 'record.json')
    writeFileSync(record, readFileSync(join('examples', 'vaccination.json')))
    const hc1 = join(dir, 'codes.txt')
    writeFileSync(hc1, 'HC1:6BFOXN%TS3DH0YOJ58S S-W5HDC *M0II5XHC9B5G2+$N\n')
    const rejects = join(dir, 'r.csv')
    writeFileSync(rejects, 'id,fn,reason\n1,X,fn: is wrong\n')
    const notes = join(dir, 'notes.txt')
    writeFileSync(notes, 'remember the batch of Monday\n')
    const cases: Array<[string, RegExp]> = [
      [
        join(keys, 'trust-list.json'),
        /is not a file of certificates hcert wrote: it is a trust list \(JSON\)/,
      ],
      [otherInput, /is not a file of certificates hcert wrote: it is a CSV file \(a batch's input\?\)/],
      [record, /it is a JSON file/],
      [hc1, /it is a file of HC1 certificates/],
      [rejects, /it is a rejects file hcert wrote/],
      [notes, /it is a file hcert did not write/],
    ]
    for (const [path, pattern] of cases) {
      const before = readFileSync(path)
      const result = issue(dir, input, '--out', path, '--json')
      expect(result.code, path).toBe(2)
      expect(errorOf(result.stdout), path).toMatchObject({ code: 'ERR_USAGE' })
      expect(errorOf(result.stdout).message, path).toMatch(pattern)
      expect(errorOf(result.stdout).message).not.toContain('Monday')
      expect(readFileSync(path).equals(before), path).toBe(true)
    }
    expect(existsSync(join(dir, 'ledger.sqlite'))).toBe(false)
    // hcert's own --out is replaced (the same run again), and so is an empty file
    const out = join(dir, 'issued.jsonl')
    expect(issue(dir, input, '--out', out).code).toBe(0)
    expect(issue(dir, input, '--out', out).code).toBe(0)
    const empty = join(dir, 'empty.jsonl')
    writeFileSync(empty, '')
    expect(issue(dir, input, '--out', empty).code).toBe(0)
    expect(readFileSync(empty, 'utf8')).toBe(readFileSync(out, 'utf8'))
    // --rejects at an --out file: refused too
    const result = issue(dir, input, '--rejects', out, '--json')
    expect(result.code).toBe(2)
    expect(errorOf(result.stdout).message).toMatch(
      /is not a rejects file hcert wrote: it is a JSON Lines file of certificates/,
    )
    // renew --out and export --out share the guard
    const trust = join(keys, 'trust-list.json')
    const trustBefore = readFileSync(trust)
    for (const args of [
      [
        'renew',
        '--expired',
        '--key-dir',
        KEYS_EXAMPLE,
        '--ledger',
        join(dir, 'ledger.sqlite'),
        '--at',
        '2023-01-01T00:00:00Z',
        '--out',
        trust,
      ],
      ['export', '--ledger', join(dir, 'ledger.sqlite'), '--all', '--out', trust],
      ['export', '--ledger', join(dir, 'ledger.sqlite'), '--all', '--out', otherInput],
    ]) {
      const refused = runCli([...args, '--json'])
      expect(refused.code, args.join(' ')).toBe(2)
      expect(errorOf(refused.stdout).message).toMatch(/--out .* is not a file of certificates hcert wrote/)
    }
    expect(readFileSync(trust).equals(trustBefore)).toBe(true)
    expect(runCli(['export', '--ledger', join(dir, 'ledger.sqlite'), '--all', '--out', out]).code).toBe(0)
  })
})

describe('--rejects names the input format', () => {
  it('--rejects r.jsonl for a CSV input (or .csv for JSON Lines, .json for .jsonl): ERR_USAGE before anything is read; no extension follows the input', () => {
    const dir = folder()
    const input = join(dir, 'batch.csv')
    writeFileSync(input, vaccinationCsv({ to: 2, bad: (i) => i === 2 }))
    const jsonl = join(dir, 'batch.jsonl')
    writeFileSync(
      jsonl,
      '{"id":"J1","type":"v","fn":"A","gn":"B","dob":"1980-01-01","vaccine":"Comirnaty","dose":5,"doses":2,"date":"2021-06-01"}\n',
    )
    for (const [source, target] of [
      [input, 'r.jsonl'],
      [input, 'r.json'],
      [jsonl, 'r.csv'],
      [jsonl, 'r.json'],
    ] as const) {
      const result = issue(dir, source, '--rejects', join(dir, target), '--json')
      expect(result.code, target).toBe(2)
      expect(errorOf(result.stdout).message).toMatch(
        /--rejects .* names \.\w+ but the input is \.(csv|jsonl)/,
      )
      expect(existsSync(join(dir, target))).toBe(false)
    }
    expect(existsSync(join(dir, 'ledger.sqlite'))).toBe(false)
    // stdin of CSV with --rejects r.csv: the rejects file is CSV, as its name says
    const text = readFileSync(input, 'utf8')
    const stdinRejects = join(dir, 'stdin.csv')
    const result = runCli(
      [
        'issue',
        '-',
        '--key-dir',
        KEYS_EXAMPLE,
        '--ledger',
        join(dir, 'l2.sqlite'),
        '--at',
        AT,
        '--rejects',
        stdinRejects,
      ],
      { input: text },
    )
    expect(result.code).toBe(4)
    expect(readFileSync(stdinRejects, 'utf8')).toMatch(/^id,type,/)
  })
})
