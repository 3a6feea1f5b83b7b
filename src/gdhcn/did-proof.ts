/**
 * The proof of a GDHCN DID trust list: `JsonWebSignature2020` (W3C CCG JWS 2020 §4; ld-signatures-java
 * as tng-key-distribution uses it), a detached JWS with header `{"alg":"ES256","b64":false,"crit":["b64"]}`
 * (RFC 7797) over SHA-256(canonical proof options) ‖ SHA-256(canonical document without its proof),
 * both URDNA2015 N-Quads (did-canonical.ts). Verified with jose.
 *
 * Normalised, as published files need: a DER-encoded ECDSA signature (`MEQCI…`) becomes raw r‖s
 * (RFC 7518 §3.4), and a signer JWK's 33-byte `x`/`y` with a leading zero become 32 bytes.
 */
import { createHash } from 'node:crypto'
import { NotReadableFile, readRegularFileSync } from '../fs/read-regular-file.js'
import { MAX_TRUST_FILE_BYTES } from '../services/load-trust.js'
import { flattenedVerify, importJWK, importSPKI, importX509, type JWK } from 'jose'
import { DccError } from '../errors.js'
import { canonicalNQuads, Unsupported } from './did-canonical.js'
import { isDidDocument, normaliseCoordinate } from './did-trust-list.js'
import { jsonTooDeep, MAX_JSON_DEPTH } from '../codec/json-depth.js'

export type ProofOutcome =
  | { status: 'verified'; verificationMethod?: string }
  | { status: 'failed'; reason: string }
  | { status: 'unchecked'; reason: string }

type Json = Record<string, unknown>
type VerifyKey = Awaited<ReturnType<typeof importJWK>>
const isObject = (value: unknown): value is Json =>
  typeof value === 'object' && value !== null && !Array.isArray(value)

/**
 * The key of --trust-proof-key: a JWK, a DID document (its first verificationMethod with a
 * publicKeyJwk, as WHO publishes its signing DID), a PEM public key or a PEM certificate.
 * ERR_TRUST when the file holds none of these.
 */
export async function readProofKey(path: string): Promise<VerifyKey> {
  let text: string
  try {
    text = readRegularFileSync(path, MAX_TRUST_FILE_BYTES).toString('utf8')
  } catch (cause) {
    const why =
      cause instanceof NotReadableFile
        ? cause.reason === 'too-large'
          ? `is ${cause.size} bytes, more than the ${MAX_TRUST_FILE_BYTES} accepted for a key`
          : `is a ${cause.kind}, not a regular file`
        : `cannot be read (${(cause as NodeJS.ErrnoException).code ?? 'error'})`
    throw new DccError('ERR_TRUST', `trust: --trust-proof-key ${path} ${why}`, { cause })
  }
  try {
    if (text.includes('-----BEGIN CERTIFICATE-----')) return await importX509(text.trim(), 'ES256')
    if (text.includes('-----BEGIN PUBLIC KEY-----')) return await importSPKI(text.trim(), 'ES256')
    const json = JSON.parse(text) as unknown
    if (jsonTooDeep(json)) throw new Error(`nests JSON more than ${MAX_JSON_DEPTH} levels deep`)
    const jwk = isDidDocument(json)
      ? (json.verificationMethod as unknown[])
          .map((m) => (isObject(m) ? m.publicKeyJwk : undefined))
          .find(isObject)
      : json
    if (!isObject(jwk)) throw new Error('no publicKeyJwk')
    return await importJWK(normaliseJwk(jwk), 'ES256')
  } catch (cause) {
    throw new DccError(
      'ERR_TRUST',
      `trust: --trust-proof-key ${path} holds no ES256 key (a JWK, a DID document with a publicKeyJwk, a PEM public key or certificate)`,
      { cause },
    )
  }
}

/** A public JWK with 32-byte EC coordinates (x5c and private parts dropped: only the key is wanted). */
export function normaliseJwk(jwk: Json): JWK {
  const out: JWK = { kty: String(jwk.kty) }
  if (jwk.kty === 'EC') {
    out.crv = String(jwk.crv)
    out.x = normaliseCoordinate(String(jwk.x))
    out.y = normaliseCoordinate(String(jwk.y))
  } else {
    out.n = String(jwk.n)
    out.e = String(jwk.e)
  }
  return out
}

/** The verify data of the proof: SHA-256(canonical proof options) ‖ SHA-256(canonical document). */
export function proofVerifyData(doc: Json): Uint8Array {
  const { proof, ...rest } = doc
  if (!isObject(proof)) throw new Unsupported('it has no proof object')
  const { jws: _jws, proofValue: _value, ...options } = proof
  const sha = (text: string): Buffer => createHash('sha256').update(text, 'utf8').digest()
  return Buffer.concat([
    sha(canonicalNQuads(options, doc['@context'])),
    sha(canonicalNQuads(rest, doc['@context'])),
  ])
}

/** Verify a DID document's proof with the given key. Never throws for a bad document: the outcome says why. */
export async function verifyDidProof(doc: Json, key: VerifyKey): Promise<ProofOutcome> {
  const proof = doc.proof
  if (!isObject(proof)) return { status: 'failed', reason: 'the document has no proof' }
  if (proof.type !== 'JsonWebSignature2020')
    return { status: 'unchecked', reason: `its proof type is not JsonWebSignature2020` }
  const parts = typeof proof.jws === 'string' ? proof.jws.split('.') : []
  if (parts.length !== 3 || parts[1] !== '')
    return { status: 'failed', reason: 'its proof jws is not a detached JWS (header..signature)' }
  let data: Uint8Array
  try {
    data = proofVerifyData(doc)
  } catch (err) {
    if (err instanceof Unsupported)
      return { status: 'unchecked', reason: `it cannot be canonicalised here: ${err.message}` }
    throw err
  }
  const signature = rawEcdsa(Buffer.from(parts[2] as string, 'base64url'))
  try {
    await flattenedVerify(
      { protected: parts[0] as string, payload: data, signature: signature.toString('base64url') },
      key,
    )
    return {
      status: 'verified',
      ...(typeof proof.verificationMethod === 'string'
        ? { verificationMethod: proof.verificationMethod }
        : {}),
    }
  } catch (err) {
    return {
      status: 'failed',
      reason: `its proof does not verify with the given key (${(err as Error).message}): the document changed after signing, the key is not the signer's, or the signer canonicalised it otherwise, as the WHO's published examples are (README "GDHCN DID trust lists")`,
    }
  }
}

/** A DER ECDSA signature (SEQUENCE of two INTEGERs) as raw r‖s of 32 bytes each; raw input is returned as it is. */
export function rawEcdsa(signature: Buffer): Buffer {
  if (signature.length === 64 || signature[0] !== 0x30) return signature
  const out = Buffer.alloc(64)
  let o = (signature[1] as number) & 0x80 ? 2 + ((signature[1] as number) & 0x7f) : 2
  for (let half = 0; half < 64; half += 32) {
    if (signature[o] !== 0x02) return signature
    let length = signature[o + 1] as number
    let from = o + 2
    o = from + length
    while (length > 32 && signature[from] === 0) {
      from++
      length--
    }
    if (length > 32 || o > signature.length) return signature
    signature.copy(out, half + 32 - length, from, from + length)
  }
  return out
}
