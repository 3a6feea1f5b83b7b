/**
 * The fields of a test vector read before any step runs, so that a malformed field is the vector's
 * fault (`not a well-formed test vector (…)`, naming the field) and never silently dropped or
 * replaced: an `EXPECTEDVERIFY: "yes"` skipped, a `VALIDATIONCLOCK` that is no instant replaced by
 * now (which blames the certificate), hex that is not hex read up to its first bad digit.
 * Fields the dgc-testdata README defines are checked; other fields are left alone (upstream vectors
 * carry a few, such as `GATEWAY-ENV` and the misspelt `EXPTECTEDEXPIRED`).
 */
import { DccError } from '../errors.js'
import { instantProblem, parseInstant } from '../time/parse-instant.js'
import { EXPECTATIONS, type TestVector } from './vector.js'

const HEX = /^(?:[0-9a-fA-F]{2})*$/
const BASE64 = /^[A-Za-z0-9+/\s]*={0,2}\s*$/

const kindOf = (value: unknown): string =>
  value === null
    ? 'null'
    : Array.isArray(value)
      ? 'a list'
      : typeof value === 'object'
        ? 'an object'
        : `a ${typeof value}`

function bad(field: string, problem: string): never {
  throw new DccError('ERR_USAGE', `${field} ${problem}`)
}

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value)

/**
 * Throws DccError naming the first malformed field (`EXPECTEDRESULTS.EXPECTEDVERIFY is a string,
 * not true or false`, `TESTCTX.VALIDATIONCLOCK: '2021-02-30' is not a calendar date`, `COSE is not
 * hexadecimal (an even number of 0-9, a-f)`); returns when the vector is well formed.
 */
export function checkVectorShape(vector: TestVector): void {
  const results: unknown = vector.EXPECTEDRESULTS
  if (!isObject(results)) bad('EXPECTEDRESULTS', `is ${kindOf(results)}, not an object of true/false`)
  for (const name of EXPECTATIONS) {
    const value = results[name]
    if (value !== undefined && typeof value !== 'boolean')
      bad(`EXPECTEDRESULTS.${name}`, `is ${kindOf(value)}, not true or false`)
  }
  for (const field of ['CBOR', 'COSE', 'COMPRESSED'] as const) {
    const value: unknown = vector[field]
    if (value === undefined) continue
    if (typeof value !== 'string') bad(field, `is ${kindOf(value)}, not a hexadecimal string`)
    if (!HEX.test(value))
      bad(field, 'is not hexadecimal (an even number of the digits 0-9, a-f, nothing else)')
  }
  for (const field of ['PREFIX', 'BASE45'] as const) {
    const value: unknown = vector[field]
    if (value !== undefined && typeof value !== 'string') bad(field, `is ${kindOf(value)}, not a string`)
  }
  const picture: unknown = vector['2DCODE']
  if (picture !== undefined && (typeof picture !== 'string' || !BASE64.test(picture)))
    bad('2DCODE', 'is not a base64 string (a PNG image)')
  const context: unknown = vector.TESTCTX
  if (context === undefined) return
  if (!isObject(context)) bad('TESTCTX', `is ${kindOf(context)}, not an object`)
  const certificate = context.CERTIFICATE
  if (certificate !== undefined && (typeof certificate !== 'string' || !BASE64.test(certificate)))
    bad('TESTCTX.CERTIFICATE', 'is not a base64 string (a DER certificate)')
  const clock = context.VALIDATIONCLOCK
  if (clock === undefined) return
  if (typeof clock !== 'string')
    bad('TESTCTX.VALIDATIONCLOCK', `is ${kindOf(clock)}, not an ISO 8601 date-time`)
  if (!parseInstant(clock)) bad('TESTCTX.VALIDATIONCLOCK:', instantProblem(clock))
}
