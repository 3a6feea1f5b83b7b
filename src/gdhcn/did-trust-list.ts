/**
 * A GDHCN DID trust-list document (smart-trust `concepts_did_gdhcn.md`, trust lists v2; written by
 * tng-key-distribution `DidTrustListServiceV2`) as trusted signers: each `verificationMethod` whose
 * `publicKeyJwk` has an `x5c` chain (DSC first, then its SCA) gives its DSC, with the trust domain,
 * participant and key usage read from the DID path `…:trustlist:<domain>:<participant>:<usage>`
 * (of the method's id, else of the document's; `-` is a wildcard). SCA entries are not signers.
 * References to other DID documents are listed, never fetched.
 *
 * Quirks of published files are normalised, not refused: JWK `x`/`y` of 33 bytes with a leading
 * zero (Java's BigInteger form) are compared as their 32 bytes.
 */
import { createPublicKey, X509Certificate } from 'node:crypto'
import { DccError } from '../errors.js'
import { parseTrustedCertificate, type TrustedCertificate } from '../trust/trusted-certificate.js'

export type DidLoaded = { where: string; cert: TrustedCertificate } | { where: string; problem: string }

export interface DidScope {
  domain?: string
  participant?: string
  usage?: string
}

export interface DidTrustList {
  id: string
  scope: DidScope
  entries: DidLoaded[]
  /** verification methods that are references to other DID documents (not fetched) */
  references: string[]
  /** entries left out: SCA keys, and those outside --trust-domain */
  omitted: number
}

type Json = Record<string, unknown>
const isObject = (value: unknown): value is Json =>
  typeof value === 'object' && value !== null && !Array.isArray(value)

/** Whether parsed JSON is a DID document (it has an id starting did: and a verificationMethod list). */
export function isDidDocument(json: unknown): json is Json {
  return (
    isObject(json) &&
    typeof json.id === 'string' &&
    json.id.startsWith('did:') &&
    'verificationMethod' in json
  )
}

/** The domain, participant and usage of a DID id `did:web:host:…:trustlist[-ref]:<d>:<p>:<u>`. */
export function didScope(id: string): DidScope {
  const path = id.split('#')[0]?.split(':') ?? []
  const at = path.findIndex((part) => part === 'trustlist' || part === 'trustlist-ref')
  if (at < 0) return {}
  const [domain, participant, usage] = path.slice(at + 1).map((p) => (p === '-' || p === '' ? undefined : p))
  const scope: DidScope = {}
  if (domain) scope.domain = domain
  if (participant) scope.participant = participant
  if (usage) scope.usage = usage
  return scope
}

/**
 * The signers of a DID trust list. `domains`, when given, keeps the entries of those trust domains
 * (case-insensitive). Throws ERR_TRUST when the document has no verificationMethod list.
 */
export function readDidTrustList(doc: Json, path: string, domains?: readonly string[]): DidTrustList {
  const id = doc.id as string
  const methods = doc.verificationMethod
  if (!Array.isArray(methods))
    throw new DccError('ERR_TRUST', `trust: ${path} is a DID document whose verificationMethod is not a list`)
  const docScope = didScope(id)
  const wanted = domains?.map((d) => d.toUpperCase())
  const out: DidTrustList = { id, scope: docScope, entries: [], references: [], omitted: 0 }
  methods.forEach((method: unknown, i) => {
    const where = `${path} verificationMethod ${i}`
    if (typeof method === 'string') {
      out.references.push(method)
      return
    }
    if (!isObject(method)) {
      out.entries.push({ where, problem: 'is neither a key nor a DID reference' })
      return
    }
    const scope = { ...docScope, ...(typeof method.id === 'string' ? didScope(method.id) : {}) }
    if (scope.usage !== undefined && scope.usage.toUpperCase() !== 'DSC') {
      out.omitted++
      return
    }
    if (wanted && !(scope.domain && wanted.includes(scope.domain.toUpperCase()))) {
      out.omitted++
      return
    }
    const loaded = readMethod(method, where, scope)
    if ('cert' in loaded && loaded.cert.ca && scope.usage === undefined) {
      out.omitted++ // an SCA in a list that mixes usages
      return
    }
    out.entries.push(loaded)
  })
  return out
}

function readMethod(method: Json, where: string, scope: DidScope): DidLoaded {
  const jwk = method.publicKeyJwk
  if (!isObject(jwk)) return { where, problem: 'has no publicKeyJwk' }
  const chain = jwk.x5c
  if (!Array.isArray(chain) || chain.length === 0 || !chain.every((c) => typeof c === 'string'))
    return { where, problem: 'has no x5c certificate chain (a bare key names no signer and no validity)' }
  const fragment = typeof method.id === 'string' ? method.id.split('#')[1] : undefined
  const kid = typeof jwk.kid === 'string' ? jwk.kid : fragment ? safeDecode(fragment) : undefined
  let cert: TrustedCertificate
  try {
    cert = parseTrustedCertificate(new Uint8Array(Buffer.from(chain[0] as string, 'base64')), where, kid)
  } catch (err) {
    if (!(err instanceof DccError)) throw err
    return { where, problem: err.message.replace(`trust: ${where} `, '') }
  }
  const mismatch = keyMismatch(jwk, cert)
  if (mismatch) return { where, problem: mismatch }
  if (chain.length > 1) {
    try {
      const dsc = new X509Certificate(Buffer.from(chain[0] as string, 'base64'))
      const sca = new X509Certificate(Buffer.from(chain[1] as string, 'base64'))
      if (!dsc.verify(sca.publicKey))
        return {
          where,
          problem:
            'has an x5c chain that does not hold: its certificate is not signed by the next one (its SCA)',
        }
    } catch {
      return { where, problem: 'has an x5c chain whose second certificate cannot be read' }
    }
  }
  if (scope.domain) cert.domain = scope.domain
  if (scope.usage) cert.usage = scope.usage
  if (scope.participant) cert.participant = scope.participant
  return { where, cert }
}

const safeDecode = (text: string): string => {
  try {
    return decodeURIComponent(text)
  } catch {
    return text
  }
}

/** A JWK coordinate as its 32 bytes: 33 with a leading zero (as published files have them) are trimmed. */
export function normaliseCoordinate(value: string): string {
  const bytes = Buffer.from(value, 'base64url')
  return bytes.length === 33 && bytes[0] === 0 ? bytes.subarray(1).toString('base64url') : value
}

/** Why the JWK's own key differs from its certificate's, or undefined when they agree (or it has none). */
function keyMismatch(jwk: Json, cert: TrustedCertificate): string | undefined {
  const differs = 'has a publicKeyJwk whose key is not the key of its x5c certificate'
  try {
    const own = cert.publicKey.export({ format: 'jwk' }) as Json
    if (jwk.kty === 'EC' && typeof jwk.x === 'string' && typeof jwk.y === 'string') {
      if (normaliseCoordinate(jwk.x) !== own.x || normaliseCoordinate(jwk.y) !== own.y) return differs
    } else if (jwk.kty === 'RSA' && typeof jwk.n === 'string' && typeof jwk.e === 'string') {
      const given = createPublicKey({ key: { kty: 'RSA', n: jwk.n, e: jwk.e }, format: 'jwk' })
      if (!given.equals(cert.publicKey)) return differs
    }
  } catch {
    return 'has a publicKeyJwk that cannot be read as a key'
  }
  return undefined
}
