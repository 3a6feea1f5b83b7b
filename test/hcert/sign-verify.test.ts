import { describe, expect, it } from 'vitest'
import { decodeBase45, encodeBase45 } from '../../src/codec/base45.js'
import { decodeCbor, encodeCbor, Tag } from '../../src/codec/cbor.js'
import { deflate, inflate } from '../../src/codec/zlib.js'
import { encodeProtectedHeader, encodeSign1, parseSign1 } from '../../src/cose/sign1.js'
import { decodeHc1 } from '../../src/hcert/decode-hc1.js'
import { signHc1 } from '../../src/hcert/sign-hc1.js'
import { verifyHc1, type VerifyResult } from '../../src/hcert/verify-hc1.js'
import { TrustList } from '../../src/trust/trust-list.js'
import { parseTrustedCertificate } from '../../src/trust/trusted-certificate.js'
import { freshKeys, type FreshKeys } from '../helpers/keys.js'
import { DURING, EXP, IAT, RECOVERY, TEST, VACCINATION } from '../helpers/payloads.js'

const trustFor = (...ders: Uint8Array[]): TrustList =>
  new TrustList(ders.map((d, i) => parseTrustedCertificate(d, `cert ${i}`)))
const failed = (r: VerifyResult): string[] =>
  Object.entries(r.checks)
    .filter(([, s]) => s === 'fail')
    .map(([n]) => n)

/** Re-encode an HC1 string after changing its COSE bytes. */
function rewrap(hc1: string, change: (cose: Uint8Array) => Uint8Array): string {
  return `HC1:${encodeBase45(deflate(change(inflate(decodeBase45(hc1.slice(4))))))}`
}

describe.each([
  ['ES256', undefined],
  ['PS256', 2048],
  ['PS256', 3072],
] as const)('sign → verify with %s %s', (alg, rsaBits) => {
  let keys: FreshKeys
  it('generates keys', async () => {
    keys = await freshKeys({ alg, ...(rsaBits ? { rsaBits } : {}) })
    expect(keys.signer.alg).toBe(alg)
  })

  it.each([
    ['vaccination', VACCINATION],
    ['test', TEST],
    ['recovery', RECOVERY],
  ])('a %s certificate verifies, with every check passing', (_type, dcc) => {
    const { hc1 } = signHc1(dcc, { iss: 'VN', iat: IAT, exp: EXP }, keys.signer)
    const result = verifyHc1(hc1, { trust: trustFor(keys.dscDer), now: DURING })
    expect(result.errors).toEqual([])
    expect(result.valid).toBe(true)
    expect(Object.values(result.checks)).toEqual(Array(8).fill('pass'))
    expect(result.alg).toBe(alg)
    expect(result.payload).toEqual(dcc)
    expect(result.claims).toEqual({ iss: 'VN', iat: IAT, exp: EXP })
  })

  it('fails only the signature when one signature bit is flipped', () => {
    const { hc1 } = signHc1(VACCINATION, { iss: 'VN', iat: IAT, exp: EXP }, keys.signer)
    const tampered = rewrap(hc1, (cose) => {
      const copy = Uint8Array.from(cose)
      copy[copy.length - 5] = (copy[copy.length - 5] as number) ^ 0x01
      return copy
    })
    const result = verifyHc1(tampered, { trust: trustFor(keys.dscDer), now: DURING })
    expect(failed(result)).toEqual(['signature'])
    expect(result.errors[0]).toMatchObject({ code: 'ERR_SIGNATURE', check: 'signature' })
  })
})

describe('tampering and clocks (ES256)', () => {
  it('a swapped kid is unknown to the trust list, named with the size of the list', async () => {
    const keys = await freshKeys()
    const other = await freshKeys()
    const { hc1 } = signHc1(VACCINATION, { iat: IAT, exp: EXP }, keys.signer)
    const swapped = rewrap(hc1, (cose) => {
      const sign1 = parseSign1(cose)
      return encodeSign1(encodeProtectedHeader(-7, other.signer.kid), {
        payload: sign1.payload,
        signature: sign1.signature,
      })
    })
    const result = verifyHc1(swapped, { trust: trustFor(keys.dscDer), now: DURING })
    expect(failed(result)).toEqual(['signature'])
    expect(result.errors[0]?.code).toBe('ERR_KID_UNKNOWN')
    expect(result.errors[0]?.message).toBe(
      `signature: kid ${Buffer.from(other.signer.kid).toString('base64')} is not in the trust list (1 key)`,
    )
    // the same kid pointing at the other certificate: the signature does not verify with it
    const misattributed = verifyHc1(swapped, { trust: trustFor(keys.dscDer, other.dscDer), now: DURING })
    expect(misattributed.errors[0]?.code).toBe('ERR_SIGNATURE')
  })

  it('a test-only DSC signing a vaccination certificate fails keyUsage', async () => {
    const keys = await freshKeys({ usage: ['t'] })
    const trust = trustFor(keys.dscDer)
    const vaccination = verifyHc1(signHc1(VACCINATION, { iat: IAT, exp: EXP }, keys.signer).hc1, {
      trust,
      now: DURING,
    })
    expect(failed(vaccination)).toEqual(['keyUsage'])
    expect(vaccination.errors[0]?.message).toBe(
      'keyUsage: the signing certificate may sign test certificates, not vaccination',
    )
    const test = verifyHc1(signHc1(TEST, { iat: IAT, exp: EXP }, keys.signer).hc1, { trust, now: DURING })
    expect(test.valid).toBe(true)
  })

  it('honours both EKU OID forms', async () => {
    const { allowedTypes } = await import('../../src/dcc/key-usage.js')
    expect(allowedTypes(['1.3.6.1.4.1.1847.2021.1.2'])).toEqual(['v'])
    expect(allowedTypes(['1.3.6.1.4.1.0.1847.2021.1.2'])).toEqual(['v'])
    expect(allowedTypes(['1.3.6.1.4.1.0.1847.2021.1.1', '1.3.6.1.4.1.1847.2021.1.3'])).toEqual(['t', 'r'])
    expect(allowedTypes(['1.3.6.1.5.5.7.3.2'])).toEqual(['v', 't', 'r'])
    expect(allowedTypes(undefined)).toEqual(['v', 't', 'r'])
  })

  it('a clock after exp, or before iat, fails expiration', async () => {
    const keys = await freshKeys()
    const { hc1 } = signHc1(VACCINATION, { iat: IAT, exp: EXP }, keys.signer)
    const trust = trustFor(keys.dscDer)
    const after = verifyHc1(hc1, { trust, now: new Date((EXP + 1) * 1000) })
    expect(failed(after)).toEqual(['expiration'])
    expect(after.errors[0]?.code).toBe('ERR_EXPIRED')
    expect(after.payload).toEqual(VACCINATION) // an expired certificate still shows what it held
    const atExp = verifyHc1(hc1, { trust, now: new Date(EXP * 1000) })
    expect(atExp.valid).toBe(true)
    const before = verifyHc1(hc1, { trust, now: new Date((IAT - 1) * 1000) })
    expect(failed(before)).toEqual(['expiration'])
    expect(before.errors[0]?.code).toBe('ERR_NOT_YET_VALID')
  })

  it('a DSC that was not yet valid at iat fails expiration', async () => {
    const keys = await freshKeys({ notBefore: new Date((IAT + 3600) * 1000) })
    const { hc1 } = signHc1(VACCINATION, { iat: IAT, exp: EXP - 86400 * 30 }, keys.signer)
    const result = verifyHc1(hc1, { trust: trustFor(keys.dscDer), now: DURING })
    expect(failed(result)).toEqual(['expiration'])
    expect(result.errors[0]?.code).toBe('ERR_DSC_VALIDITY')
  })

  it('an exp beyond the DSC notAfter fails expiration', async () => {
    const keys = await freshKeys({ notAfter: new Date((IAT + 86400 * 100) * 1000) })
    const result = verifyHc1(signHc1(VACCINATION, { iat: IAT, exp: EXP }, keys.signer).hc1, {
      trust: trustFor(keys.dscDer),
      now: DURING,
    })
    expect(result.errors[0]?.message).toMatch(/after its signing certificate does/)
  })

  it('two trusted certificates sharing a kid: the one whose key verifies is used', async () => {
    const a = await freshKeys()
    const b = await freshKeys()
    const trust = new TrustList([
      { ...parseTrustedCertificate(b.dscDer, 'b'), kid: Buffer.from(a.signer.kid).toString('base64') },
      parseTrustedCertificate(a.dscDer, 'a'),
    ])
    expect(trust.candidates(Buffer.from(a.signer.kid).toString('base64'))).toHaveLength(2)
    const result = verifyHc1(signHc1(VACCINATION, { iat: IAT, exp: EXP }, a.signer).hc1, {
      trust,
      now: DURING,
    })
    expect(result.valid).toBe(true)
    expect(result.signer).toBe(parseTrustedCertificate(a.dscDer, 'a').subject)
  })

  it('with no kid, every trusted key is tried', async () => {
    const a = await freshKeys()
    const b = await freshKeys()
    const { hc1 } = signHc1(VACCINATION, { iat: IAT, exp: EXP }, a.signer)
    const noKid = rewrap(hc1, (cose) => {
      const sign1 = parseSign1(cose)
      // re-sign without a kid: build the same message with alg only
      return encodeSign1(encodeProtectedHeader(-7, undefined), {
        payload: sign1.payload,
        signature: sign1.signature,
      })
    })
    const result = verifyHc1(noKid, { trust: trustFor(b.dscDer, a.dscDer), now: DURING })
    // the signature covered the protected header with the kid, so it no longer verifies: all keys were tried
    expect(result.errors[0]?.message).toMatch(/any of the 2 trusted keys/)
  })

  it('accepts the kid in the unprotected header, untagged messages and the CWT tag 61 wrapper', async () => {
    const keys = await freshKeys()
    const { hc1 } = signHc1(VACCINATION, { iat: IAT, exp: EXP }, keys.signer)
    const cose = inflate(decodeBase45(hc1.slice(4)))
    const tagged = decodeCbor(cose, 'cose') as Tag
    const wrapped = encodeCbor(new Tag(tagged, 61))
    const untagged = encodeCbor(tagged.value)
    const trust = trustFor(keys.dscDer)
    for (const variant of [wrapped, untagged]) {
      const text = `HC1:${encodeBase45(deflate(variant))}`
      expect(verifyHc1(text, { trust, now: DURING }).valid).toBe(true)
    }
    expect(decodeHc1(`HC1:${encodeBase45(deflate(wrapped))}`).sign1.tags).toEqual([61, 18])
    expect(decodeHc1(`HC1:${encodeBase45(deflate(untagged))}`).sign1.tags).toEqual([])
  })
})
