/**
 * Will a certificate fit in a QR code? Computed before signing, so that a record too long for a QR
 * code is rejected in data cleaning instead of being signed, committed and then failing the QR writer.
 *
 * HCERT §4.2.2 asks for QR codes in alphanumeric mode at error correction Q: version 40 holds at most
 * 2,420 characters (ISO/IEC 18004:2015, table 7; 3,057 in that table is version 40 numeric mode at
 * error correction H, not ours; the qrcode package refuses 2,421). The length of the `HC1:` text is computed from the
 * payload as the signer will write it: the CWT claims exactly (iss, iat, exp, -260), the protected
 * header (alg, kid) exactly, and a signature of the signer's size (64 bytes for ES256, the modulus
 * for PS256) made of random bytes, which compress no better than a real signature. When the
 * uncompressed COSE_Sign1 in zlib stored blocks already fits (most certificates), nothing is
 * compressed; otherwise the COSE_Sign1 is compressed as the signer compresses it, with three random
 * placeholders, the worst of them plus a margin (32 bytes for ES256, 56 for PS256 with 2048 bits)
 * for the bytes by which a real signature may compress worse than the placeholders.
 */
import { randomBytes } from 'node:crypto'
import { deflate } from '../codec/zlib.js'
import { encodeProtectedHeader, writeSign1 } from '../cose/sign1.js'
import { encodeClaims } from '../hcert/sign-hc1.js'
import type { Signer } from '../keys/signer.js'

/** Alphanumeric characters in a version 40 QR code at error correction Q. */
export const QR_CAPACITY_Q = 2420

/**
 * Bytes by which a real signature may compress worse than the worst of PLACEHOLDERS random ones:
 * measured at most 10 (ES256, 15 characters) and 12 (PS256 with 2048 bits, 17 characters) over
 * some 380 signatures each near the limit; the margin is about three times that.
 */
export const marginBytes = (signatureBytes: number): number => 24 + Math.ceil(signatureBytes / 8)
const PLACEHOLDERS = 3

/** What the signer adds around a payload: all that the length depends on besides the payload. */
export interface SignedShape {
  /** the encoded protected header {1: alg, 4: kid}, as the signer writes it */
  protectedHeader: Uint8Array
  /** bytes of the signature: 64 for ES256, the modulus length for PS256 */
  signatureBytes: number
  /** seconds since 1970 */
  iat: number
  exp: number
}

export function signedShapeOf(signer: Signer, iat: number, exp: number): SignedShape {
  return {
    protectedHeader: encodeProtectedHeader(signer.algId, signer.kid),
    signatureBytes: signer.signatureBytes,
    iat,
    exp,
  }
}

/** base45 (RFC 9285): 3 characters per 2 bytes, 2 for a last odd byte */
const base45Length = (bytes: number): number => Math.floor(bytes / 2) * 3 + (bytes % 2) * 2

/** zlib stream of stored blocks: header 2, 5 per block of up to 65,535 bytes, Adler-32 4 */
const storedZlibLength = (bytes: number): number => 2 + bytes + 5 * Math.max(1, Math.ceil(bytes / 0xffff)) + 4

/** CBOR bytes a JSON value may take at most: heads of 5 bytes (lengths below 2^32), numbers 9. */
function cborBound(value: unknown): number {
  if (typeof value === 'string') return 5 + Buffer.byteLength(value)
  if (typeof value === 'number') return 9
  if (Array.isArray(value)) {
    let n = 5
    for (const item of value) n += cborBound(item)
    return n
  }
  if (value && typeof value === 'object') {
    let n = 5
    for (const key in value)
      n += 5 + Buffer.byteLength(key) + cborBound((value as Record<string, unknown>)[key])
    return n
  }
  return 1 // true, false, null
}

/**
 * An upper bound on the length of the `HC1:` text that signing `dcc` with claims {iss, iat, exp}
 * would give (characters): loose and cheap (no encoding, no compression: ~2 µs measured) when the certificate
 * fits anyway, within the margin of the signed length when it does not.
 */
export function hc1LengthBound(dcc: unknown, iss: string | undefined, shape: SignedShape): number {
  const protectedBytes = shape.protectedHeader
  // COSE_Sign1: tag, array head, protected bstr, {} , payload bstr (claims: map head, iss, exp, iat,
  // -260 head), signature bstr
  const claimsBound = 1 + (iss === undefined ? 0 : 1 + cborBound(iss)) + 2 * (1 + 9) + 5 + cborBound(dcc)
  const coseBound = 2 + 5 + protectedBytes.length + 1 + 5 + claimsBound + 5 + shape.signatureBytes
  const loose = 4 + base45Length(storedZlibLength(coseBound))
  if (loose <= QR_CAPACITY_Q) return loose
  const claims = encodeClaims(dcc, { ...(iss === undefined ? {} : { iss }), iat: shape.iat, exp: shape.exp })
  let compressed = 0
  let stored = 0
  for (let i = 0; i < PLACEHOLDERS; i++) {
    const cose = writeSign1(protectedBytes, claims, randomBytes(shape.signatureBytes))
    compressed = Math.max(compressed, deflate(cose).length)
    stored = storedZlibLength(cose.length)
  }
  // the deflater picks stored blocks when they are smaller: the signed length is never above those
  return 4 + base45Length(Math.min(stored, compressed + marginBytes(shape.signatureBytes)))
}
