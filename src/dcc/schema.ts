/**
 * The official DCC JSON schema (1.3.3, draft 2020-12, data/schema) checked with Ajv.
 *
 * Formats: real issuers write date-times where the schema says `date` (the public BG vectors do), and
 * the EU reference tooling does not enforce formats. Here a `date` is a full calendar date,
 * optionally followed by a time (`2021-05-01` and `2021-05-01T10:00:00Z` pass, `2021-13-01` and
 * `01.05.2021` fail). A `date-time` accepts the offsets ajv-formats accepts upstream (`Z`, `+02`,
 * `+0200`, `+02:00`) and up to 9 fractional digits.
 */
import { readFileSync } from 'node:fs'
import { Ajv2020, type ErrorObject, type ValidateFunction } from 'ajv/dist/2020.js'
import { parseInstant } from '../time/parse-instant.js'

export interface SchemaIssue {
  /** JSON pointer into the payload, e.g. /v/0/dn */
  path: string
  message: string
}

const DATE =
  /^\d{4}-\d{2}-\d{2}(?:[T ]\d{2}:\d{2}(?::\d{2}(?:[.,]\d{1,9})?)?(?:Z|z|[+-]\d{2}(?::?\d{2})?)?)?$/
const DATE_TIME = /^\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}:\d{2}(?:[.,]\d{1,9})?(?:Z|z|[+-]\d{2}(?::?\d{2})?)$/

export function isSchemaDate(text: string): boolean {
  return DATE.test(text) && parseInstant(text) !== undefined
}

export function isSchemaDateTime(text: string): boolean {
  return DATE_TIME.test(text) && parseInstant(text) !== undefined
}

let validate: ValidateFunction | undefined

function compile(): ValidateFunction {
  const schema = JSON.parse(
    readFileSync(new URL('../../data/schema/DCC.combined-schema.json', import.meta.url), 'utf8'),
  )
  const ajv = new Ajv2020({ strict: false, allErrors: true, validateFormats: true })
  ajv.addFormat('date', { type: 'string', validate: isSchemaDate })
  ajv.addFormat('date-time', { type: 'string', validate: isSchemaDateTime })
  return ajv.compile(schema)
}

export function validateSchema(payload: unknown): SchemaIssue[] {
  validate ??= compile()
  if (validate(payload)) return []
  return simplify(validate.errors ?? [])
}

/** Ajv reports every branch of oneOf; keep the errors a person can act on. */
function simplify(errors: ErrorObject[]): SchemaIssue[] {
  const useful = errors.filter((e) => e.keyword !== 'oneOf' && e.keyword !== 'anyOf' && e.keyword !== 'if')
  const chosen = useful.length > 0 ? useful : errors
  const seen = new Set<string>()
  const out: SchemaIssue[] = []
  for (const e of chosen) {
    const path = e.instancePath || '/'
    const message = `${path} ${e.message ?? 'is invalid'}${e.keyword === 'additionalProperties' ? ` ('${String(e.params.additionalProperty)}')` : ''}`
    if (seen.has(message)) continue
    seen.add(message)
    out.push({ path, message })
  }
  return out
}
