/**
 * Names as people type them, end to end: the organisation given to `keys generate --org` comes
 * back as every certificate's issuer (`is`) exactly, and flag values that cannot work are usage
 * errors before anything is read (issue 11).
 */
import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { verifyHc1 } from '../../src/hcert/verify-hc1.js'
import { loadSigner } from '../../src/services/key-dir.js'
import { TrustList } from '../../src/trust/trust-list.js'
import { runCli } from '../helpers/cli.js'
import { KEYS_EXAMPLE } from '../helpers/keys.js'

const tmp = mkdtempSync(join(tmpdir(), 'hcert-names-'))
const RECORD = join(tmp, 'one.csv')
writeFileSync(
  RECORD,
  'type,fn,gn,dob,vaccine,dose,doses,date\nv,Nguyễn,An,1980-01-01,Comirnaty,1,2,2021-06-01\n',
)
/** 64 characters (X.509's upper bound for O), with every character RFC 4514 escapes */
const ORG = 'Bộ Y tế - Cục Quản lý Khám, chữa bệnh +1 "Q" ;s \\b <a> =e #'.padEnd(64, '.')

describe('the issuer is the organisation exactly as given', () => {
  it('keys generate --org with commas and RFC 4514 specials: every certificate’s is equals it', () => {
    expect([...ORG]).toHaveLength(64)
    const out = join(tmp, 'keys')
    const generated = runCli([
      'keys',
      'generate',
      '--out',
      out,
      '--country',
      'VN',
      '--org',
      ORG,
      '--valid-from',
      '2021-01-01',
    ])
    expect(generated.code, generated.stderr).toBe(0)
    const issued = runCli([
      'issue',
      RECORD,
      '--key-dir',
      out,
      '--ledger',
      join(tmp, 'l.sqlite'),
      '--at',
      '2021-12-21T00:00:00Z',
      '--json',
    ])
    expect(issued.code, issued.stderr).toBe(0)
    const hc1 = JSON.parse(issued.stdout).certificates[0].hc1 as string
    const signer = loadSigner(out, undefined)
    const result = verifyHc1(hc1, { trust: new TrustList([signer.certificate]), now: new Date('2022-01-01') })
    expect(result.errors).toEqual([])
    const payload = result.payload as { v: Array<{ is: string }> }
    expect(payload.v[0]?.is).toBe(ORG)
  })

  it('keys generate --org beginning with # (and a DSC under that CSCA): kept as typed, not read as hex', () => {
    const csca = join(tmp, 'hash-csca')
    const first = runCli(['keys', 'generate', '--out', csca, '--org', '#MoH', '--json'])
    expect(first.code, first.stderr).toBe(0)
    const out = join(tmp, 'hash-dsc')
    const second = runCli(['keys', 'generate', '--out', out, '--csca', csca, '--org', '#abcd\\', '--json'])
    expect(second.code, second.stderr).toBe(0)
    // as given, without RFC 4514 escapes (keys show's subject)
    expect(JSON.parse(second.stdout).dsc.subject).toBe('C=VN, O=#abcd\\, CN=#abcd\\ DSC')
    const issued = runCli(['issue', RECORD, '--key-dir', out, '--ledger', join(tmp, 'h.sqlite'), '--json'])
    expect(issued.code, issued.stderr).toBe(0)
    const hc1 = JSON.parse(issued.stdout).certificates[0].hc1 as string
    const decoded = runCli(['decode', hc1, '--json'])
    expect(JSON.parse(decoded.stdout).payload.v[0].is).toBe('#abcd\\')
  })

  it('keys generate refuses an --org with a line break: usage error, exit 2 (the other cases: test/issue/check-defaults.test.ts)', () => {
    const result = runCli(['keys', 'generate', '--out', join(tmp, 'bad'), '--org', 'Bộ Y tế\nCục', '--json'])
    expect(result.code).toBe(2)
    expect(JSON.parse(result.stdout).error).toMatchObject({
      code: 'ERR_USAGE',
      message: expect.stringMatching(/control characters/),
    })
  })
})

describe('issue flag values that cannot work are usage errors before anything is read', () => {
  it.each([
    ['--country', 'Viet Nam', /--country must be an ISO 3166 two-letter country code/],
    ['--uvci-issuer', 'Bộ Y tế', /--uvci-issuer must be letters A–Z and digits only/],
  ])('%s %s', (flag, value, message) => {
    // the input does not exist: a check after reading would say so instead
    const result = runCli([
      'issue',
      join(tmp, 'nosuch.csv'),
      '--key-dir',
      KEYS_EXAMPLE,
      '--ledger',
      join(tmp, 'f.sqlite'),
      flag,
      value,
      '--json',
    ])
    expect(result.code).toBe(2)
    expect(JSON.parse(result.stdout).error).toMatchObject({
      code: 'ERR_USAGE',
      message: expect.stringMatching(message),
    })
  })
})
