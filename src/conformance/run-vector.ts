/**
 * Evaluates each EXPECTED* result a vector sets, through the same layers and checks that
 * `hcert decode` and `hcert verify` use. Each outcome says what we got and why. Every payload kind
 * `verify` reads is accepted (README "Conformance for the WHO kinds"): JSON and CBOR then hold that
 * kind's payload (a health link as `{"uri": …}`), and the schema expectations check the kind's model.
 */
import { isDeepStrictEqual } from 'node:util'
import { decodeBase45 } from '../codec/base45.js'
import { decodeCbor, encodeCbor } from '../codec/cbor.js'
import { removePrefix } from '../codec/prefix.js'
import { inflate } from '../codec/zlib.js'
import { parseClaims, toJson, type CwtClaims } from '../cwt/claims.js'
import { validateSchema } from '../dcc/schema.js'
import { DccError } from '../errors.js'
import { checkWhoSchema } from '../gdhcn/check-who-schema.js'
import { decodeCose, decodeHc1 } from '../hcert/decode-hc1.js'
import { verifyCose, verifyHc1, type CheckName, type VerifyResult } from '../hcert/verify-hc1.js'
import { readQrImage } from '../qr/read-qr-image.js'
import { parseInstant } from '../time/parse-instant.js'
import { TrustList } from '../trust/trust-list.js'
import { parseTrustedCertificate } from '../trust/trusted-certificate.js'
import { EXPECTATIONS, type Expectation, type TestVector } from './vector.js'

export interface ExpectationOutcome {
  expectation: Expectation
  expected: boolean
  /** null when the vector lacks the fields this step needs (the reference harness skips those too) */
  got: boolean | null
  /** why the step failed or was skipped; empty when it succeeded */
  reason: string
}

const fromHex = (hex: string): Uint8Array => new Uint8Array(Buffer.from(hex, 'hex'))
const equalBytes = (a: Uint8Array, b: Uint8Array): boolean => Buffer.compare(a, b) === 0

class StepFailed extends Error {}
class StepSkipped extends Error {}

type Step = (vector: TestVector, context: Context) => void

interface Context {
  verification(): VerifyResult
  /** the text of the QR code in 2DCODE, read before the steps run (reading an image is asynchronous) */
  pictureText(): string
}

function expect(condition: boolean, reason: string): void {
  if (!condition) throw new StepFailed(reason)
}

function required<T>(value: T | undefined, field: string): T {
  if (value === undefined) throw new StepSkipped(`the vector has no ${field}`)
  return value
}

/**
 * The CBOR field holds the payload in most vectors and the whole CWT claims map in some: accept
 * both, for every payload kind (a WHO payload's claims map is read as decode reads it).
 */
function cborToJson(hex: string): unknown {
  const bytes = fromHex(hex)
  let value = decodeCbor(bytes, 'the CBOR field')
  const hcert = value instanceof Map ? value.get(-260) : undefined
  if (hcert instanceof Map && hcert.has(1)) value = hcert.get(1)
  else if (value instanceof Map) {
    const claims = claimsOf(bytes)
    if (claims?.kind !== undefined) return claims.hcert
  }
  return toJson(value, 'CBOR')
}

function claimsOf(bytes: Uint8Array): CwtClaims | undefined {
  try {
    return parseClaims(bytes)
  } catch (err) {
    if (err instanceof DccError) return undefined
    throw err
  }
}

/** The schema findings for a payload of its kind: the EU DCC schema, or the WHO kind's model (check-who-schema.ts). */
function schemaIssues(payload: unknown, kind: CwtClaims['kind']): string[] {
  if (kind !== undefined) {
    if (typeof payload !== 'object' || payload === null || Array.isArray(payload))
      return [`the ${kind} payload is not a JSON object`]
    return checkWhoSchema(kind, payload as Record<string, unknown>)
  }
  return validateSchema(payload).map((i) => i.message)
}

/** The kind of the vector's certificate (undefined for the EU DCC, or when it does not decode). */
function kindOf(vector: TestVector): CwtClaims['kind'] {
  try {
    return decodeCose(coseOf(vector)).claims.kind
  } catch (err) {
    if (err instanceof DccError || err instanceof StepSkipped) return undefined
    throw err
  }
}

/**
 * Payload comparison as the reference harness does it: key and array order do not matter, and
 * text that reads as a date or date-time compares by the instant it names, to the second.
 */
export function sameContent(a: unknown, b: unknown): boolean {
  return isDeepStrictEqual(canonical(a), canonical(b))
}

function canonical(value: unknown): unknown {
  if (Array.isArray(value))
    return value.map(canonical).sort((x, y) => (JSON.stringify(x) < JSON.stringify(y) ? -1 : 1))
  if (value && typeof value === 'object') {
    return Object.fromEntries(
      Object.entries(value)
        .sort(([x], [y]) => (x < y ? -1 : 1))
        .map(([k, v]) => [k, canonical(v)]),
    )
  }
  if (typeof value === 'string' && /^\d{4}-\d{2}-\d{2}[T ]/.test(value)) {
    const instant = parseInstant(value)
    if (instant) return new Date(Math.floor(instant.getTime() / 1000) * 1000).toISOString()
  }
  return value
}

/** The 2DCODE field is a base64 PNG; a failure to read it is kept for the step that needs the text. */
async function readPicture(base64: string | undefined): Promise<() => string> {
  if (base64 === undefined)
    return () => {
      throw new StepSkipped('the vector has no 2DCODE')
    }
  try {
    const { text } = await readQrImage(new Uint8Array(Buffer.from(base64, 'base64')), 'png', '2DCODE')
    return () => text
  } catch (err) {
    if (!(err instanceof DccError)) throw err
    return () => {
      throw err
    }
  }
}

function coseOf(vector: TestVector): Uint8Array {
  if (vector.COSE !== undefined) return fromHex(vector.COSE)
  return decodeHc1(required(vector.PREFIX, 'COSE or PREFIX')).cose
}

function checkStep(check: CheckName): Step {
  return (_vector, context) => {
    const result = context.verification()
    const status = result.checks[check]
    const error = result.errors.find((e) => e.check === check) ?? result.errors[0]
    expect(
      status === 'pass',
      status === 'skipped'
        ? `${check} was skipped: ${error?.message ?? 'an earlier check failed'}`
        : (error?.message ?? `${check} failed`),
    )
  }
}

const STEPS: Readonly<Record<Expectation, Step>> = {
  EXPECTEDPICTUREDECODE: (vector, context) => {
    const text = context.pictureText()
    expect(vector.PREFIX === undefined || text === vector.PREFIX, 'the QR code holds other text than PREFIX')
  },
  EXPECTEDUNPREFIX: (vector) => {
    const { base45 } = removePrefix(required(vector.PREFIX, 'PREFIX'))
    expect(vector.BASE45 === undefined || base45 === vector.BASE45, 'the unprefixed text differs from BASE45')
  },
  EXPECTEDB45DECODE: (vector) => {
    const bytes = decodeBase45(required(vector.BASE45, 'BASE45'))
    expect(
      vector.COMPRESSED === undefined || equalBytes(bytes, fromHex(vector.COMPRESSED)),
      'the decoded bytes differ from COMPRESSED',
    )
  },
  EXPECTEDCOMPRESSION: (vector) => {
    const bytes = inflate(fromHex(required(vector.COMPRESSED, 'COMPRESSED')))
    expect(
      vector.COSE === undefined || equalBytes(bytes, fromHex(vector.COSE)),
      'the inflated bytes differ from COSE',
    )
  },
  EXPECTEDDECODE: (vector) => {
    const { claims } = decodeCose(coseOf(vector))
    if (vector.CBOR !== undefined)
      expect(sameContent(claims.hcert, cborToJson(vector.CBOR)), 'the COSE payload differs from CBOR')
    if (vector.JSON !== undefined)
      expect(sameContent(claims.hcert, vector.JSON), 'the COSE payload differs from JSON')
  },
  EXPECTEDVALIDJSON: (vector, context) => {
    if (vector.PREFIX === undefined) required(vector['2DCODE'], 'PREFIX or 2DCODE')
    const text = vector.PREFIX ?? context.pictureText()
    const { claims } = decodeHc1(text)
    expect(sameContent(claims.hcert, required(vector.JSON, 'JSON')), 'the decoded payload differs from JSON')
  },
  EXPECTEDVERIFY: checkStep('signature'),
  EXPECTEDEXPIRATIONCHECK: checkStep('expiration'),
  EXPECTEDKEYUSAGE: checkStep('keyUsage'),
  EXPECTEDSCHEMAVALIDATION: (vector) => {
    const { claims } = decodeCose(coseOf(vector))
    const issues = schemaIssues(claims.hcert, claims.kind)
    expect(issues.length === 0, `schema: ${issues.join('; ')}`)
  },
  EXPECTEDVALIDOBJECT: (vector) => {
    // the JSON alone does not say its kind: the vector's certificate does, when it has one
    const issues = schemaIssues(required(vector.JSON, 'JSON'), kindOf(vector))
    expect(issues.length === 0, `schema: ${issues.join('; ')}`)
  },
  EXPECTEDENCODE: (vector) => {
    const encoded = encodeCbor(required(vector.JSON, 'JSON'))
    const expected = cborToJson(required(vector.CBOR, 'CBOR'))
    expect(
      sameContent(toJson(decodeCbor(encoded, 'the encoded JSON'), 'JSON'), expected),
      'the JSON encodes to other CBOR content',
    )
  },
}

export async function runVector(vector: TestVector, defaultNow: Date): Promise<ExpectationOutcome[]> {
  const expected = vector.EXPECTEDRESULTS ?? {}
  let verification: VerifyResult | undefined
  const needsPicture =
    typeof expected.EXPECTEDPICTUREDECODE === 'boolean' ||
    (typeof expected.EXPECTEDVALIDJSON === 'boolean' && vector.PREFIX === undefined)
  const context: Context = {
    verification() {
      verification ??= verifyVector(vector, defaultNow)
      return verification
    },
    pictureText: needsPicture ? await readPicture(vector['2DCODE']) : () => '',
  }
  const outcomes: ExpectationOutcome[] = []
  for (const expectation of EXPECTATIONS) {
    const want = expected[expectation]
    if (typeof want !== 'boolean') continue
    let got: boolean | null = true
    let reason = ''
    try {
      STEPS[expectation](vector, context)
    } catch (err) {
      if (!(err instanceof StepFailed || err instanceof StepSkipped || err instanceof DccError)) throw err
      got = err instanceof StepSkipped ? null : false
      reason = err.message
    }
    outcomes.push({ expectation, expected: want, got, reason })
  }
  return outcomes
}

function verifyVector(vector: TestVector, defaultNow: Date): VerifyResult {
  const trust = new TrustList()
  const certificate = vector.TESTCTX?.CERTIFICATE
  if (certificate)
    trust.add(
      parseTrustedCertificate(new Uint8Array(Buffer.from(certificate, 'base64')), 'TESTCTX.CERTIFICATE'),
    )
  const clock = vector.TESTCTX?.VALIDATIONCLOCK
  const now = (clock && parseInstant(clock)) || defaultNow
  if (vector.COSE !== undefined) return verifyCose(fromHex(vector.COSE), { trust, now })
  return verifyHc1(required(vector.PREFIX, 'COSE or PREFIX'), { trust, now })
}
