import { generateKeyPairSync, randomBytes, sign, verify } from 'node:crypto'
import { describe, expect, it } from 'vitest'
import { encodeCbor } from '../../src/codec/cbor.js'
import { encodeProtectedHeader, encodeSign1, writeSign1 } from '../../src/cose/sign1.js'
import { derSignature, rawSignature } from '../../src/cose/verify-signature.js'
import { CLAIM, HCERT_EU_DCC_V1 } from '../../src/cwt/claims.js'
import { encodeClaims, encodeClaimsAround } from '../../src/hcert/sign-hc1.js'
import { RECOVERY, TEST, VACCINATION } from '../helpers/payloads.js'

/** The claims as one cbor-x map, as they were encoded before the DCC could be encoded apart */
function wholeMap(dcc: unknown, claims: { iss?: string; iat: number; exp: number }): Uint8Array {
  const map = new Map<number, unknown>()
  if (claims.iss !== undefined) map.set(CLAIM.iss, claims.iss)
  map.set(CLAIM.exp, Math.floor(claims.exp))
  map.set(CLAIM.iat, Math.floor(claims.iat))
  map.set(CLAIM.hcert, new Map([[HCERT_EU_DCC_V1, dcc]]))
  return encodeCbor(map)
}

describe('the issuing hot path writes the same bytes as the CBOR encoder', () => {
  it.each([
    ['vaccination, iss', VACCINATION, { iss: 'VN', iat: 1622592000, exp: 1654128000 }],
    ['test, no iss', TEST, { iat: 1622592000.7, exp: 1654128000 }],
    ['recovery, small times', RECOVERY, { iss: 'AT', iat: 0, exp: 23 }],
    ['vaccination, exp beyond 2^32', VACCINATION, { iss: 'VN', iat: 1622592000, exp: 2 ** 32 + 5 }],
    ['times of one, two and four bytes', VACCINATION, { iss: 'VN', iat: 200, exp: 65_000 }],
    ['times at the edges of each size', TEST, { iss: 'DE', iat: 255, exp: 65_536 }],
    ['a negative iat', RECOVERY, { iss: 'AT', iat: -5, exp: 1654128000 }],
    ['a non-ASCII iss', VACCINATION, { iss: 'VÑ', iat: 1622592000, exp: 1654128000 }],
    ['an iss of 23 and of 24 characters', TEST, { iss: 'X'.repeat(23), iat: 24, exp: 0xffffffff }],
    ['an iss of 24 characters', TEST, { iss: 'Y'.repeat(24), iat: 23, exp: 0x100000000 }],
  ])('CWT claims around a pre-encoded DCC: %s', (_, dcc, claims) => {
    expect(Buffer.from(encodeClaimsAround(encodeCbor(dcc), claims))).toEqual(
      Buffer.from(wholeMap(dcc, claims)),
    )
    expect(Buffer.from(encodeClaims(dcc, claims))).toEqual(Buffer.from(wholeMap(dcc, claims)))
  })

  it.each([
    ['ES256', 64, 100],
    ['PS256', 256, 400],
    ['a payload over 65,535 bytes', 64, 70_000],
  ])('COSE_Sign1 written directly: %s', (_, signatureLength, payloadLength) => {
    const protectedBytes = encodeProtectedHeader(-7, Uint8Array.of(1, 2, 3, 4, 5, 6, 7, 8))
    const payload = randomBytes(payloadLength)
    const signature = randomBytes(signatureLength)
    expect(writeSign1(protectedBytes, payload, signature)).toEqual(
      Buffer.from(encodeSign1(protectedBytes, { payload, signature })),
    )
  })

  it('ES256 signatures: DER to raw r‖s and back is the identity, over 2,000 signatures', () => {
    const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' })
    for (let i = 0; i < 2000; i++) {
      const data = randomBytes(32)
      const der = sign('sha256', data, privateKey)
      const raw = rawSignature(der)
      expect(raw.length).toBe(64)
      expect(derSignature(raw)).toEqual(der)
      expect(verify('sha256', data, { key: publicKey, dsaEncoding: 'ieee-p1363' }, raw)).toBe(true)
    }
  })
})
