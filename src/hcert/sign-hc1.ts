/**
 * The whole write path, payload to text: CWT claims → COSE_Sign1 → zlib → base45 → `HC1:`.
 * Pure apart from the signature's randomness; `hcert issue` and `hcert renew` reuse it.
 */
import { constants, sign } from 'node:crypto'
import { encodeBase45 } from '../codec/base45.js'
import { encodeCbor } from '../codec/cbor.js'
import { addPrefix } from '../codec/prefix.js'
import { deflate } from '../codec/zlib.js'
import { buildSigStructure, encodeProtectedHeader, writeSign1 } from '../cose/sign1.js'
import { rawSignature } from '../cose/verify-signature.js'
import { CLAIM, HCERT_EU_DCC_V1 } from '../cwt/claims.js'
import type { Signer } from '../keys/signer.js'

export interface SignClaims {
  /** issuing country, ISO 3166-1 alpha-2 */
  iss?: string
  /** seconds since 1970 */
  iat: number
  exp: number
}

export interface SignedHcert {
  hc1: string
  cose: Uint8Array
}

/**
 * The CWT claims around a DCC already encoded as CBOR: exactly the bytes cbor-x writes for the map
 * {1: iss, 4: exp, 6: iat, -260: {1: dcc}}. `hcert issue` encodes the DCC on its main thread and
 * signs on workers, which then neither parse nor encode the payload again.
 */
export function encodeClaimsAround(dccCbor: Uint8Array, claims: SignClaims): Buffer {
  const head = new Map<number, unknown>()
  if (claims.iss !== undefined) head.set(CLAIM.iss, claims.iss)
  head.set(CLAIM.exp, Math.floor(claims.exp))
  head.set(CLAIM.iat, Math.floor(claims.iat))
  const start = encodeCbor(head) // a map of 2 or 3 entries: its first byte is 0xa2 or 0xa3
  const out = Buffer.allocUnsafe(start.length + HCERT_HEAD.length + dccCbor.length)
  out.set(start, 0)
  out[0] = (start[0] as number) + 1 // one more entry: -260
  out.set(HCERT_HEAD, start.length)
  out.set(dccCbor, start.length + HCERT_HEAD.length)
  return out
}

/** -260 (0x39 0x0103), then a map of one entry whose key is 1 (eu_dcc_v1) */
const HCERT_HEAD = Uint8Array.of(0x39, 0x01, 0x03, 0xa1, HCERT_EU_DCC_V1)

export function encodeClaims(dcc: unknown, claims: SignClaims): Uint8Array {
  return encodeClaimsAround(encodeCbor(dcc), claims)
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
  const signature =
    signer.alg === 'ES256'
      ? rawSignature(sign('sha256', toBeSigned, signer.privateKey))
      : sign('sha256', toBeSigned, {
          key: signer.privateKey,
          padding: constants.RSA_PKCS1_PSS_PADDING,
          saltLength: 32,
        })
  return writeSign1(protectedBytes, payload, signature)
}

export function signHc1(dcc: unknown, claims: SignClaims, signer: Signer): SignedHcert {
  return signClaims(encodeClaims(dcc, claims), signer)
}

/** From the encoded CWT claims on: what a signing worker does. */
export function signClaims(claims: Uint8Array, signer: Signer): SignedHcert {
  const cose = signPayload(claims, signer)
  return { hc1: addPrefix(encodeBase45(deflate(cose))), cose }
}
