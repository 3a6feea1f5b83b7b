import { spawn } from 'node:child_process'
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  statSync,
  writeFileSync,
} from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import Database from 'better-sqlite3'
import { describe, expect, it } from 'vitest'
import { fromBytes } from '../../src/services/read-input.js'
import { fileNameFor, qrImages } from '../../src/qr/write-qr.js'
import { BIN, runCli } from '../helpers/cli.js'
import { verifyHc1 } from '../../src/hcert/verify-hc1.js'
import { TrustList } from '../../src/trust/trust-list.js'
import { exampleSigner, KEYS_EXAMPLE } from '../helpers/keys.js'
import { vaccinationFor } from '../helpers/payloads.js'
import { letters, vaccinationCsv } from '../helpers/records.js'

const tmp = mkdtempSync(join(tmpdir(), 'hcert-issue-cli-'))
const AT = '2021-12-21T00:00:00Z'
const base = (ledger: string): string[] => [
  '--key-dir',
  KEYS_EXAMPLE,
  '--ledger',
  join(tmp, ledger),
  '--at',
  AT,
]

/** a distinct given name per number (standardised names keep letters only) */
const csv = (count: number, bad?: (i: number) => boolean): string =>
  vaccinationCsv({ to: count, fn: 'Nguyễn', gn: 'Văn', bad })

describe('hcert issue', () => {
  it('one certificate: its HC1 text on stdout, which verifies', () => {
    const result = runCli([
      'issue',
      join(import.meta.dirname, '..', '..', 'examples', 'vaccination.json'),
      ...base('one.sqlite'),
    ])
    expect(result.code).toBe(0)
    const hc1 = result.stdout.trim()
    expect(hc1).toMatch(/^HC1:[0-9A-Z $%*+\-./:]+$/)
    expect(result.stderr).toContain('1 record, 1 issued, 0 already issued, 0 rejected')
    expect(
      runCli(['verify', hc1, '--trust', join(KEYS_EXAMPLE, 'trust-list.json'), '--at', '2022-01-01']).code,
    ).toBe(0)
    expect(statSync(join(tmp, 'one.sqlite')).mode & 0o777).toBe(0o600)
  })

  it('a batch: JSON Lines {line, id, uvci, type, iat, exp, hc1}, QR images named by UVCI, exit 4 when some records are rejected', async () => {
    const file = join(tmp, 'batch.csv')
    writeFileSync(
      file,
      csv(5, (i) => i === 3),
    )
    const qrDir = join(tmp, 'qr')
    const result = runCli([
      'issue',
      file,
      ...base('batch.sqlite'),
      '--qr-dir',
      qrDir,
      '--rejects',
      join(tmp, 'rejects.csv'),
    ])
    expect(result.code).toBe(4)
    const lines = result.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l))
    expect(lines.map((l) => l.line)).toEqual([2, 3, 5, 6])
    expect(Object.keys(lines[0])).toEqual(['line', 'id', 'uvci', 'type', 'iat', 'exp', 'hc1'])
    expect(result.stderr).toMatch(
      /rejected record 3 \(line 4\) dose: the dose number exceeds the doses in the series/,
    )
    expect(readFileSync(join(tmp, 'rejects.csv'), 'utf8')).toContain(`P3,v,Nguyễn,Văn ${letters(3)}`)
    const files = readdirSync(qrDir).sort()
    expect(files).toHaveLength(8)
    const png = files.find((f) => f.endsWith('.png')) as string
    const decoded = await fromBytes(readFileSync(join(qrDir, png)), png)
    expect(lines.map((l) => l.hc1)).toContain(decoded.text)
    expect(readFileSync(join(qrDir, png.replace('.png', '.svg')), 'utf8')).toMatch(/^<svg/)
  })

  it('--qr-dir with a signing thread: a PNG and an SVG for every certificate, 0600, each PNG scanning to its own certificate and each SVG drawing the same symbol', async () => {
    // images go in parts of 20 to the thread and to the main thread while it waits
    const count = 45
    const file = join(tmp, 'images.csv')
    writeFileSync(file, csv(count))
    const qrDir = join(tmp, 'images-qr')
    const out = join(tmp, 'images.jsonl')
    const result = runCli([
      'issue',
      file,
      ...base('images.sqlite'),
      '--workers',
      '1',
      '--qr-dir',
      qrDir,
      '--out',
      out,
    ])
    expect(result.code).toBe(0)
    const certificates = readFileSync(out, 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { uvci: string; hc1: string })
    expect(certificates).toHaveLength(count)
    const names = certificates.map((c) => fileNameFor(c.uvci))
    expect(readdirSync(qrDir).sort()).toEqual(names.flatMap((n) => [`${n}.png`, `${n}.svg`]).sort())
    for (const [i, { hc1 }] of certificates.entries()) {
      const png = join(qrDir, `${names[i]}.png`)
      const svg = join(qrDir, `${names[i]}.svg`)
      const images = qrImages(hc1)
      expect(readFileSync(png).equals(images.png)).toBe(true)
      expect((await fromBytes(readFileSync(png), png)).text).toBe(hc1)
      expect(readFileSync(svg).equals(images.svg)).toBe(true)
      expect(statSync(png).mode & 0o777).toBe(0o600)
      expect(statSync(svg).mode & 0o777).toBe(0o600)
    }
  })

  it('a PS256 batch on a signing thread, with the main thread signing what the thread has not reached: every certificate in input order, each for its own record', () => {
    // PS256 signing is ~20 times ES256's, so the main thread runs out of its own work and signs parts
    // too, from the later chunk while the thread signs the first: two chunks (1,000 and 200), 12 parts
    const count = 1200
    const file = join(tmp, 'shared.csv')
    writeFileSync(file, csv(count))
    const keyDir = join(KEYS_EXAMPLE, 'ps256')
    const out = join(tmp, 'shared.jsonl')
    const result = runCli([
      'issue',
      file,
      '--key-dir',
      keyDir,
      '--ledger',
      join(tmp, 'shared.sqlite'),
      '--at',
      AT,
      '--workers',
      '1',
      '--out',
      out,
    ])
    expect(result.code).toBe(0)
    const lines = readFileSync(out, 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { line: number; hc1: string })
    expect(lines.map((l) => l.line)).toEqual(Array.from({ length: count }, (_, i) => i + 2))
    const trust = new TrustList([exampleSigner('PS256').certificate])
    for (const [i, { hc1 }] of lines.entries()) {
      const verified = verifyHc1(hc1, { trust, now: new Date(AT) })
      expect(verified.valid).toBe(true)
      expect((verified.payload as { nam: { gnt: string } }).nam.gnt).toBe(`VAN<${letters(i + 1)}`)
    }
  })

  it('--json prints the report; --dry-run signs nothing', () => {
    const file = join(tmp, 'dry.csv')
    writeFileSync(
      file,
      csv(3, (i) => i === 2),
    )
    const report = JSON.parse(runCli(['issue', file, ...base('dry.sqlite'), '--dry-run', '--json']).stdout)
    expect(report).toMatchObject({ records: 3, issued: 0, rejected: 1, dryRun: true, certificates: [] })
    expect(report.rejections).toEqual([
      {
        index: 2,
        line: 3,
        field: 'dose',
        reason: expect.stringMatching(/^the dose number exceeds the doses in the series/),
      },
    ])
  })

  it('a missing input file is an input error (exit 3), named', () => {
    const result = runCli(['issue', join(tmp, 'nope.csv'), ...base('missing.sqlite'), '--json'])
    expect(result.code).toBe(3)
    expect(JSON.parse(result.stdout).error).toEqual({
      code: 'ERR_INPUT',
      layer: 'input',
      message: `input: ${join(tmp, 'nope.csv')} does not exist`,
    })
  })

  it('needs a key directory, and says so', () => {
    const result = runCli(['issue', 'x.csv', '--json'], { env: { HCERT_KEY_DIR: '' } })
    expect(result.code).toBe(2)
    expect(JSON.parse(result.stdout).error.message).toMatch(/--key-dir/)
  })

  it('killed with SIGKILL mid-run and run again: every record issued exactly once, in the ledger and in the output', async () => {
    // three chunks of 1,000: the kill lands after the first commit, with records left to issue
    const count = 3000
    const file = join(tmp, 'big.csv')
    writeFileSync(
      file,
      csv(count, (i) => i % 500 === 0),
    )
    const ledger = join(tmp, 'big.sqlite')
    const out = join(tmp, 'big.jsonl')
    const args = [BIN, 'issue', file, ...base('big.sqlite'), '--out', out, '--workers', '2']

    const child = spawn(process.execPath, args, { stdio: 'ignore' })
    const committed = await new Promise<number>((resolve, reject) => {
      const poll = setInterval(() => {
        if (!existsSync(ledger)) return
        try {
          const db = new Database(ledger, { readonly: true, fileMustExist: true })
          const { n } = db.prepare('SELECT count(*) AS n FROM certificates').get() as { n: number }
          db.close()
          if (n > 0) {
            clearInterval(poll)
            child.kill('SIGKILL')
            resolve(n)
          }
        } catch {
          // the schema may not exist yet
        }
      }, 5)
      child.on('exit', () => {
        clearInterval(poll)
        reject(new Error('the run finished before it could be killed; make the input larger'))
      })
    })
    await new Promise((resolve) => child.on('exit', resolve))
    // chunks may have landed between the poll and the kill: count again
    const before = new Database(ledger, { readonly: true })
    const atKill = (before.prepare('SELECT count(*) AS n FROM certificates').get() as { n: number }).n
    before.close()
    expect(committed).toBeGreaterThan(0)
    expect(atKill).toBeGreaterThanOrEqual(committed)
    expect(atKill).toBeLessThan(count - count / 500)
    expect(existsSync(out)).toBe(false) // the output is only moved into place at the end of a run

    const rerun = runCli(args.slice(1), {})
    expect(rerun.code).toBe(4)
    const db = new Database(ledger, { readonly: true })
    const rows = db.prepare('SELECT idempotency_key AS key, uvci FROM certificates').all() as Array<{
      key: string
      uvci: string
    }>
    db.close()
    const valid = count - count / 500
    expect(rows).toHaveLength(valid)
    expect(new Set(rows.map((r) => r.key)).size).toBe(valid)
    const lines = readFileSync(out, 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { uvci: string; line: number })
    expect(lines).toHaveLength(valid)
    expect(new Set(lines.map((l) => l.line)).size).toBe(valid)
    expect(new Set(lines.map((l) => l.uvci))).toEqual(new Set(rows.map((r) => r.uvci)))
    expect(rerun.stderr).toMatch(
      new RegExp(
        `${count} records, ${valid - atKill} issued, ${atKill} already issued, ${count / 500} rejected`,
      ),
    )
  })
})

describe('hcert renew and hcert stats', () => {
  it('the life cycle through the CLI: issue, time passes, renew, renew again, stats', () => {
    const file = join(tmp, 'life.csv')
    writeFileSync(file, csv(3))
    const ledger = ['--ledger', join(tmp, 'life.sqlite')]
    const keys = ['--key-dir', KEYS_EXAMPLE]
    expect(
      runCli([
        'issue',
        file,
        ...keys,
        ...ledger,
        '--at',
        '2021-06-01T00:00:00Z',
        '--out',
        join(tmp, 'life.jsonl'),
      ]).code,
    ).toBe(0)
    const renew = runCli(['renew', ...keys, ...ledger, '--expired', '--at', '2022-06-02T00:00:00Z', '--json'])
    expect(renew.code).toBe(0)
    const report = JSON.parse(renew.stdout)
    expect(report).toMatchObject({ renewed: 3, refused: [], dueBy: '2022-06-02T00:00:00.000Z' })
    // one renewed certificate through `hcert verify`, every one of them in this process
    expect(
      runCli([
        'verify',
        report.certificates[0].hc1,
        '--trust',
        join(KEYS_EXAMPLE, 'trust-list.json'),
        '--at',
        '2022-06-03',
      ]).code,
    ).toBe(0)
    const trust = new TrustList([exampleSigner().certificate])
    for (const c of report.certificates)
      expect(verifyHc1(c.hc1, { trust, now: new Date('2022-06-03T00:00:00Z') }).valid).toBe(true)
    const again = runCli(['renew', ...keys, ...ledger, '--expired', '--at', '2022-06-02T00:00:00Z'])
    expect(again.stderr).toContain('0 renewed (3 already renewed, written again), 0 skipped, 0 refused')
    const stats = JSON.parse(runCli(['stats', ...ledger, '--at', '2022-06-02T00:00:00Z', '--json']).stdout)
    expect(stats.totals).toMatchObject({ issued: 3, renewed: 3, superseded: 3, active: 3, expired: 0 })
    const text = runCli(['stats', ...ledger, '--at', '2022-06-02T00:00:00Z', '--by', 'month']).stdout
    expect(text).toMatch(/2021-06 {2}3 {2}█+/)
    expect(text).toMatch(/Comirnaty \(EU\/1\/20\/1528\) {2}6/)
  }, 180_000) // six runs of the CLI: a busy machine can pass the 60 s default

  it('renewing given certificates needs --trust; an unknown ledger is an error with exit 2', () => {
    const result = runCli(
      ['renew', 'HC1:XYZ', '--key-dir', KEYS_EXAMPLE, '--ledger', join(tmp, 'x.sqlite'), '--json'],
      { env: { HCERT_TRUST: '' } },
    )
    expect(result.code).toBe(2)
    expect(JSON.parse(result.stdout).error.message).toMatch(/--trust/)
    const stats = runCli(['stats', '--ledger', join(tmp, 'none.sqlite'), '--json'])
    expect(stats.code).toBe(2)
    expect(JSON.parse(stats.stdout).error.code).toBe('ERR_LEDGER')
    // selecting from a mistyped ledger: an error, not an empty ledger created and "0 renewed"
    const renew = runCli([
      'renew',
      '--expired',
      '--key-dir',
      KEYS_EXAMPLE,
      '--ledger',
      join(tmp, 'typo.sqlite'),
      '--json',
    ])
    expect(renew.code).toBe(2)
    expect(JSON.parse(renew.stdout).error).toMatchObject({
      code: 'ERR_LEDGER',
      message: expect.stringMatching(/does not exist/),
    })
    expect(existsSync(join(tmp, 'typo.sqlite'))).toBe(false)
  })
})

describe('hcert issue --interactive', () => {
  it('needs a terminal, and says so instead of waiting', () => {
    const result = runCli(['issue', '--interactive', ...base('interactive.sqlite'), '--json'])
    expect(result.code).toBe(2)
    expect(JSON.parse(result.stdout).error.message).toMatch(/--interactive needs a terminal/)
  })

  it('a folder given as the records is ERR_INPUT in words, not a system error (EISDIR)', () => {
    const result = runCli(['issue', tmp, ...base('folder.sqlite'), '--json'])
    expect(result.code).toBe(3)
    const error = JSON.parse(result.stdout).error
    expect(error.code).toBe('ERR_INPUT')
    expect(error.message).toMatch(/is a folder, not a file of records/)
    expect(error.message).not.toMatch(/EISDIR/)
  })

  it('--dry-run on a ledger that already holds the records writes no QR image for them', () => {
    const input = join(tmp, 'dry-images.csv')
    writeFileSync(input, csv(3))
    expect(runCli(['issue', input, ...base('dry-images.sqlite'), '--out', join(tmp, 'dry.jsonl')]).code).toBe(
      0,
    )
    const qrDir = join(tmp, 'dry-qr')
    const result = runCli([
      'issue',
      input,
      ...base('dry-images.sqlite'),
      '--dry-run',
      '--qr-dir',
      qrDir,
      '--json',
    ])
    expect(result.code).toBe(0)
    expect(JSON.parse(result.stdout).alreadyIssued).toBe(3)
    expect(existsSync(qrDir)).toBe(false)
  })

  it('--dry-run after a real run prints no certificate lines (text or --json), only its report', () => {
    const input = join(tmp, 'dry-lines.csv')
    // two issued by a real run, the third a new record a dry run would issue
    writeFileSync(input, csv(2))
    expect(
      runCli(['issue', input, ...base('dry-lines.sqlite'), '--out', join(tmp, 'dry-lines.jsonl')]).code,
    ).toBe(0)
    writeFileSync(input, csv(3))
    const text = runCli(['issue', input, ...base('dry-lines.sqlite'), '--dry-run'])
    expect(text.code).toBe(0)
    expect(text.stdout).toBe('')
    expect(text.stderr).toMatch(/Dry run: nothing signed: 3 records, 1 would be issued, 2 already issued/)
    const json = runCli(['issue', input, ...base('dry-lines.sqlite'), '--dry-run', '--json'])
    expect(JSON.parse(json.stdout)).toMatchObject({ alreadyIssued: 2, wouldIssue: 1, certificates: [] })
    expect(json.stdout).not.toMatch(/HC1:/)
    // one DCC payload already issued: no HC1 text either
    const one = join(import.meta.dirname, '..', '..', 'examples', 'vaccination.json')
    expect(runCli(['issue', one, ...base('dry-lines.sqlite')]).code).toBe(0)
    const single = runCli(['issue', one, ...base('dry-lines.sqlite'), '--dry-run'])
    expect(single.stdout).toBe('')
    expect(single.stderr).toMatch(/1 record, 0 would be issued, 1 already issued/)
  })

  it('an image a signing thread cannot write is a coded error (ERR_USAGE, exit 2), not ERR_INTERNAL', () => {
    const records = [1, 2, 3].map((i) =>
      JSON.stringify(vaccinationFor(`Van ${letters(i)}`, `URN:UVCI:01:VN:THREAD/${i}#${letters(i)}`)),
    )
    const input = join(tmp, 'thread-images.jsonl')
    writeFileSync(input, `${records.join('\n')}\n`)
    const qrDir = join(tmp, 'thread-qr')
    // a folder where an image file must go: renaming the image over it fails (EISDIR)
    mkdirSync(join(qrDir, `${fileNameFor('URN:UVCI:01:VN:THREAD/2#C')}.png`), { recursive: true })
    const result = runCli([
      'issue',
      input,
      ...base('thread-images.sqlite'),
      '--workers',
      '1',
      '--qr-dir',
      qrDir,
      '--out',
      join(tmp, 'thread.jsonl'),
      '--json',
    ])
    expect(result.code).toBe(2)
    expect(JSON.parse(result.stdout).error.code).toBe('ERR_USAGE')
  })
})
