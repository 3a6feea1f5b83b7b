/**
 * Selections that can never match, and destinations that must not be used (tester report, fixJ):
 * `renew --country XX` renewed nothing and exited 0, `renew --batch` and `export --batch` with a name
 * no certificate has said nothing (exit 0), `--qr-dir` could be the key folder, and renew's refused
 * lines said "ledger: ledger: …"; a batch of one said "1 records".
 */
import { cpSync, mkdtempSync, readdirSync, symlinkSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { beforeAll, describe, expect, it } from 'vitest'
import { runCli } from '../helpers/cli.js'
import { KEYS_EXAMPLE } from '../helpers/keys.js'

const tmp = mkdtempSync(join(tmpdir(), 'hcert-filter-values-'))
const ledger = join(tmp, 'l.sqlite')
const batch = join(tmp, 'b.csv')
const AT = '2021-06-15T00:00:00Z'
const LATER = '2022-06-20T00:00:00Z'
const errorOf = (stdout: string): { code: string; message: string } =>
  (JSON.parse(stdout) as { error: { code: string; message: string } }).error

describe('filters that can never match, and the key folder as --qr-dir', () => {
  beforeAll(() => {
    writeFileSync(
      batch,
      [
        'id,type,fn,gn,dob,vaccine,dose,doses,date',
        'P1,v,Nguyen,An,1980-01-01,Comirnaty,1,2,2021-06-01',
      ].join('\n'),
    )
    const issue = runCli(['issue', batch, '--key-dir', KEYS_EXAMPLE, '--ledger', ledger, '--at', AT])
    expect(issue.code).toBe(0)
    // one record: "1 record", not "1 records"
    expect(issue.stderr).toMatch(/Batch b\.csv: 1 record, 1 issued/)
  })

  it('renew --country with no assigned code is ERR_USAGE (exit 2), as issue --country is; vn reads as VN', () => {
    const renew = (country: string): ReturnType<typeof runCli> =>
      runCli([
        'renew',
        '--ledger',
        ledger,
        '-k',
        KEYS_EXAMPLE,
        '--expired',
        '--at',
        LATER,
        '--dry-run',
        '--country',
        country,
        '--json',
      ])
    for (const country of ['XX', 'Viet Nam', 'VNM']) {
      const result = renew(country)
      expect(result.code, country).toBe(2)
      expect(errorOf(result.stdout)).toMatchObject({
        code: 'ERR_USAGE',
        message: expect.stringMatching(/^--country must be an ISO 3166 two-letter country code in use/),
      })
    }
    const lower = renew('vn')
    expect(lower.code).toBe(0)
    expect((JSON.parse(lower.stdout) as { wouldRenew: unknown[] }).wouldRenew).toHaveLength(1)
  })

  it('renew --batch that no certificate was recorded under warns, rather than a silent "0 renewed"', () => {
    const result = runCli([
      'renew',
      '--ledger',
      ledger,
      '-k',
      KEYS_EXAMPLE,
      '--expired',
      '--at',
      LATER,
      '--dry-run',
      '--batch',
      'nosuch.csv',
    ])
    expect(result.code).toBe(0)
    expect(result.stderr).toMatch(
      /warning: no certificate in the ledger was recorded under the batch given with --batch/,
    )
    const known = runCli([
      'renew',
      '--ledger',
      ledger,
      '-k',
      KEYS_EXAMPLE,
      '--expired',
      '--at',
      LATER,
      '--dry-run',
      '--batch',
      'b.csv',
    ])
    expect(known.stderr).not.toMatch(/warning/)
  })

  it('export --batch that no certificate was recorded under is missing, exit 4, as an unknown --id is', () => {
    const json = runCli(['export', '--ledger', ledger, '--batch', 'nosuch.csv', '--json'])
    expect(json.code).toBe(4)
    expect(JSON.parse(json.stdout)).toMatchObject({ exported: 0, missing: [{ batch: 'nosuch.csv' }] })
    const text = runCli(['export', '--ledger', ledger, '--batch', 'nosuch.csv'])
    expect(text.code).toBe(4)
    expect(text.stderr).toMatch(/not in the ledger batch nosuch\.csv/)
    expect(runCli(['export', '--ledger', ledger, '--batch', 'b.csv']).code).toBe(0)
  })

  it('--qr-dir the key folder (by any spelling) is ERR_USAGE for issue and renew; nothing is written among the keys', () => {
    const before = readdirSync(KEYS_EXAMPLE).sort()
    for (const qrDir of [KEYS_EXAMPLE, `${KEYS_EXAMPLE}/`, join(KEYS_EXAMPLE, 'ps256', '..')]) {
      const issue = runCli([
        'issue',
        batch,
        '-k',
        KEYS_EXAMPLE,
        '--ledger',
        join(tmp, 'l2.sqlite'),
        '--qr-dir',
        qrDir,
        '--json',
      ])
      expect(issue.code).toBe(2)
      expect(errorOf(issue.stdout)).toMatchObject({
        code: 'ERR_USAGE',
        message: expect.stringMatching(/is the key folder/),
      })
      const renew = runCli([
        'renew',
        '--ledger',
        ledger,
        '-k',
        KEYS_EXAMPLE,
        '--expired',
        '--at',
        LATER,
        '--qr-dir',
        qrDir,
        '--json',
      ])
      expect(renew.code).toBe(2)
      expect(errorOf(renew.stdout).message).toMatch(/is the key folder/)
    }
    expect(readdirSync(KEYS_EXAMPLE).sort()).toEqual(before)
  })
  it('--qr-dir inside the key folder (a subfolder, new or there, by a link too) is ERR_USAGE for issue and renew; nothing written', () => {
    const keys = join(tmp, 'keys-copy')
    cpSync(KEYS_EXAMPLE, keys, { recursive: true })
    const link = join(tmp, 'to-keys')
    symlinkSync(keys, link)
    const before = readdirSync(keys, { recursive: true }).sort()
    for (const qrDir of [join(keys, 'qr'), join(keys, 'ps256'), join(keys, 'a', 'b'), join(link, 'qr')]) {
      const issue = runCli([
        'issue',
        batch,
        '-k',
        keys,
        '--ledger',
        join(tmp, 'l3.sqlite'),
        '--qr-dir',
        qrDir,
        '--json',
      ])
      expect(issue.code, qrDir).toBe(2)
      expect(errorOf(issue.stdout)).toMatchObject({
        code: 'ERR_USAGE',
        message: expect.stringMatching(
          /--qr-dir .* is inside the key folder: QR images are not written among the keys/,
        ),
      })
      const renew = runCli([
        'renew',
        '--ledger',
        ledger,
        '-k',
        keys,
        '--expired',
        '--at',
        LATER,
        '--qr-dir',
        qrDir,
        '--json',
      ])
      expect(renew.code, qrDir).toBe(2)
      expect(errorOf(renew.stdout).message).toMatch(/is inside the key folder/)
    }
    expect(readdirSync(keys, { recursive: true }).sort()).toEqual(before)
    // a folder beside the keys is fine
    const beside = runCli([
      'issue',
      batch,
      '-k',
      keys,
      '--ledger',
      join(tmp, 'l3.sqlite'),
      '--qr-dir',
      join(tmp, 'qr-beside'),
      '--at',
      AT,
    ])
    expect(beside.code).toBe(0)
  }, 180_000)
  it('export --qr-dir in a key folder (the folder, a subfolder, by a link, any key folder, not only -k) is ERR_USAGE, as issue and renew; nothing written', () => {
    const keys = join(tmp, 'keys-for-export')
    cpSync(KEYS_EXAMPLE, keys, { recursive: true })
    const link = join(tmp, 'to-keys-for-export')
    symlinkSync(keys, link)
    const before = readdirSync(keys, { recursive: true }).sort()
    for (const qrDir of [
      keys,
      join(keys, 'qr'),
      join(keys, 'ps256'),
      join(keys, 'a', 'b'),
      join(link, 'qr'),
    ]) {
      const exported = runCli(['export', '--ledger', ledger, '--all', '--qr-dir', qrDir, '--json'])
      expect(exported.code, qrDir).toBe(2)
      expect(errorOf(exported.stdout)).toMatchObject({
        code: 'ERR_USAGE',
        message: expect.stringMatching(
          /--qr-dir .* is (a|inside a) key folder \(it holds a private key or a key reference\): QR images are not written among the keys/,
        ),
      })
      // issue with another -k than the key folder: refused too
      const issue = runCli([
        'issue',
        batch,
        '-k',
        KEYS_EXAMPLE,
        '--ledger',
        join(tmp, 'l4.sqlite'),
        '--qr-dir',
        qrDir,
        '--json',
      ])
      expect(issue.code, qrDir).toBe(2)
    }
    expect(readdirSync(keys, { recursive: true }).sort()).toEqual(before)
    const beside = runCli(['export', '--ledger', ledger, '--all', '--qr-dir', join(tmp, 'qr-export-beside')])
    expect(beside.code, beside.stderr).toBe(0)
  }, 180_000)
})
