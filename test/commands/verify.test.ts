import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { signHc1 } from '../../src/hcert/sign-hc1.js'
import { runCli } from '../helpers/cli.js'
import { exampleSigner, KEYS_EXAMPLE } from '../helpers/keys.js'
import { DURING, EXP, IAT, TEST, VACCINATION } from '../helpers/payloads.js'
import { vector } from '../helpers/vectors.js'

const TRUST = join(KEYS_EXAMPLE, 'trust-list.json')
const AT_CLOCK = DURING.toISOString()
const es256 = signHc1(VACCINATION, { iss: 'VN', iat: IAT, exp: EXP }, exampleSigner('ES256')).hc1
const ps256 = signHc1(TEST, { iss: 'VN', iat: IAT, exp: EXP }, exampleSigner('PS256')).hc1
const tmp = mkdtempSync(join(tmpdir(), 'hcert-verify-'))

describe('hcert verify', () => {
  it('prints VALID first and exits 0', () => {
    const result = runCli(['verify', es256, '--trust', TRUST, '--at', AT_CLOCK])
    expect(result.code).toBe(0)
    expect(result.stdout.split('\n')[0]).toBe('VALID')
    expect(result.stdout).toContain('ES256, kid kzlQn+5disA=')
  })

  it('--json has the documented shape', () => {
    const json = JSON.parse(runCli(['verify', ps256, '--trust', TRUST, '--at', AT_CLOCK, '--json']).stdout)
    expect(Object.keys(json)).toEqual([
      'source',
      'valid',
      'checks',
      'errors',
      'warnings',
      'kid',
      'alg',
      'signer',
      'claims',
      'kind',
      'payload',
    ])
    expect(json.kind).toBe('dcc')
    expect(json.checks).toEqual({
      unprefix: 'pass',
      base45: 'pass',
      compression: 'pass',
      decode: 'pass',
      signature: 'pass',
      expiration: 'pass',
      keyUsage: 'pass',
      schema: 'pass',
    })
    expect(json).toMatchObject({
      valid: true,
      alg: 'PS256',
      kid: '5iZNLeQeml4=',
      claims: { iss: 'VN', iat: IAT, exp: EXP },
      payload: TEST,
    })
  })

  it('an expired certificate is INVALID with exit 4, naming the check', () => {
    const result = runCli(['verify', es256, '--trust', TRUST, '--at', '2030-01-01'])
    expect(result.code).toBe(4)
    expect(result.stdout).toMatch(
      /^INVALID\n {2}✗ expiration \[ERR_EXPIRED\] expiration: the certificate expired at 2022-06-02T00:00:00.000Z/,
    )
  })

  it('an unknown kid names the kid and the size of the trust list', () => {
    const other = join(tmp, 'other.pem')
    writeFileSync(
      other,
      `-----BEGIN CERTIFICATE-----\n${vector('common/2DCode/raw/CO1.json').TESTCTX?.CERTIFICATE}\n-----END CERTIFICATE-----\n`,
    )
    const json = JSON.parse(runCli(['verify', es256, '--trust', other, '--at', AT_CLOCK, '--json']).stdout)
    expect(json.errors).toEqual([
      {
        code: 'ERR_KID_UNKNOWN',
        check: 'signature',
        message: 'signature: kid kzlQn+5disA= is not in the trust list (1 key)',
      },
    ])
  })

  it('accepts the EU vector clock forms for --at', () => {
    for (const at of [
      '2021-06-03T02:00:00+02:00',
      '2021-06-03T02:00:00+0200',
      '2021-06-03T00:00:00.1234567Z',
      '2021-06-03T00:00:00',
    ]) {
      expect(runCli(['verify', es256, '--trust', TRUST, '--at', at]).code, at).toBe(0)
    }
    const bad = runCli(['verify', es256, '--trust', TRUST, '--at', 'tomorrow', '--json'])
    expect(bad.code).toBe(2)
    expect(JSON.parse(bad.stdout).error.code).toBe('ERR_USAGE')
  })

  it('verifies many inputs in one process: arguments, or one per line on stdin as JSON Lines', () => {
    const file = join(tmp, 'cert.txt')
    writeFileSync(file, `${ps256}\n`)
    const args = runCli(['verify', es256, file, 'HC1:BB8', '--trust', TRUST, '--at', AT_CLOCK, '--json'])
    const lines = args.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l))
    expect(lines.map((l) => [l.source, l.valid])).toEqual([
      ['argument', true],
      [file, true],
      ['argument', false],
    ])
    expect(args.code).toBe(3) // the worst result: one input could not be decoded
    const stdin = runCli(['verify', '--trust', TRUST, '--at', '2030-01-01', '--json'], {
      input: `${es256}\n\n${ps256}\n`,
    })
    const results = stdin.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l))
    expect(results.map((r) => [r.source, r.checks.expiration])).toEqual([
      ['stdin:1', 'fail'],
      ['stdin:3', 'fail'],
    ])
    expect(stdin.code).toBe(4)
  })

  it('loads the national-backend list shapes', () => {
    const co1 = vector('common/2DCode/raw/CO1.json')
    const entry = {
      kid: 'Mk0jdOOrzrU=',
      country: 'XX',
      certificateType: 'DSC',
      rawData: co1.TESTCTX?.CERTIFICATE,
    }
    const arrayShape = join(tmp, 'gateway.json')
    writeFileSync(arrayShape, JSON.stringify([entry]))
    const germanShape = join(tmp, 'de.json')
    writeFileSync(germanShape, `MEUCIQDsignature\n${JSON.stringify({ certificates: [entry] })}`)
    for (const trust of [arrayShape, germanShape]) {
      const result = runCli([
        'verify',
        co1.PREFIX as string,
        '--trust',
        trust,
        '--at',
        '2021-05-03T20:00:00+02:00',
      ])
      expect(result.code, trust).toBe(0)
    }
  })

  it('a key directory works as a trust folder: private keys in it are passed over', () => {
    expect(runCli(['verify', es256, '--trust', KEYS_EXAMPLE, '--at', AT_CLOCK]).code).toBe(0)
    const key = runCli(['verify', es256, '--trust', join(KEYS_EXAMPLE, 'dsc.key.pem'), '--json'])
    expect(key.code).toBe(2)
    expect(JSON.parse(key.stdout).error.message).toMatch(/not a certificate \(a private key\?/)
  })

  it('a CSCA is passed over in a folder that holds its DSC, and trusted as a signer when given alone', () => {
    const csca = runCli(['verify', es256, '--trust', join(KEYS_EXAMPLE, 'csca.crt.pem'), '--json'])
    expect(csca.code).toBe(4) // the CSCA is trusted, but it did not sign this certificate
    expect(JSON.parse(csca.stdout).errors[0].message).toMatch(/is not in the trust list \(1 key\)/)
    const folder = JSON.parse(runCli(['verify', 'HC1:BB8', '--trust', KEYS_EXAMPLE, '--json']).stdout)
    expect(folder.errors[0].code).toBe('ERR_INFLATE')
    const unknown = JSON.parse(
      runCli(['verify', es256, '--trust', join(KEYS_EXAMPLE, 'ps256'), '--at', AT_CLOCK, '--json']).stdout,
    )
    expect(unknown.errors[0].message).toMatch(/is not in the trust list \(1 key\)/)
  })

  it('needs a trust list, and says so with exit 2', () => {
    const result = runCli(['verify', es256, '--json'], { env: { HCERT_TRUST: '' } })
    expect(result.code).toBe(2)
    expect(JSON.parse(result.stdout).error.message).toMatch(/--trust/)
    const missing = runCli(['verify', es256, '--trust', join(tmp, 'nope.pem'), '--json'])
    expect(JSON.parse(missing.stdout).error).toMatchObject({ code: 'ERR_TRUST', layer: 'trust' })
  })
})

describe('hcert conformance', () => {
  it('passes the bundled vectors and ends with the summary line', () => {
    const result = runCli(['conformance', join(import.meta.dirname, '..', 'fixtures', 'dgc-testdata')])
    expect(result.code).toBe(0)
    expect(result.stdout.trim().split('\n').at(-1)).toMatch(/^\d+ passed, 0 failed, \d+ skipped$/)
  })

  it('reports a mismatch with file, expectation and reason, and exits 4', () => {
    const dir = mkdtempSync(join(tmpdir(), 'hcert-vectors-'))
    const co1 = vector('common/2DCode/raw/CO1.json')
    writeFileSync(
      join(dir, 'wrong.json'),
      JSON.stringify({ ...co1, EXPECTEDRESULTS: { EXPECTEDVERIFY: false } }),
    )
    const result = runCli(['conformance', dir])
    expect(result.code).toBe(4)
    expect(result.stdout).toContain('FAIL wrong.json EXPECTEDVERIFY: expected false, got true')
    expect(result.stdout.trim().split('\n').at(-1)).toBe('0 passed, 1 failed, 0 skipped')
    const json = JSON.parse(runCli(['conformance', dir, '--json']).stdout)
    expect(json).toMatchObject({ vectors: 1, passed: 0, failed: 1 })
  })
})
