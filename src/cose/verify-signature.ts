/** Checking a COSE_Sign1 signature: ES256 (raw r‖s, 64 bytes) and PS256 (RSASSA-PSS, SHA-256, salt 32). */
import { constants, verify, type KeyObject } from 'node:crypto'
import { ALG_ID } from './algorithms.js'
import { buildSigStructure, type Sign1 } from './sign1.js'

export type SignatureOutcome = 'valid' | 'invalid' | 'unsupported-alg' | 'key-mismatch'

export function verifySign1(sign1: Sign1, key: KeyObject, sigStructure?: Uint8Array): SignatureOutcome {
  const toBeSigned = sigStructure ?? buildSigStructure(sign1.protectedBytes, sign1.payload)
  const type = key.asymmetricKeyType
  if (sign1.alg === ALG_ID.ES256) {
    if (type !== 'ec') return 'key-mismatch'
    if (sign1.signature.length !== 64) return 'invalid'
    // the key itself and a DER signature: ~1 us less per call than the options object with
    // dsaEncoding 'ieee-p1363', which node:crypto converts the same way
    return verify('sha256', toBeSigned, key, writeDer(sign1.signature, scratchDer)) ? 'valid' : 'invalid'
  }
  if (sign1.alg === ALG_ID.PS256) {
    if (type !== 'rsa' && type !== 'rsa-pss') return 'key-mismatch'
    const ok = verify(
      'sha256',
      toBeSigned,
      { key, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: 32 },
      sign1.signature,
    )
    return ok ? 'valid' : 'invalid'
  }
  return 'unsupported-alg'
}

/** ES256's raw r‖s (32 + 32 bytes) as the DER SEQUENCE { INTEGER r, INTEGER s } that OpenSSL reads. */
export function derSignature(raw: Uint8Array): Buffer {
  const out = Buffer.allocUnsafe(72)
  return writeDer(raw, out)
}

// verifySign1 hands the DER straight to node:crypto, which copies it: one scratch buffer will do
const scratchDer = Buffer.alloc(72)

function writeDer(raw: Uint8Array, out: Buffer): Buffer {
  let o = 2
  for (let half = 0; half < 64; half += 32) {
    let i = half
    while (i < half + 31 && raw[i] === 0) i++ // minimal: no leading zero bytes, but at least one byte
    const pad = (raw[i] as number) & 0x80 ? 1 : 0 // a set high bit would read as negative
    out[o++] = 0x02
    out[o++] = half + 32 - i + pad
    if (pad) out[o++] = 0
    out.set(raw.subarray(i, half + 32), o)
    o += half + 32 - i
  }
  out[0] = 0x30
  out[1] = o - 2
  return out.subarray(0, o)
}

/**
 * The DER SEQUENCE { INTEGER r, INTEGER s } that node:crypto signs as ES256's raw r‖s (32 + 32
 * bytes): signing with the key itself and converting here costs less than dsaEncoding 'ieee-p1363'.
 */
export function rawSignature(der: Uint8Array): Buffer {
  const out = Buffer.alloc(64)
  let o = 2 // 0x30, length (under 128 for P-256)
  for (let half = 0; half < 64; half += 32) {
    if (der[o] !== 0x02) throw new Error('rawSignature: not a DER ECDSA signature')
    let length = der[o + 1] as number
    let from = o + 2
    o = from + length
    while (length > 32 && der[from] === 0) {
      from++
      length--
    }
    if (length > 32) throw new Error('rawSignature: an integer longer than 32 bytes')
    out.set(der.subarray(from, from + length), half + 32 - length)
  }
  return out
}
