/** CWT claims (RFC 8392) carried in the COSE payload: iss 1, exp 4, iat 6, hcert -260 (HCERT 3.3). */
import { decodeCbor, SimpleValue, Tag } from '../codec/cbor.js'
import { keyStep } from '../codec/quotable-keys.js'
import { DccError } from '../errors.js'
import { findWhoPayload, HCERT_KEY, type PayloadKind } from '../gdhcn/payload-kind.js'
import { parseClaimsFast } from './fast-claims.js'

export const CLAIM = { iss: 1, exp: 4, iat: 6, hcert: -260 } as const
export const HCERT_EU_DCC_V1 = 1

export interface CwtClaims {
  iss?: string
  /**
   * NumericDate, seconds since 1970, when usable: finite and under 10^11 in size (year 5138), so
   * that any Date can hold it. Floats are accepted, as some issuers write them (with a warning).
   */
  iat?: number
  exp?: number
  /**
   * The payload as plain JSON values, exactly as encoded (tags unwrapped to their value): the DCC,
   * or for another `kind` that kind's payload (a link as `{uri}`).
   */
  hcert: Record<string, unknown>
  /** absent for the EU DCC (-260 / 1); the WHO payload read otherwise (src/gdhcn/payload-kind.ts) */
  kind?: Exclude<PayloadKind, 'dcc'>
  /**
   * iat or exp present but not a usable NumericDate (a text string, NaN, 1e300, a time in
   * milliseconds…): why, in words without personal data. The expiration check fails with it;
   * decoding does not, so that the payload can still be seen.
   */
  unusable?: { iat?: string; exp?: string }
  /** well-formed but unexpected: a tag where HCERT puts none, a NumericDate that is not an integer */
  warnings?: string[]
}

/** Larger NumericDates are not seconds: 10^11 s is the year 5138, and 10^11 ms the year 1973. */
export const MAX_NUMERIC_DATE = 1e11

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
  if (hcertMap instanceof Map) onePayload(hcertMap)
  if (!(hcertMap instanceof Map && hcertMap.has(HCERT_EU_DCC_V1))) {
    const who = findWhoPayload(map, hcertMap)
    if (who) return withTimes(map, { hcert: whoJson(who.value, who.where), kind: who.kind })
  }
  if (hcertMap === undefined) fail('the hcert claim (-260) is missing')
  if (!(hcertMap instanceof Map)) fail('the hcert claim (-260) is not a map')
  const dcc = hcertMap.get(HCERT_EU_DCC_V1)
  if (dcc === undefined) fail('the hcert claim has no eu_dcc_v1 entry (key 1)')
  if (!(dcc instanceof Map)) fail('the eu_dcc_v1 entry (-260 / 1) is not a map')
  const claims = withTimes(map, { hcert: toJson(dcc, 'eu_dcc_v1') as Record<string, unknown> })
  const warnings = [...tagWarnings(dcc), ...(claims.warnings ?? [])]
  if (warnings.length > 0) claims.warnings = warnings
  else delete claims.warnings
  return claims
}

/** the keys under -260 that hold a payload hcert reads (1 the EU DCC, -6, 3, 4, 5 the WHO kinds) */
export const PAYLOAD_KEYS: readonly number[] = Object.values(HCERT_KEY)

/**
 * A certificate carries one payload: -260 holding two (1 and -6, a DDCC and a link) is refused, as
 * a verifier showing one holder while another is signed inside misleads whoever reads it (unknown
 * keys under -260 are left alone).
 */
function onePayload(hcert: Map<unknown, unknown>): void {
  const held = PAYLOAD_KEYS.filter((key) => hcert.has(key))
  if (held.length > 1)
    fail(
      `the hcert claim (-260) holds ${held.length} payloads (keys ${held.join(', ')}); a certificate carries one`,
    )
}

/** iss, iat and exp read into claims (which it returns) */
function withTimes(map: Map<unknown, unknown>, claims: CwtClaims): CwtClaims {
  const iss = map.get(CLAIM.iss)
  if (map.has(CLAIM.iss)) {
    if (typeof iss !== 'string') fail('the iss claim (1) is not a text string')
    claims.iss = iss
  }
  readTime(map, 'iat', claims)
  readTime(map, 'exp', claims)
  return claims
}

/** A WHO payload as JSON: a map as an object, a link (a text string) as `{uri}`. */
function whoJson(value: unknown, where: string): Record<string, unknown> {
  if (typeof value === 'string') return { uri: value }
  if (!(value instanceof Map)) fail(`the payload at ${where} is neither a map nor a text string`)
  return toJson(value, where) as Record<string, unknown>
}

function readTime(map: Map<unknown, unknown>, name: 'iat' | 'exp', claims: CwtClaims): void {
  const key = CLAIM[name]
  // present as CBOR undefined is a wrong type, as any other; absent is the expiration check's own case
  if (!map.has(key)) return
  let value = map.get(key)
  const warn = (message: string): void => {
    ;(claims.warnings ??= []).push(`the ${name} claim (${key}) ${message}`)
  }
  if (value instanceof Tag && value.tag === 1) {
    warn('is under tag 1; a CWT NumericDate has none (RFC 8392 §2)')
    value = value.value
  }
  const problem = numericDateProblem(value)
  if (problem !== undefined) {
    ;(claims.unusable ??= {})[name] = `the ${name} claim (${key}) ${problem}`
    return
  }
  const seconds = value as number
  if (!Number.isInteger(seconds)) warn(`is ${seconds}, not an integer (HCERT §3.3.1 writes whole seconds)`)
  claims[name] = seconds
}

const isoOf = (seconds: number): string => new Date(seconds * 1000).toISOString()

/** Why a value is not a usable NumericDate, or undefined when it is one. */
export function numericDateProblem(value: unknown): string | undefined {
  if (typeof value === 'number') {
    if (Number.isNaN(value)) return 'is NaN, not a NumericDate'
    if (!Number.isFinite(value)) return `is ${value}, not a NumericDate`
    const size = Math.abs(value)
    if (size < MAX_NUMERIC_DATE) return undefined
    if (size < 1e14)
      return `is ${value}: a time in milliseconds (${isoOf(value / 1000)}), where a NumericDate counts seconds`
    if (size < 1e17)
      return `is ${value}: a time in microseconds (${isoOf(value / 1e6)}), where a NumericDate counts seconds`
    return `is ${value}, beyond any date`
  }
  if (typeof value === 'bigint') return `is ${value}, beyond any date`
  if (typeof value === 'string') return 'is a text string, not a NumericDate (a number of seconds)'
  if (value instanceof Tag) return `is under tag ${value.tag}, not a NumericDate`
  return `is ${kindOf(value)}, not a NumericDate`
}

function kindOf(value: unknown): string {
  if (value === null) return 'null'
  if (value === undefined) return 'undefined'
  if (value instanceof SimpleValue) return `simple value ${value.value}`
  if (value instanceof Uint8Array) return 'a byte string'
  if (Array.isArray(value)) return 'an array'
  if (value instanceof Map) return 'a map'
  if (value instanceof Tag) return `an item under tag ${value.tag}`
  if (typeof value === 'bigint') return 'an integer beyond 2^53'
  return typeof value === 'object' ? 'an object' : `a ${typeof value}`
}

/**
 * Tags in the DCC other than tag 0 (RFC 3339 date-time) on a text string: HCERT puts no other
 * tag there (the schema FAQ: date-times SHOULD be tag 0); and unassigned simple values, which have
 * no JSON form (null in the payload). Each is named once, by its path (keys that are not field
 * names by position: they could be holder text).
 */
function tagWarnings(dcc: unknown): string[] {
  const out: string[] = []
  const walk = (value: unknown, path: string, depth: number): void => {
    if (out.length >= 5 || depth > 40) return
    if (value instanceof Tag) {
      if (value.tag === 55799)
        out.push(`the DCC holds tag 55799 (self-described CBOR) at ${path}, which HCERT does not write`)
      else if (!(value.tag === 0 && typeof value.value === 'string'))
        out.push(`the DCC holds tag ${value.tag} at ${path} (HCERT puts tag 0 on date-time text only)`)
      walk(value.value, path, depth + 1)
    } else if (value instanceof SimpleValue) {
      out.push(`the DCC holds the unassigned simple value ${value.value} at ${path}, read as null`)
    } else if (value instanceof Map) {
      let position = 0
      for (const [key, entry] of value) walk(entry, `${path}${keyStep(key, position++)}`, depth + 1)
    } else if (Array.isArray(value)) value.forEach((entry, i) => walk(entry, `${path}[${i}]`, depth + 1))
  }
  walk(dcc, 'eu_dcc_v1', 0)
  return out
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
    let position = 0
    for (const [key, entry] of value) {
      if (typeof key !== 'string')
        throw new NotJson(
          `has a non-text key (${typeof key === 'number' ? key : `key ${position + 1}, ${kindOf(key)}`})`,
        )
      const converted = within(key, position++, entry)
      if (key === '__proto__')
        Object.defineProperty(out, key, { value: converted, enumerable: true, writable: true })
      else out[key] = converted
    }
    return out
  }
  if (Array.isArray(value)) {
    const out = new Array<unknown>(value.length)
    for (let i = 0; i < value.length; i++) out[i] = within(i, -1, value[i])
    return out
  }
  if (value instanceof Tag) return convert(value.value)
  if (value instanceof SimpleValue) return null
  if (value instanceof Uint8Array) throw new NotJson('holds a byte string, which has no JSON form')
  if (typeof value === 'bigint') throw new NotJson('holds an integer too large for JSON')
  if (value === undefined) return null
  return value
}

/** convert() one entry: of a map (its key and position) or of an array (its index, position -1) */
function within(key: string | number, position: number, value: unknown): unknown {
  if (typeof value !== 'object' && typeof value !== 'bigint') return value === undefined ? null : value
  try {
    return convert(value)
  } catch (err) {
    // the path is only built for the message
    if (err instanceof NotJson) err.path.push(position < 0 ? `[${key}]` : keyStep(key, position))
    throw err
  }
}
