/**
 * The ICVP's way through the signing path: the payload under -260 / -6 (not 1) on the fast and the
 * general claims encoder, across the signing threads' message packing, and the product lookup.
 */
import { describe, expect, it } from 'vitest'
import { encodeCbor } from '../../src/codec/cbor.js'
import { encodeClaims, encodeClaimsAround, signClaims } from '../../src/hcert/sign-hc1.js'
import { verifyHc1 } from '../../src/hcert/verify-hc1.js'
import { findIcvpProduct } from '../../src/issue/icvp-products.js'
import { packJobs, unpackJobs } from '../../src/issue/sign-jobs.js'
import { decodeCbor } from '../../src/codec/cbor.js'
import { TrustList } from '../../src/trust/trust-list.js'
import { exampleSigner, freshKeys } from '../helpers/keys.js'

const signer = exampleSigner('ES256')
const PAYLOAD = {
  n: 'Nguyễn Văn An',
  dob: '1980-05-17',
  v: { vp: 'YellowFeverProductd8a09f80301dc05e124f99ffe7711fc0', dt: '2021-06-01', bo: 'L1', cn: 'Dr Lan' },
}
const claims = { iat: 1_638_316_800, exp: 1_669_852_800 }

describe('signing an ICVP', () => {
  it.each([
    ['the fast encoder (a short ASCII iss)', 'VN'],
    ['the general encoder (a long iss)', 'X'.repeat(30)],
  ])('%s puts the payload under -260 / -6, and verify reads it as kind icvp', (_name, iss) => {
    const encoded = encodeClaims(PAYLOAD, { ...claims, iss, key: -6 })
    const map = decodeCbor(encoded, 'claims') as Map<number, unknown>
    const hcert = map.get(-260) as Map<number, unknown>
    expect([...hcert.keys()]).toEqual([-6])
    const { hc1 } = signClaims(encoded, signer)
    const result = verifyHc1(hc1, { trust: new TrustList([signer.certificate]), now: new Date('2022-01-01') })
    expect(result).toMatchObject({ valid: true, kind: 'icvp', payload: PAYLOAD })
    // without the key, the same payload goes under 1, as an EU DCC (and fails its schema)
    const dcc = decodeCbor(encodeClaims(PAYLOAD, { ...claims, iss }), 'claims') as Map<
      number,
      Map<number, unknown>
    >
    expect([...(dcc.get(-260)?.keys() ?? [])]).toEqual([1])
  })

  it('the key crosses to the signing threads with each job', () => {
    const message = packJobs(0, [
      { dcc: PAYLOAD, claims: { ...claims, iss: 'VN', key: -6 } },
      { dcc: { ver: '1.3.0' }, claims: { ...claims, iss: 'VN' } },
    ])
    const jobs = [...unpackJobs(message)]
    expect(jobs.map(([, c]) => c.key)).toEqual([-6, undefined])
    const [cbor, first] = jobs[0] as [Uint8Array, typeof claims]
    expect(Buffer.from(encodeClaimsAround(cbor, first))).toEqual(
      Buffer.from(encodeClaims(PAYLOAD, { ...claims, iss: 'VN', key: -6 })),
    )
    expect(Buffer.from(cbor)).toEqual(Buffer.from(encodeCbor(PAYLOAD)))
  })
})

describe('the ICVP product of a cell', () => {
  it.each([
    [
      'YellowFeverProductd8a09f80301dc05e124f99ffe7711fc0',
      'YellowFeverProductd8a09f80301dc05e124f99ffe7711fc0',
    ],
    [
      'yellowfeverproductd8a09f80301dc05e124f99ffe7711fc0',
      'YellowFeverProductd8a09f80301dc05e124f99ffe7711fc0',
    ],
    ['STAMARIL', 'YellowFeverProductd8a09f80301dc05e124f99ffe7711fc0'],
    ['  stamaril ', 'YellowFeverProductd8a09f80301dc05e124f99ffe7711fc0'],
    ['Picovax', 'PolioVaccineInactivatedIProduct096d9e8c31e30cc1148311ee66359a50'],
    [
      'Yellow fever vaccine, 10 doses (Bio-Manguinhos/Fiocruz)',
      'YellowFeverProduct5f0639d8e4d52afef089aa7148c5060c',
    ],
    ['a640b9f1e3bf870989c9f7498a0ae5a1', 'a640b9f1e3bf870989c9f7498a0ae5a1'],
  ])('%s is %s', (cell, id) => {
    expect(findIcvpProduct(cell)).toMatchObject({ id })
  })

  it('a name several products share is ambiguous; one no product has is none', () => {
    expect(findIcvpProduct('Yellow fever vaccine')).toEqual({ ambiguous: true })
    expect(findIcvpProduct('BIOPOLIO B1/3')).toEqual({ ambiguous: true })
    expect(findIcvpProduct('Comirnaty')).toBeUndefined()
    expect(findIcvpProduct('constructor')).toBeUndefined()
  })
})

describe('verify and the DSC’s Extended Key Usage of an ICVP', () => {
  it('an ICVP signed by a DSC for tests only fails keyUsage; by one for vaccinations it passes', async () => {
    for (const [usage, check] of [
      [['t'], 'fail'],
      [['t', 'r'], 'fail'],
      [['v'], 'pass'],
      [[], 'pass'],
    ] as const) {
      const { signer: dsc } = await freshKeys({ usage: [...usage] })
      const { hc1 } = signClaims(encodeClaims(PAYLOAD, { ...claims, iss: 'VN', key: -6 }), dsc)
      const result = verifyHc1(hc1, { trust: new TrustList([dsc.certificate]), now: new Date('2022-01-01') })
      expect(result.checks.keyUsage, usage.join(',')).toBe(check)
      if (check === 'fail')
        expect(result.errors[0]).toMatchObject({
          code: 'ERR_KEY_USAGE',
          message: expect.stringMatching(/not an ICVP \(a vaccination record\)/),
        })
    }
  })
})
