/** CWT claims (RFC 8392) carried in the COSE payload: iss 1, exp 4, iat 6, hcert -260 (HCERT 3.3). */
import { decodeCbor, Tag } from '../codec/cbor.js'
import { DccError } from '../errors.js'
import { parseClaimsFast } from './fast-claims.js'

export const CLAIM = { iss: 1, exp: 4, iat: 6, hcert: -260 } as const
export const HCERT_EU_DCC_V1 = 1

export interface CwtClaims {
  iss?: string
  /** NumericDate, seconds since 1970 (floats are accepted, as some issuers write them) */
  iat?: number
  exp?: number
  /** The DCC payload as plain JSON values, exactly as encoded (tags 0/1 unwrapped to their value). */
  hcert: Record<string, unknown>
}

function fail(message: string): never {
  throw new DccError('ERR_CWT', `cwt: ${message}`)
}

export function parseClaims(payload: Uint8Array): CwtClaims {
  return parseClaimsFast(payload) ?? parseClaimsGeneral(payload)
}

/** Every input, through the well-formedness guard and cbor-x: the words for every error come from here. */
export function parseClaimsGeneral(payload: Uint8Array): CwtClaims {
  const map = decodeCbor(payload, 'the CWT payload')
  if (!(map instanceof Map)) fail('the COSE payload is not a CWT claims map')
  const hcertMap = map.get(CLAIM.hcert)
  if (hcertMap === undefined) fail('the hcert claim (-260) is missing')
  if (!(hcertMap instanceof Map)) fail('the hcert claim (-260) is not a map')
  const dcc = hcertMap.get(HCERT_EU_DCC_V1)
  if (dcc === undefined) fail('the hcert claim has no eu_dcc_v1 entry (key 1)')
  if (!(dcc instanceof Map)) fail('the eu_dcc_v1 entry (-260 / 1) is not a map')
  const claims: CwtClaims = { hcert: toJson(dcc, 'eu_dcc_v1') as Record<string, unknown> }
  const iss = map.get(CLAIM.iss)
  if (iss !== undefined) {
    if (typeof iss !== 'string') fail('the iss claim (1) is not a text string')
    claims.iss = iss
  }
  const iat = readTime(map, CLAIM.iat, 'iat')
  if (iat !== undefined) claims.iat = iat
  const exp = readTime(map, CLAIM.exp, 'exp')
  if (exp !== undefined) claims.exp = exp
  return claims
}

function readTime(map: Map<unknown, unknown>, key: number, name: string): number | undefined {
  let value = map.get(key)
  if (value instanceof Tag && value.tag === 1) value = value.value
  if (value === undefined) return undefined
  if (typeof value !== 'number' || !Number.isFinite(value)) fail(`the ${name} claim (${key}) is not a number`)
  return value
}

/**
 * CBOR values → JSON values. Map keys must be text in the DCC; tagged values keep their content.
 * The path names where a value cannot be JSON; it is only built when that happens (this runs once
 * per certificate verified, and a path string per value cost more than the conversion).
 */
export function toJson(value: unknown, path: string): unknown {
  try {
    return convert(value)
  } catch (err) {
    if (!(err instanceof NotJson)) throw err
    fail(`${path}${err.path.reverse().join('')} ${err.problem}`)
  }
}

class NotJson extends Error {
  /** the path from the failing value up, innermost first */
  readonly path: string[] = []
  constructor(readonly problem: string) {
    super(problem)
  }
}

function convert(value: unknown): unknown {
  if (value instanceof Map) {
    const out: Record<string, unknown> = {}
    for (const [key, entry] of value) {
      if (typeof key !== 'string') throw new NotJson(`has a non-text key (${String(key)})`)
      const converted = within(`.${key}`, entry)
      if (key === '__proto__')
        Object.defineProperty(out, key, { value: converted, enumerable: true, writable: true })
      else out[key] = converted
    }
    return out
  }
  if (Array.isArray(value)) {
    const out = new Array<unknown>(value.length)
    for (let i = 0; i < value.length; i++) out[i] = within(`[${i}]`, value[i])
    return out
  }
  if (value instanceof Tag) return convert(value.value)
  if (value instanceof Uint8Array) throw new NotJson('holds a byte string, which has no JSON form')
  if (typeof value === 'bigint') throw new NotJson('holds an integer too large for JSON')
  if (value === undefined) return null
  return value
}

function within(step: string, value: unknown): unknown {
  if (typeof value !== 'object' && typeof value !== 'bigint') return value === undefined ? null : value
  try {
    return convert(value)
  } catch (err) {
    if (err instanceof NotJson) err.path.push(step)
    throw err
  }
}
