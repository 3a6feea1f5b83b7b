import { generateKeyPairSync, randomBytes, sign, verify } from 'node:crypto'
import { describe, expect, it } from 'vitest'
import { derSignature } from '../../src/cose/verify-signature.js'

describe('ES256 signatures: raw r‖s to DER', () => {
  it('writes minimal DER INTEGERs: zero, a set high bit, leading zero bytes', () => {
    expect(derSignature(new Uint8Array(64)).toString('hex')).toBe('3006020100020100')
    const high = Buffer.concat([Buffer.alloc(32, 0xff), Buffer.alloc(32, 0x01)])
    expect(derSignature(high).toString('hex')).toBe(`3045022100${'ff'.repeat(32)}0220${'01'.repeat(32)}`)
    const leading = Buffer.concat([
      Buffer.of(0, 0, 0x7f),
      Buffer.alloc(29, 1),
      Buffer.of(0, 0x80),
      Buffer.alloc(30, 2),
    ])
    // r: 00 00 7f… → 30 bytes; s: 00 80… → 31 bytes, high bit set → a 00 in front
    expect(derSignature(leading).toString('hex')).toBe(
      `3042021e7f${'01'.repeat(29)}02200080${'02'.repeat(30)}`,
    )
  })

  it('verifies what node:crypto signs in IEEE P1363 form, and nothing else, over 2,000 signatures', () => {
    const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' })
    for (let i = 0; i < 2000; i++) {
      const data = randomBytes(40)
      const raw = sign('sha256', data, { key: privateKey, dsaEncoding: 'ieee-p1363' })
      expect(verify('sha256', data, publicKey, derSignature(raw))).toBe(true)
      raw[i % 64] = (raw[i % 64] as number) ^ 1
      expect(verify('sha256', data, publicKey, derSignature(raw))).toBe(false)
    }
  })
})
