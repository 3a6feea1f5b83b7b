/**
 * The whole write path, payload to text: CWT claims → COSE_Sign1 → zlib → base45 → `HC1:`.
 * Pure apart from the signature's randomness; `hcert issue` and `hcert renew` reuse it.
 */
import { encodeBase45 } from '../codec/base45.js'
import { encodeCbor, encodeCborTransient } from '../codec/cbor.js'
import { addPrefix } from '../codec/prefix.js'
import { deflate } from '../codec/zlib.js'
import { buildSigStructure, encodeProtectedHeader, writeSign1 } from '../cose/sign1.js'
import { CLAIM, HCERT_EU_DCC_V1 } from '../cwt/claims.js'
import type { Signer } from '../keys/signer.js'

export interface SignClaims {
  /** issuing country, ISO 3166-1 alpha-2 */
  iss?: string
  /** seconds since 1970 */
  iat: number
  exp: number
  /**
   * the payload's key under claim -260 (WHO HCERT spec v1.1.1 §3.2.7.1): 1 for the EU DCC (the
   * default), -6 for the smart ICVP (DVC)
   */
  key?: HcertKey
}

/** The keys under -260 that hcert issues: 1 the EU DCC, -6 the smart ICVP. */
export type HcertKey = 1 | -6

export interface SignedHcert {
  hc1: string
  cose: Uint8Array
}

/**
 * The CWT claims around a DCC already encoded as CBOR: exactly the bytes cbor-x writes for the map
 * {1: iss, 4: exp, 6: iat, -260: {1: dcc}} (tested). `hcert issue` encodes the DCC on its main thread
 * and signs on workers, which then neither parse nor encode the payload again. `dccCbor` may be the
 * encoder's own transient bytes (encodeCborTransient): they are copied before the encoder runs again.
 */
export function encodeClaimsAround(dccCbor: Uint8Array, claims: SignClaims): Buffer {
  const iat = Math.floor(claims.iat)
  const exp = Math.floor(claims.exp)
  const iss = claims.iss
  // the usual shape (an ASCII country code, times between 1970 and 2106) is written by hand; any
  // other goes through the encoder
  if (isUint32(iat) && isUint32(exp) && (iss === undefined || isShortAscii(iss))) {
    const issLength = iss === undefined ? 0 : 2 + iss.length
    const hcertHead = claims.key === -6 ? HCERT_HEAD_ICVP : HCERT_HEAD
    const out = Buffer.allocUnsafe(1 + issLength + 6 + 6 + hcertHead.length + dccCbor.length)
    let o = 0
    out[o++] = iss === undefined ? 0xa3 : 0xa4 // a map of 3 or 4 entries
    if (iss !== undefined) {
      out[o++] = CLAIM.iss
      out[o++] = 0x60 + iss.length // a text string of fewer than 24 bytes
      o += out.write(iss, o, 'latin1')
    }
    o = writeUint32Claim(out, o, CLAIM.exp, exp)
    o = writeUint32Claim(out, o, CLAIM.iat, iat)
    out.set(hcertHead, o)
    out.set(dccCbor, o + hcertHead.length)
    return out.subarray(0, o + hcertHead.length + dccCbor.length)
  }
  const dcc = Uint8Array.from(dccCbor) // before the encoder writes the head over transient bytes
  const head = new Map<number, unknown>()
  if (iss !== undefined) head.set(CLAIM.iss, iss)
  head.set(CLAIM.exp, exp)
  head.set(CLAIM.iat, iat)
  const start = encodeCbor(head) // a map of 2 or 3 entries: its first byte is 0xa2 or 0xa3
  const hcertHead = claims.key === -6 ? HCERT_HEAD_ICVP : HCERT_HEAD
  const out = Buffer.allocUnsafe(start.length + hcertHead.length + dccCbor.length)
  out.set(start, 0)
  out[0] = (start[0] as number) + 1 // one more entry: -260
  out.set(hcertHead, start.length)
  out.set(dcc, start.length + hcertHead.length)
  return out
}

const isUint32 = (n: number): boolean => n >= 0 && n <= 0xffffffff

function isShortAscii(text: string): boolean {
  if (text.length >= 24) return false
  for (let i = 0; i < text.length; i++) if (text.charCodeAt(i) > 0x7f) return false
  return true
}

/** A claim key (< 24) and an unsigned integer value, in the shortest form (as CBOR encoders write it). */
function writeUint32Claim(out: Buffer, o: number, key: number, value: number): number {
  out[o++] = key
  if (value < 24) out[o++] = value
  else if (value < 0x100) {
    out[o++] = 0x18
    out[o++] = value
  } else if (value < 0x10000) {
    out[o++] = 0x19
    o = out.writeUInt16BE(value, o)
  } else {
    out[o++] = 0x1a
    o = out.writeUInt32BE(value, o)
  }
  return o
}

/** -260 (0x39 0x0103), then a map of one entry whose key is 1 (eu_dcc_v1) */
const HCERT_HEAD = Uint8Array.of(0x39, 0x01, 0x03, 0xa1, HCERT_EU_DCC_V1)
/** -260, then a map of one entry whose key is -6 (0x25: the smart ICVP, WHO HCERT spec §3.2.7.1) */
const HCERT_HEAD_ICVP = Uint8Array.of(0x39, 0x01, 0x03, 0xa1, 0x25)

export function encodeClaims(dcc: unknown, claims: SignClaims): Uint8Array {
  // the encoder's own bytes, copied into the claims at once: a copy of their own costs an ArrayBuffer
  // (3.8 µs with one, 1.4 µs without, for the claims of a certificate)
  return encodeClaimsAround(encodeCborTransient(dcc), claims)
}

/** The protected header is the same for every certificate a signer signs: encoded once. */
const protectedHeaders = new WeakMap<Signer, Uint8Array>()

export function signPayload(payload: Uint8Array, signer: Signer): Uint8Array {
  let protectedBytes = protectedHeaders.get(signer)
  if (!protectedBytes) {
    protectedBytes = encodeProtectedHeader(signer.algId, signer.kid)
    protectedHeaders.set(signer, protectedBytes)
  }
  const toBeSigned = buildSigStructure(protectedBytes, payload)
  return writeSign1(protectedBytes, payload, signer.sign(toBeSigned))
}

export function signHc1(dcc: unknown, claims: SignClaims, signer: Signer): SignedHcert {
  return signClaims(encodeClaims(dcc, claims), signer)
}

/** From the encoded CWT claims on: what a signing worker does. */
export function signClaims(claims: Uint8Array, signer: Signer): SignedHcert {
  const cose = signPayload(claims, signer)
  return { hc1: addPrefix(encodeBase45(deflate(cose))), cose }
}
