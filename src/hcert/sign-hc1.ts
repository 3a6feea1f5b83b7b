/**
 * The whole write path, payload to text: CWT claims → COSE_Sign1 → zlib → base45 → `HC1:`.
 * Pure apart from the signature's randomness; `hcert issue` and `hcert renew` reuse it.
 */
import { constants, sign } from 'node:crypto'
import { encodeBase45 } from '../codec/base45.js'
import { encodeCbor } from '../codec/cbor.js'
import { addPrefix } from '../codec/prefix.js'
import { deflate } from '../codec/zlib.js'
import { buildSigStructure, encodeProtectedHeader, encodeSign1 } from '../cose/sign1.js'
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

export function encodeClaims(dcc: unknown, claims: SignClaims): Uint8Array {
  const map = new Map<number, unknown>()
  if (claims.iss !== undefined) map.set(CLAIM.iss, claims.iss)
  map.set(CLAIM.exp, Math.floor(claims.exp))
  map.set(CLAIM.iat, Math.floor(claims.iat))
  map.set(CLAIM.hcert, new Map([[HCERT_EU_DCC_V1, dcc]]))
  return encodeCbor(map)
}

export function signPayload(payload: Uint8Array, signer: Signer): Uint8Array {
  const protectedBytes = encodeProtectedHeader(signer.algId, signer.kid)
  const toBeSigned = buildSigStructure(protectedBytes, payload)
  const signature =
    signer.alg === 'ES256'
      ? sign('sha256', toBeSigned, { key: signer.privateKey, dsaEncoding: 'ieee-p1363' })
      : sign('sha256', toBeSigned, {
          key: signer.privateKey,
          padding: constants.RSA_PKCS1_PSS_PADDING,
          saltLength: 32,
        })
  return encodeSign1(protectedBytes, { payload, signature })
}

export function signHc1(dcc: unknown, claims: SignClaims, signer: Signer): SignedHcert {
  const cose = signPayload(encodeClaims(dcc, claims), signer)
  return { hc1: addPrefix(encodeBase45(deflate(cose))), cose }
}
