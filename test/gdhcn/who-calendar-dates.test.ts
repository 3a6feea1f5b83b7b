/**
 * WHO kinds hold dates to the DCC's calendar rule (tester findings 2 and 6): a day that does not
 * exist (Feb 30) fails the `schema` check naming the field, never the value, and the early DDCC's
 * `valid_until` is never rolled over into the next month to extend validity.
 */
import { beforeAll, describe, expect, it } from 'vitest'
import { encodeBase45 } from '../../src/codec/base45.js'
import { encodeCbor } from '../../src/codec/cbor.js'
import { addPrefix } from '../../src/codec/prefix.js'
import { deflate } from '../../src/codec/zlib.js'
import { checkWhoSchema } from '../../src/gdhcn/check-who-schema.js'
import { whoTimes } from '../../src/gdhcn/who-verify.js'
import { signPayload } from '../../src/hcert/sign-hc1.js'
import { verifyHc1 } from '../../src/hcert/verify-hc1.js'
import { TrustList } from '../../src/trust/trust-list.js'
import { parseTrustedCertificate } from '../../src/trust/trusted-certificate.js'
import { freshKeys, type FreshKeys } from '../helpers/keys.js'
import { DDCC_TR, DDCC_VS, EARLY, ICVP_V1, ICVP_V2 } from '../helpers/who-payloads.js'

describe('impossible calendar dates in WHO payloads', () => {
  it.each([
    ['icvp', { ...ICVP_V1, dob: '1990-02-30' }, '/dob is not a calendar date'],
    ['icvp', { ...ICVP_V1, v: { ...ICVP_V1.v, dt: '2024-02-30' } }, '/v/dt is not a calendar date'],
    ['icvp', { ...ICVP_V2, vx: { ...ICVP_V2.vx, dt: '2023-02-29' } }, '/vx/dt is not a calendar date'],
    ['ddcc-vs', { ...DDCC_VS, birthDate: '1990-02-30' }, '/birthDate is not a calendar date'],
    [
      'ddcc-vs',
      { ...DDCC_VS, vaccination: { ...DDCC_VS.vaccination, date: '2024-04-31' } },
      '/vaccination/date is not a calendar date',
    ],
    [
      'ddcc-tr',
      { ...DDCC_TR, test: { ...DDCC_TR.test, date: '2024-02-30T10:00:00Z' } },
      '/test/date is not a calendar date',
    ],
    [
      'ddcc-tr',
      { ...DDCC_TR, test: { ...DDCC_TR.test, date: '2024-02-10T25:00:00Z' } },
      '/test/date is not a calendar date',
    ],
    [
      'ddcc-tr',
      { ...DDCC_TR, test: { ...DDCC_TR.test, date: '2024-02-10T10:00:00+99:99' } },
      '/test/date is not a calendar date',
    ],
    [
      'ddcc-tr',
      { ...DDCC_TR, test: { ...DDCC_TR.test, date: '2024-02-10Tten past ten' } },
      '/test/date must be a date (YYYY-MM-DD) or a date and time (YYYY-MM-DDThh:mm:ss with Z or an offset)',
    ],
    ['ddcc-early', { ...EARLY, valid_until: '2027-02-31' }, '/valid_until is not a calendar date'],
    ['ddcc-early', { ...EARLY, date: '2024-13-01' }, '/date is not a calendar date'],
  ] as const)('%s: %s', (kind, payload, issue) => {
    expect(checkWhoSchema(kind, payload as Record<string, unknown>)).toEqual([issue])
  })

  it('real days, 29 February of a leap year included, pass', () => {
    expect(checkWhoSchema('icvp', { ...ICVP_V1, dob: '2000-02-29' })).toEqual([])
    expect(checkWhoSchema('ddcc-vs', { ...DDCC_VS, birthDate: '1996-02-29' })).toEqual([])
  })

  it('an impossible valid_until gives no end of validity (never 3 March), with a warning', () => {
    const times = whoTimes('ddcc-early', { ...EARLY, valid_until: '2027-02-31' }, undefined, undefined)
    expect(times.exp).toBeUndefined()
    expect(times.warnings).toContain(
      'valid_until is not a calendar date: no end of validity is taken from it',
    )
  })
})

describe('verify end to end', () => {
  let keys: FreshKeys
  let trust: TrustList
  beforeAll(async () => {
    keys = await freshKeys()
    trust = new TrustList([parseTrustedCertificate(keys.dscDer, 'dsc')])
  })

  it('an early DDCC valid until 2027-02-31 is not valid on 2027-03-02', () => {
    const claims = new Map<unknown, unknown>([[1, 'NZL']])
    for (const [k, v] of Object.entries({ ...EARLY, valid_from: '2024-01-01', valid_until: '2027-02-31' }))
      claims.set(k, v)
    const hc1 = addPrefix(encodeBase45(deflate(signPayload(encodeCbor(claims), keys.signer))))
    const result = verifyHc1(hc1, { trust, now: new Date('2027-03-02T12:00:00Z') })
    expect(result.valid).toBe(false)
    expect(result.checks.schema).toBe('fail')
    expect(result.errors.map((e) => e.message).join(' ')).toContain('/valid_until is not a calendar date')
    expect(JSON.stringify([result.errors, result.warnings])).not.toContain('2027-02-31')
  })
})
