/**
 * Verifying a SMART Health Card as a list of named checks, as health-cards-dev-tools checks a card
 * (SMART Health Cards 1.4): the check names are those of HCERT where they mean the same, plus
 * `numeric` (README "SMART Health Cards"). Pure apart from the crypto: the clock and the keys are
 * arguments. Never throws for bad input: failures are in the result.
 */
import { compactVerify } from 'jose'
import { DccError, type ErrorCode } from '../errors.js'
import type { CheckStatus } from '../hcert/verify-hc1.js'
import { checkCardShape, fhirBundleOf } from './card-shape.js'
import { duplicateMessage, inflateShcPayload, splitJws, zipProblem, type ShcJws } from './jws.js'
import { duplicateJsonKey } from '../codec/json-duplicate-key.js'
import type { ShcKey, ShcKeySet } from './jwks.js'
import { decodeNumeric } from './numeric.js'
import { jsonTooDeep, MAX_JSON_DEPTH } from '../codec/json-depth.js'
import { unprefixShc } from './read-shc.js'
import { readNumericDate } from './claims.js'

export const SHC_CHECK_NAMES = [
  'unprefix',
  'numeric',
  'decode',
  'compression',
  'signature',
  'expiration',
  'schema',
] as const
export type ShcCheckName = (typeof SHC_CHECK_NAMES)[number]

export interface ShcVerifyResult {
  kind: 'shc'
  valid: boolean
  checks: Record<ShcCheckName, CheckStatus>
  errors: Array<{ code: ErrorCode; check: ShcCheckName | 'input'; message: string }>
  warnings: Array<{ check: ShcCheckName | 'input'; message: string }>
  /** the JWS header's kid (the issuer key's RFC 7638 thumbprint) */
  kid: string | null
  alg: string | null
  /** the trusted key that verified the signature: `<jwks file> key at index <n>` */
  signer: string | null
  claims: { iss?: string; nbf?: number; exp?: number } | null
  /** the JWS payload JSON */
  payload: Record<string, unknown> | null
  fhirBundle: Record<string, unknown> | null
}

export interface ShcVerifyOptions {
  keys: ShcKeySet
  now: Date
}

const DECODE_CHECK: Partial<Record<ErrorCode, ShcCheckName>> = {
  ERR_PREFIX: 'unprefix',
  ERR_SHC_CHUNK: 'unprefix',
  ERR_SHC_NUMERIC: 'numeric',
  ERR_JWS: 'decode',
  ERR_INFLATE: 'compression',
}

class Report {
  readonly checks = Object.fromEntries(SHC_CHECK_NAMES.map((n) => [n, 'skipped'])) as Record<
    ShcCheckName,
    CheckStatus
  >

  readonly errors: ShcVerifyResult['errors'] = []
  readonly warnings: ShcVerifyResult['warnings'] = []

  pass(check: ShcCheckName): void {
    if (this.checks[check] === 'skipped') this.checks[check] = 'pass'
  }

  fail(check: ShcCheckName, code: ErrorCode, message: string): void {
    this.checks[check] = 'fail'
    this.errors.push({ code, check, message })
  }

  failWith(err: unknown): void {
    if (!(err instanceof DccError)) throw err
    this.fail(DECODE_CHECK[err.code] ?? 'decode', err.code, err.message)
  }
}

/** The texts of one card (one, or its chunks in any order), verified through every check. */
export async function verifyShc(
  texts: readonly string[],
  options: ShcVerifyOptions,
): Promise<ShcVerifyResult> {
  const report = new Report()
  let jws: ShcJws
  try {
    const { digits } = unprefixShc(texts)
    report.pass('unprefix')
    const compact = decodeNumeric(digits)
    report.pass('numeric')
    jws = splitJws(compact)
  } catch (err) {
    report.failWith(err)
    return finish(report)
  }
  let json: Uint8Array = jws.signedPayload
  if (jws.header.zip !== 'DEF')
    report.fail('compression', 'ERR_INFLATE', `compression: ${zipProblem(jws.header)}`)
  else {
    try {
      json = inflateShcPayload(jws.signedPayload)
      report.pass('compression')
    } catch (err) {
      report.failWith(err)
      return finish(report, jws)
    }
  }
  let payload: Record<string, unknown>
  try {
    payload = parsePayload(json)
    report.pass('decode')
  } catch (err) {
    report.failWith(err)
    return finish(report, jws)
  }
  const signer = await checkSignature(jws, options.keys, report)
  checkExpiration(payload, options.now, report)
  const shape = checkCardShape(payload)
  if (shape.errors.length > 0) {
    const more = shape.errors.length > 3 ? ` (and ${shape.errors.length - 3} more)` : ''
    report.fail('schema', 'ERR_SCHEMA', `schema: ${shape.errors.slice(0, 3).join('; ')}${more}`)
  } else report.pass('schema')
  for (const message of shape.warnings) report.warnings.push({ check: 'schema', message })
  return finish(report, jws, payload, signer)
}

/** The result for an input that could not be read at all (check `input`, every check skipped). */
export function shcInputFailure(err: DccError): ShcVerifyResult {
  const result = finish(new Report())
  result.valid = false
  result.errors.push({ code: err.code, check: 'input', message: err.message })
  return result
}

function parsePayload(bytes: Uint8Array): Record<string, unknown> {
  let value: unknown
  let text: string
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes)
    value = JSON.parse(text)
  } catch {
    throw new DccError('ERR_JWS', 'decode: the JWS payload is not UTF-8 JSON')
  }
  const duplicate = duplicateJsonKey(text)
  if (duplicate !== undefined) throw new DccError('ERR_JWS', duplicateMessage('payload', duplicate))
  if (jsonTooDeep(value))
    throw new DccError('ERR_JWS', `decode: the JWS payload nests more than ${MAX_JSON_DEPTH} levels deep`)
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    throw new DccError('ERR_JWS', 'decode: the JWS payload is not a JSON object')
  return value as Record<string, unknown>
}

async function checkSignature(jws: ShcJws, keys: ShcKeySet, report: Report): Promise<ShcKey | undefined> {
  const { alg, kid } = jws.header
  if ('crit' in jws.header) {
    // RFC 7515 §4.1.11: extensions named in crit must be understood, or the JWS rejected; SMART
    // Health Cards define none (jose would refuse it too, but as a bad signature)
    report.fail(
      'signature',
      'ERR_CRITICAL_HEADER',
      'signature: the JWS header has crit (RFC 7515 §4.1.11), naming extensions that must be understood; SMART Health Cards define none, so the card is refused',
    )
    return undefined
  }
  if (alg !== 'ES256') {
    report.fail(
      'signature',
      'ERR_ALG_UNSUPPORTED',
      typeof alg === 'string' && alg.length <= 16
        ? `signature: the JWS header's alg is ${alg}; SMART Health Cards sign with ES256`
        : 'signature: the JWS header has no usable alg; SMART Health Cards sign with ES256',
    )
    return undefined
  }
  if (typeof kid !== 'string' || kid.length === 0) {
    report.fail('signature', 'ERR_KID_UNKNOWN', 'signature: the JWS header has no kid')
    return undefined
  }
  const shownKid = kid.length <= 64 ? kid : `${kid.slice(0, 61)}...`
  const candidates = keys.candidates(kid)
  if (candidates.length === 0) {
    report.fail(
      'signature',
      'ERR_KID_UNKNOWN',
      `signature: kid ${shownKid} is not in the trusted JWK Sets (${keys.size} key${keys.size === 1 ? '' : 's'})`,
    )
    return undefined
  }
  for (const candidate of candidates) {
    try {
      await compactVerify(jws.compact, candidate.key, { algorithms: ['ES256'] })
    } catch {
      continue
    }
    if (candidate.thumbprint !== kid) {
      report.fail(
        'signature',
        'ERR_KID_THUMBPRINT',
        `signature: the signature verifies, but kid ${shownKid} is not the key's RFC 7638 thumbprint (${candidate.thumbprint}), as SMART Health Cards require`,
      )
      return undefined
    }
    report.pass('signature')
    return candidate
  }
  report.fail(
    'signature',
    'ERR_SIGNATURE',
    `signature: the ES256 signature does not verify with the key${candidates.length > 1 ? `s (${candidates.length})` : ''} for kid ${shownKid}`,
  )
  return undefined
}

const iso = (seconds: number): string => new Date(seconds * 1000).toISOString()

function checkExpiration(payload: Record<string, unknown>, now: Date, report: Report): void {
  const clock = now.getTime() / 1000
  const nbf = readNumericDate(payload.nbf, 'nbf')
  const exp = readNumericDate(payload.exp, 'exp')
  for (const read of [nbf, exp])
    if (read.problem) return report.fail('expiration', 'ERR_CLAIM_INVALID', `expiration: ${read.problem}`)
  if (nbf.value === undefined)
    return report.fail(
      'expiration',
      'ERR_CLAIM_MISSING',
      'expiration: the card has no nbf (its issuance time), which SMART Health Cards require',
    )
  if (exp.value !== undefined && clock > exp.value)
    return report.fail('expiration', 'ERR_EXPIRED', `expiration: the card expired at ${iso(exp.value)}`)
  if (clock < nbf.value)
    return report.fail(
      'expiration',
      'ERR_NOT_YET_VALID',
      `expiration: the card is valid from ${iso(nbf.value)} (nbf), after the validation clock`,
    )
  report.pass('expiration')
}

function finish(
  report: Report,
  jws?: ShcJws,
  payload?: Record<string, unknown>,
  signer?: ShcKey,
): ShcVerifyResult {
  let claims: ShcVerifyResult['claims'] = null
  if (payload) {
    claims = {}
    if (typeof payload.iss === 'string') claims.iss = payload.iss
    const nbf = readNumericDate(payload.nbf, 'nbf').value
    const exp = readNumericDate(payload.exp, 'exp').value
    if (nbf !== undefined) claims.nbf = nbf
    if (exp !== undefined) claims.exp = exp
  }
  const { alg, kid } = jws?.header ?? {}
  return {
    kind: 'shc',
    valid: report.errors.length === 0,
    checks: report.checks,
    errors: report.errors,
    warnings: report.warnings,
    kid: typeof kid === 'string' ? kid : null,
    alg: typeof alg === 'string' ? alg : null,
    signer: signer?.where ?? null,
    claims,
    payload: payload ?? null,
    fhirBundle: (payload && fhirBundleOf(payload)) ?? null,
  }
}
