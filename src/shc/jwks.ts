/**
 * The issuer keys a SMART Health Card verifier trusts: JWK Sets (RFC 7517 §5, `{"keys": [...]}`)
 * given with `--trust` as files, as an issuer publishes them at `<iss>/.well-known/jwks.json`
 * (SMART Health Cards 1.4 "Determining keys"). Nothing is fetched. Each key must be an EC P-256
 * public key (`kty: "EC"`, `crv: "P-256"`, `x`, `y`, no `d`); its RFC 7638 thumbprint is computed
 * here, and verify checks that a card's kid equals it. A key that is not usable is passed over with
 * a warning; a file from which none loads is ERR_TRUST.
 */
import { readRegularFileSync } from '../fs/read-regular-file.js'
import { MAX_TRUST_FILE_BYTES } from '../services/load-trust.js'
import type { CryptoKey, JWK } from 'jose'
import { DccError } from '../errors.js'
import { jsonTooDeep } from '../codec/json-depth.js'

export interface ShcKey {
  /** the kid the JWKS gives the key (the thumbprint when it gives none) */
  kid: string
  /** RFC 7638 SHA-256 thumbprint, base64url */
  thumbprint: string
  key: CryptoKey | Uint8Array
  /** where it was read, for results: `<path> key <n>` */
  where: string
}

export class ShcKeySet {
  private readonly byKid = new Map<string, ShcKey[]>()
  readonly warnings: string[] = []

  add(key: ShcKey): void {
    const list = this.byKid.get(key.kid)
    if (list) list.push(key)
    else this.byKid.set(key.kid, [key])
  }

  candidates(kid: string): ShcKey[] {
    return this.byKid.get(kid) ?? []
  }

  get size(): number {
    let n = 0
    for (const list of this.byKid.values()) n += list.length
    return n
  }
}

/** The JWK Set a file holds, or undefined when the file is not one (a folder, a certificate, another JSON). */
export function readJwksDocument(path: string): { keys: unknown[] } | undefined {
  try {
    // a pipe, a device or a file over the cap is left to the trust list loader, which names it
    const text = readRegularFileSync(path, MAX_TRUST_FILE_BYTES).toString('utf8')
    if (!/^\s*\{/.test(text) || !text.includes('"keys"')) return undefined
    const json = JSON.parse(text) as unknown
    if (jsonTooDeep(json)) return undefined // the trust list loader names it
    if (typeof json === 'object' && json !== null && Array.isArray((json as { keys?: unknown }).keys))
      return json as { keys: unknown[] }
  } catch {
    // not readable or not JSON: the other trust loaders name the problem
  }
  return undefined
}

/**
 * Splits the trust paths into JWK Sets (loaded here) and the rest (for the HCERT trust list).
 * Throws ERR_TRUST for a JWK Set with no usable key.
 */
export async function loadShcTrust(paths: readonly string[]): Promise<{ keys: ShcKeySet; others: string[] }> {
  const keys = new ShcKeySet()
  const others: string[] = []
  for (const path of paths) {
    const doc = readJwksDocument(path)
    if (!doc) {
      others.push(path)
      continue
    }
    // jose loads only when a JWK Set is given: HCERT runs do not pay for it
    const { calculateJwkThumbprint, importJWK } = await import('jose')
    let loaded = 0
    const problems: string[] = []
    for (const [i, entry] of doc.keys.entries()) {
      const where = `${path} key at index ${i}`
      const problem = jwkProblem(entry)
      if (problem) {
        problems.push(problem)
        keys.warnings.push(`trust: ${where} ${problem}; passed over`)
        continue
      }
      const jwk = entry as JWK
      const publicJwk: JWK = { kty: 'EC', crv: 'P-256', x: jwk.x, y: jwk.y }
      let key: CryptoKey | Uint8Array
      try {
        key = await importJWK(publicJwk, 'ES256')
      } catch {
        problems.push('is not a point on P-256')
        keys.warnings.push(`trust: ${where} is not a point on P-256; passed over`)
        continue
      }
      const thumbprint = await calculateJwkThumbprint(publicJwk, 'sha256')
      keys.add({ kid: typeof jwk.kid === 'string' ? jwk.kid : thumbprint, thumbprint, key, where })
      loaded++
    }
    if (loaded === 0) {
      throw new DccError(
        'ERR_TRUST',
        `trust: ${path} is a JWK Set with no usable key${problems[0] ? ` (the first ${problems[0]})` : ' (its keys list is empty)'}`,
      )
    }
  }
  return { keys, others }
}

function jwkProblem(entry: unknown): string | undefined {
  if (typeof entry !== 'object' || entry === null || Array.isArray(entry)) return 'is not a JWK object'
  const jwk = entry as Record<string, unknown>
  if (jwk.d !== undefined) return 'holds a private key (d); a JWK Set for verifying holds public keys only'
  if (jwk.kty !== 'EC' || jwk.crv !== 'P-256')
    return 'is not an EC P-256 key (SMART Health Cards sign with ES256)'
  if (typeof jwk.x !== 'string' || typeof jwk.y !== 'string') return 'has no x and y coordinates'
  if (jwk.alg !== undefined && jwk.alg !== 'ES256') return 'is for another algorithm than ES256'
  if (jwk.use !== undefined && jwk.use !== 'sig') return 'is not for signatures (use is not "sig")'
  if (jwk.kid !== undefined && typeof jwk.kid !== 'string') return 'has a kid that is not a string'
  return undefined
}
