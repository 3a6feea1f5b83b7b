/**
 * ICVP, DDCC and link certificates signed with test keys verify with their keys, and fail each
 * planted fault on the right check: wrong signature, wrong kid, expired, schema fault.
 */
import { beforeAll, describe, expect, it } from 'vitest'
import { encodeBase45 } from '../../src/codec/base45.js'
import { encodeCbor } from '../../src/codec/cbor.js'
import { addPrefix } from '../../src/codec/prefix.js'
import { deflate } from '../../src/codec/zlib.js'
import { signPayload } from '../../src/hcert/sign-hc1.js'
import { verifyHc1, type VerifyResult } from '../../src/hcert/verify-hc1.js'
import type { Signer } from '../../src/keys/signer.js'
import { TrustList } from '../../src/trust/trust-list.js'
import { parseTrustedCertificate } from '../../src/trust/trusted-certificate.js'
import { freshKeys, type FreshKeys } from '../helpers/keys.js'
import { CODING, DDCC_TR, DDCC_VS, ICVP_V1, ICVP_V2 } from '../helpers/who-payloads.js'

const NOW = new Date('2025-01-01T00:00:00Z')
const IAT = Date.parse('2024-12-01T00:00:00Z') / 1000
const EXP = Date.parse('2026-12-01T00:00:00Z') / 1000

const LINK = `shlink:/${Buffer.from(JSON.stringify({ url: 'https://example.org/m/abc', key: 'k'.repeat(43), flag: 'L' })).toString('base64url')}`

/** an HC1 around a CWT built as a Map (claims 1 iss, 4 exp, 6 iat, -260 …), signed */
function sign(claims: Map<unknown, unknown>, signer: Signer): string {
  return addPrefix(encodeBase45(deflate(signPayload(encodeCbor(claims), signer))))
}

function cwt(
  key: number | undefined,
  payload: unknown,
  times: { iat?: number; exp?: number } = { iat: IAT, exp: EXP },
): Map<unknown, unknown> {
  const map = new Map<unknown, unknown>([[1, 'NZL']])
  if (times.exp !== undefined) map.set(4, times.exp)
  if (times.iat !== undefined) map.set(6, times.iat)
  if (key !== undefined) map.set(-260, new Map([[key, payload]]))
  else for (const [k, v] of Object.entries(payload as object)) map.set(k, v)
  return map
}

const failed = (r: VerifyResult): string[] =>
  Object.entries(r.checks)
    .filter(([, s]) => s === 'fail')
    .map(([n]) => n)

let keys: FreshKeys
let other: FreshKeys
let trust: TrustList
beforeAll(async () => {
  keys = await freshKeys()
  other = await freshKeys()
  trust = new TrustList([parseTrustedCertificate(keys.dscDer, 'dsc')])
})

const CASES = [
  ['icvp', 'ICVP, first generation', -6, ICVP_V1],
  ['icvp', 'ICVP, newer drafts', -6, ICVP_V2],
  ['ddcc-vs', 'DDCC:VS', 3, DDCC_VS],
  ['ddcc-tr', 'DDCC:TR', 4, DDCC_TR],
  ['link', 'a health link', 5, LINK],
  [
    'ddcc-early',
    'the early DDCC',
    undefined,
    {
      name: 'Test Person',
      hcid: 'H1',
      vaccine: CODING('1119349007', 'http://snomed.info/sct'),
      brand: CODING('TEST', 'x'),
      lot: 'L',
      date: '2024-11-30',
      dose: 1,
      country: CODING('NZL', 'urn:iso:std:iso:3166'),
    },
  ],
] as const

describe.each(CASES)('%s: %s', (kind, _name, key, payload) => {
  it('verifies with its key, every check passing', () => {
    const result = verifyHc1(sign(cwt(key, payload), keys.signer), { trust, now: NOW })
    expect(result.errors).toEqual([])
    expect(result.valid).toBe(true)
    expect(result.kind).toBe(kind)
    expect(Object.values(result.checks).every((s) => s === 'pass')).toBe(true)
    expect(result.payload).toEqual(typeof payload === 'string' ? { uri: payload } : payload)
  })

  it('fails signature with ERR_SIGNATURE when another key has its kid', () => {
    const impostor = new TrustList([
      parseTrustedCertificate(other.dscDer, 'other', Buffer.from(keys.signer.kid).toString('base64')),
    ])
    const result = verifyHc1(sign(cwt(key, payload), keys.signer), { trust: impostor, now: NOW })
    expect(failed(result)).toEqual(['signature'])
    expect(result.errors[0]?.code).toBe('ERR_SIGNATURE')
  })

  it('fails signature with ERR_KID_UNKNOWN for a kid not in the trust list', () => {
    const result = verifyHc1(sign(cwt(key, payload), other.signer), { trust, now: NOW })
    expect(failed(result)).toEqual(['signature'])
    expect(result.errors[0]?.code).toBe('ERR_KID_UNKNOWN')
  })

  it('fails expiration with ERR_EXPIRED after exp', () => {
    const hc1 = sign(cwt(key, payload, { iat: IAT, exp: IAT + 3600 }), keys.signer)
    const result = verifyHc1(hc1, { trust, now: NOW })
    expect(failed(result)).toEqual(['expiration'])
    expect(result.errors[0]?.code).toBe('ERR_EXPIRED')
  })
})

describe('schema faults fail the schema check with ERR_SCHEMA, naming the path, never a value', () => {
  const { cn: _cn, ...noClinician } = ICVP_V1.v
  const { bo: _bo, ...noBatch } = ICVP_V2.vx
  const { lot: _lot, ...noLot } = DDCC_VS.vaccination
  it.each([
    [
      'an ICVP with neither issuer nor clinician',
      -6,
      { ...ICVP_V1, v: noClinician },
      '/v must name the issuer (is) or the clinician (cn)',
    ],
    ['an ICVP without a name', -6, { ...ICVP_V1, n: undefined }, '/n is required'],
    ['a newer ICVP without a batch', -6, { ...ICVP_V2, vx: noBatch }, '/vx/bo is required'],
    [
      'an ICVP with a date that is not one',
      -6,
      { ...ICVP_V1, dob: '02.01.1990' },
      '/dob must be a date (YYYY-MM-DD)',
    ],
    ['a DDCC:VS without a lot', 3, { ...DDCC_VS, vaccination: noLot }, '/vaccination/lot is required'],
    ['a DDCC:TR without a test', 4, { name: 'Test Person' }, '/test is required (an object)'],
    [
      'a link without a key',
      5,
      `shlink:/${Buffer.from('{"url":"https://example.org/x"}').toString('base64url')}`,
      '/key must be 43 base64url characters',
    ],
  ])('%s', (_name, key, payload, message) => {
    const clean = JSON.parse(JSON.stringify(payload)) as unknown
    const result = verifyHc1(sign(cwt(key, clean), keys.signer), { trust, now: NOW })
    expect(failed(result)).toEqual(['schema'])
    expect(result.errors[0]?.code).toBe('ERR_SCHEMA')
    expect(result.errors[0]?.message).toContain(message)
    expect(result.errors[0]?.message).not.toContain('Test Person')
    expect(result.errors[0]?.message).not.toContain('02.01.1990')
  })
})

describe('validity of WHO payloads without exp', () => {
  it('an ICVP without exp (as the WHO sample) is valid, with a warning', () => {
    const result = verifyHc1(sign(cwt(-6, ICVP_V1, { iat: IAT }), keys.signer), { trust, now: NOW })
    expect(result.valid).toBe(true)
    expect(result.warnings.map((w) => w.message)).toContainEqual(expect.stringContaining('no exp claim (4)'))
  })

  it('an early DDCC without CWT times expires at the end of its valid_until day', () => {
    const early = { ...CASES[5][3], valid_from: '2024-01-01', valid_until: '2024-12-31' }
    const hc1 = sign(cwt(undefined, early, {}), keys.signer)
    expect(verifyHc1(hc1, { trust, now: new Date('2024-12-31T23:59:00Z') }).valid).toBe(true)
    const late = verifyHc1(hc1, { trust, now: NOW })
    expect(late.errors[0]?.code).toBe('ERR_EXPIRED')
    expect(verifyHc1(hc1, { trust, now: new Date('2023-06-01T00:00:00Z') }).errors[0]?.code).toBe(
      'ERR_NOT_YET_VALID',
    )
  })

  it('an EU DCC without exp still fails with ERR_CLAIM_MISSING (unchanged)', async () => {
    const { VACCINATION } = await import('../helpers/payloads.js')
    const result = verifyHc1(sign(cwt(1, VACCINATION, { iat: IAT }), keys.signer), { trust, now: NOW })
    expect(result.kind).toBe('dcc')
    expect(result.errors[0]?.code).toBe('ERR_CLAIM_MISSING')
  })
})
