/**
 * Verification as a list of named checks, each pass / fail / skipped. The names map one-to-one to
 * the EXPECTED* fields of the EU test data and are a contract (README "verify checks").
 * Pure: the clock and the trust list are arguments.
 */
import { decodeBase45 } from '../codec/base45.js'
import { removePrefix } from '../codec/prefix.js'
import { inflateStream, trailingBytesWarning } from '../codec/zlib.js'
import { algName } from '../cose/algorithms.js'
import {
  buildSigStructure,
  criticalHeaderProblem,
  envelopeWarnings,
  headerWarnings,
  parseSign1,
  unprotectedAlgWarning,
  type Sign1,
} from '../cose/sign1.js'
import { verifySign1 } from '../cose/verify-signature.js'
import { parseClaims, type CwtClaims } from '../cwt/claims.js'
import { allowedTypes } from '../dcc/key-usage.js'
import { validateSchema } from '../dcc/schema.js'
import { notCalendarDates } from '../dcc/schema-formats.js'
import { CERTIFICATE_TYPE_NAMES, certificateTypes, type CertificateType } from '../dcc/types.js'
import { checkValueSets } from '../dcc/valueset-check.js'
import { DccError, type ErrorCode } from '../errors.js'
import { checkWhoSchema } from '../gdhcn/check-who-schema.js'
import type { PayloadKind } from '../gdhcn/payload-kind.js'
import { whoKeyUsageProblem, whoTimes } from '../gdhcn/who-verify.js'
import type { TrustList } from '../trust/trust-list.js'
import type { TrustedCertificate } from '../trust/trusted-certificate.js'
import type { DecodeOptions } from './decode-hc1.js'

export const CHECK_NAMES = [
  'unprefix',
  'base45',
  'compression',
  'decode',
  'signature',
  'expiration',
  'keyUsage',
  'schema',
] as const
export type CheckName = (typeof CHECK_NAMES)[number]
export type CheckStatus = 'pass' | 'fail' | 'skipped'

export interface CheckError {
  code: ErrorCode
  /** the failed check; 'input' when the input itself could not be read (a missing file, an image without a QR code) */
  check: CheckName | 'input'
  message: string
}

export interface VerifyResult {
  valid: boolean
  checks: Record<CheckName, CheckStatus>
  errors: CheckError[]
  /** a check passed or was not decisive, but something is odd; 'input' for what reading the input found (whitespace around the text, a QR code in byte mode …) */
  warnings: Array<{ check: CheckName | 'input'; message: string }>
  kid: string | null
  alg: string | null
  /** subject of the document signer certificate whose key verified the signature */
  signer: string | null
  claims: { iss?: string; iat?: number; exp?: number } | null
  /** only for a signer from a GDHCN DID trust list: its trust domain, participant and key usage */
  signerTrust?: { domain?: string; participant?: string; usage?: string }
  /** which payload the certificate carries (README "Payload kinds"); null when it did not decode */
  kind: PayloadKind | null
  payload: Record<string, unknown> | null
}

export interface VerifyOptions extends DecodeOptions {
  trust: TrustList
  now: Date
}

const DECODE_CHECK: Partial<Record<ErrorCode, CheckName>> = {
  ERR_PREFIX: 'unprefix',
  ERR_BASE45: 'base45',
  ERR_INFLATE: 'compression',
}

/** Every check, not yet run (a literal, in CHECK_NAMES order: this runs once per certificate verified). */
export function skippedChecks(): Record<CheckName, CheckStatus> {
  return {
    unprefix: 'skipped',
    base45: 'skipped',
    compression: 'skipped',
    decode: 'skipped',
    signature: 'skipped',
    expiration: 'skipped',
    keyUsage: 'skipped',
    schema: 'skipped',
  }
}

class Report {
  readonly checks = skippedChecks()
  readonly errors: CheckError[] = []
  readonly warnings: VerifyResult['warnings'] = []

  pass(check: CheckName): void {
    this.checks[check] = 'pass'
  }

  fail(check: CheckName, code: ErrorCode, message: string): void {
    this.checks[check] = 'fail'
    this.errors.push({ code, check, message })
  }

  warn(check: CheckName, message: string): void {
    this.warnings.push({ check, message })
  }
}

/** Verify an HC1 string through every check. Never throws for bad input: failures are in the result. */
export function verifyHc1(text: string, options: VerifyOptions): VerifyResult {
  const report = new Report()
  let cose: Uint8Array
  try {
    const { base45 } = removePrefix(text, options)
    report.pass('unprefix')
    const compressed = decodeBase45(text, text.length - base45.length)
    report.pass('base45')
    const inflated = inflateStream(compressed)
    cose = inflated.output
    report.pass('compression')
    if (inflated.trailingBytes > 0)
      report.warn('compression', trailingBytesWarning(inflated.trailingBytes) as string)
  } catch (err) {
    if (!(err instanceof DccError)) throw err
    report.fail(DECODE_CHECK[err.code] ?? 'decode', err.code, err.message)
    return finish(report, undefined, undefined, undefined)
  }
  return verifyCose(cose, options, report)
}

/** Verify from the COSE bytes on (the conformance runner starts here for vectors without PREFIX). */
export function verifyCose(cose: Uint8Array, options: VerifyOptions, report = new Report()): VerifyResult {
  let sign1: Sign1
  let claims: CwtClaims
  try {
    sign1 = parseSign1(cose)
    claims = parseClaims(sign1.payload)
    report.pass('decode')
  } catch (err) {
    if (!(err instanceof DccError)) throw err
    report.fail('decode', err.code, err.message)
    return finish(report, undefined, undefined, undefined)
  }
  if (sign1.tags.length !== 1 || sign1.tags[0] !== 18)
    for (const message of envelopeWarnings(sign1)) report.warn('decode', message)
  if (sign1.unprotectedHeader.size > 0)
    for (const message of headerWarnings(sign1)) report.warn('decode', message)
  if (claims.warnings) for (const message of claims.warnings) report.warn('decode', message)
  const kid = sign1.kid ? base64(sign1.kid) : undefined
  const signer = checkSignature(sign1, kid, options.trust, report)
  checkExpiration(claims, signer, options.now, report)
  checkKeyUsage(claims, signer, report)
  checkSchema(claims, report)
  return finish(report, sign1, claims, signer, kid)
}

const CA_SIGNER =
  'the signing certificate is marked CA:TRUE (basicConstraints), as a CSCA is; it is trusted as a signer because it was given as a trust source'

function checkSignature(
  sign1: Sign1,
  kid: string | undefined,
  trust: TrustList,
  report: Report,
): TrustedCertificate | undefined {
  const alg = algName(sign1.alg)
  const critical = criticalHeaderProblem(sign1)
  if (critical !== undefined) {
    report.fail('signature', 'ERR_CRITICAL_HEADER', `signature: ${critical}`)
    return undefined
  }
  if (sign1.algSource === 'unprotected') {
    const warning = unprotectedAlgWarning(sign1)
    if (warning === undefined) {
      report.fail(
        'signature',
        'ERR_ALG_UNPROTECTED',
        'signature: alg (label 1) is in the unprotected header only, which the signature does not cover; COSE puts it in the protected header (RFC 9052 §3.1)',
      )
      return undefined
    }
    report.warn('signature', warning)
  }
  if (sign1.alg !== -7 && sign1.alg !== -37) {
    report.fail(
      'signature',
      'ERR_ALG_UNSUPPORTED',
      sign1.alg === undefined
        ? 'signature: the certificate names no algorithm (alg, label 1, in the protected header)'
        : typeof sign1.alg === 'string'
          ? `signature: algorithm ${alg} is a text string; HCERT uses the integer COSE ids -7 (ES256) and -37 (PS256)`
          : `signature: algorithm ${alg} is not supported (HCERT uses ES256 or PS256)`,
    )
    return undefined
  }
  const candidates = trust.candidates(kid)
  if (candidates.length === 0) {
    report.fail(
      'signature',
      'ERR_KID_UNKNOWN',
      kid === undefined
        ? `signature: the certificate has no kid and the trust list is empty`
        : `signature: kid ${kid} is not in the trust list (${trust.size} key${trust.size === 1 ? '' : 's'})`,
    )
    return undefined
  }
  const sigStructure = buildSigStructure(sign1.protectedBytes, sign1.payload)
  let mismatched = 0
  for (const candidate of candidates) {
    const outcome = verifySign1(sign1, candidate.publicKey, sigStructure)
    if (outcome === 'valid') {
      report.pass('signature')
      if (candidate.ca) report.warnings.push({ check: 'signature', message: CA_SIGNER })
      return candidate
    }
    if (outcome === 'key-mismatch') mismatched++
  }
  const who =
    kid === undefined
      ? `any of the ${candidates.length} trusted keys (the certificate has no kid)`
      : `the key${candidates.length > 1 ? `s (${candidates.length})` : ''} for kid ${kid}`
  report.fail(
    'signature',
    'ERR_SIGNATURE',
    mismatched === candidates.length
      ? `signature: ${alg} does not match the key type of ${who}`
      : `signature: the ${alg} signature does not verify with ${who}`,
  )
  return undefined
}

const iso = (seconds: number): string => new Date(seconds * 1000).toISOString()

function checkExpiration(
  claims: CwtClaims,
  signer: TrustedCertificate | undefined,
  now: Date,
  report: Report,
): void {
  let { iat, exp } = claims
  const { unusable } = claims
  const clock = now.getTime() / 1000
  if (unusable?.exp !== undefined)
    return report.fail('expiration', 'ERR_CLAIM_INVALID', `expiration: ${unusable.exp}`)
  if (unusable?.iat !== undefined)
    return report.fail('expiration', 'ERR_CLAIM_INVALID', `expiration: ${unusable.iat}`)
  let open = false
  if (claims.kind !== undefined && (iat === undefined || exp === undefined)) {
    // WHO payloads: a missing time is taken from the payload, or left open with a warning
    const times = whoTimes(claims.kind, claims.hcert, iat, exp)
    for (const warning of times.warnings) report.warn('expiration', warning)
    ;({ iat, exp } = times)
    open = exp === undefined
    exp ??= Number.POSITIVE_INFINITY
    iat ??= Number.NEGATIVE_INFINITY
  }
  if (exp === undefined)
    return report.fail(
      'expiration',
      'ERR_CLAIM_MISSING',
      'expiration: the certificate has no exp claim (4); HCERT requires one (§3.3.1)',
    )
  if (iat === undefined)
    return report.fail(
      'expiration',
      'ERR_CLAIM_MISSING',
      'expiration: the certificate has no iat claim (6); HCERT requires one (§3.3.1)',
    )
  if (clock > exp)
    return report.fail('expiration', 'ERR_EXPIRED', `expiration: the certificate expired at ${iso(exp)}`)
  if (clock < iat) {
    return report.fail(
      'expiration',
      'ERR_NOT_YET_VALID',
      `expiration: the certificate is issued at ${iso(iat)}, after the validation clock`,
    )
  }
  if (signer) {
    const notBefore = signer.notBefore.getTime() / 1000
    const notAfter = signer.notAfter.getTime() / 1000
    if (Number.isFinite(iat) && iat < notBefore) {
      return report.fail(
        'expiration',
        'ERR_DSC_VALIDITY',
        `expiration: issued at ${iso(iat)}, before its signing certificate was valid (${signer.notBefore.toISOString()})`,
      )
    }
    if (!open && exp > notAfter) {
      return report.fail(
        'expiration',
        'ERR_DSC_VALIDITY',
        `expiration: expires at ${iso(exp)}, after its signing certificate does (${signer.notAfter.toISOString()})`,
      )
    }
  }
  report.pass('expiration')
}

function checkKeyUsage(claims: CwtClaims, signer: TrustedCertificate | undefined, report: Report): void {
  if (!signer) return
  if (signer.domain !== undefined || claims.kind !== undefined) {
    const problem = whoKeyUsageProblem(claims.kind ?? 'dcc', signer)
    if (problem !== undefined) return report.fail('keyUsage', 'ERR_KEY_USAGE', `keyUsage: ${problem}`)
    // an ICVP is a vaccination record: a DSC whose EKU allows HCERT types but not vaccinations may
    // not sign one (the rule `hcert issue --kind icvp` follows, src/issue/issue-types.ts)
    if (claims.kind === 'icvp' && !allowedTypes(signer.eku).includes('v'))
      return report.fail(
        'keyUsage',
        'ERR_KEY_USAGE',
        `keyUsage: the signing certificate may sign ${allowedTypes(signer.eku)
          .map((t) => CERTIFICATE_TYPE_NAMES[t])
          .join(', ')} certificates, not an ICVP (a vaccination record)`,
      )
    if (claims.kind !== undefined) return report.pass('keyUsage')
  }
  const types = certificateTypes(claims.hcert)
  const allowed = allowedTypes(signer.eku)
  let permitted = true
  for (const type of types) permitted &&= allowed.includes(type)
  if (permitted) return report.pass('keyUsage')
  const refused = types.filter((t) => !allowed.includes(t))
  const names = (list: readonly CertificateType[]): string =>
    list.map((t) => CERTIFICATE_TYPE_NAMES[t]).join(', ')
  report.fail(
    'keyUsage',
    'ERR_KEY_USAGE',
    `keyUsage: the signing certificate may sign ${names(allowed)} certificates, not ${names(refused)}`,
  )
}

const summary = (issues: readonly string[]): string =>
  `${issues.slice(0, 3).join('; ')}${issues.length > 3 ? ` (and ${issues.length - 3} more)` : ''}`

function checkSchema(claims: CwtClaims, report: Report): void {
  if (claims.kind !== undefined) {
    const issues = checkWhoSchema(claims.kind, claims.hcert)
    if (issues.length === 0) return report.pass('schema')
    return report.fail('schema', 'ERR_SCHEMA', `schema: ${summary(issues)}`)
  }
  const issues = validateSchema(claims.hcert)
  if (issues.length > 0) {
    report.fail(
      'schema',
      'ERR_SCHEMA',
      `schema: ${issues
        .slice(0, 3)
        .map((i) => i.message)
        .join('; ')}${issues.length > 3 ? ` (and ${issues.length - 3} more)` : ''}`,
    )
  } else report.pass('schema')
  for (const warning of checkValueSets(claims.hcert))
    report.warnings.push({ check: 'schema', message: warning.message })
  for (const path of notCalendarDates(claims.hcert))
    report.warnings.push({ check: 'schema', message: `${path} is not a calendar date` })
}

// The kid of the last certificate verified, as text: a batch from one issuer has a handful of kids,
// and this saves a Buffer and a string per certificate.
let lastKid: Uint8Array = new Uint8Array(0)
let lastKidText = ''

function base64(bytes: Uint8Array): string {
  let same = bytes.length === lastKid.length
  for (let i = 0; same && i < bytes.length; i++) same = bytes[i] === lastKid[i]
  if (same) return lastKidText
  lastKidText = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length).toString('base64')
  lastKid = Uint8Array.from(bytes)
  return lastKidText
}

function finish(
  report: Report,
  sign1: Sign1 | undefined,
  claims: CwtClaims | undefined,
  signer: TrustedCertificate | undefined,
  kid?: string,
): VerifyResult {
  let named: VerifyResult['claims'] = null
  if (claims) {
    named = {}
    if (claims.iss !== undefined) named.iss = claims.iss
    if (claims.iat !== undefined) named.iat = claims.iat
    if (claims.exp !== undefined) named.exp = claims.exp
  }
  const result: VerifyResult = {
    valid: report.errors.length === 0,
    checks: report.checks,
    errors: report.errors,
    warnings: report.warnings,
    kid: kid ?? null,
    alg: sign1 ? algName(sign1.alg) : null,
    signer: signer?.subject ?? null,
    claims: named,
    kind: claims ? (claims.kind ?? 'dcc') : null,
    payload: claims?.hcert ?? null,
  }
  if (signer?.domain !== undefined || signer?.usage !== undefined)
    result.signerTrust = { domain: signer.domain, participant: signer.participant, usage: signer.usage }
  return result
}
