/**
 * The official DCC JSON schema (1.3.3, draft 2020-12, data/schema), checked by a validator that Ajv
 * generated ahead of time (scripts/compile-schema.js), so that verifying loads no schema compiler.
 * The formats are in schema-formats.ts.
 */
import { isQuotableKey } from '../codec/quotable-keys.js'
import { validate } from './generated/validate-dcc.js'

export { isSchemaDate, isSchemaDateTime } from './schema-formats.js'

export interface SchemaIssue {
  /** JSON pointer into the payload, e.g. /v/0/dn */
  path: string
  /** Ajv's wording with the path in front; for a person, check-record words it by `keyword` */
  message: string
  /** the JSON Schema keyword that failed: required, pattern, format, maxLength, type, … */
  keyword: string
  /** the keyword's parameters, e.g. {missingProperty}, {limit}, {format} (never the value) */
  params: Record<string, unknown>
}

interface AjvError {
  instancePath: string
  keyword: string
  message?: string
  params: Record<string, unknown>
}

/**
 * Whether `ver` is a version of the DCC schema: 1.x.y (semantic versioning, no leading zeros). The
 * schema's own pattern (`^\d+.\d+.\d+$`) takes any three numbers, `9.9.9` too, and even `1x3x0`;
 * every schema published (1.0.0 to 1.3.2, HCERT §3 and the ehn-dcc-schema releases) is major 1,
 * and a later major version may change what the fields mean.
 */
export function isKnownSchemaVersion(ver: string): boolean {
  return /^1\.(0|[1-9]\d{0,3})\.(0|[1-9]\d{0,3})$/.test(ver)
}

export function validateSchema(payload: unknown): SchemaIssue[] {
  const check = validate as unknown as ((data: unknown) => boolean) & { errors?: AjvError[] | null }
  if (check(payload)) return []
  return simplify(check.errors ?? [])
}

/** Ajv reports every branch of oneOf; keep the errors a person can act on. */
function simplify(errors: readonly AjvError[]): SchemaIssue[] {
  const useful = errors.filter((e) => e.keyword !== 'oneOf' && e.keyword !== 'anyOf' && e.keyword !== 'if')
  const chosen = useful.length > 0 ? useful : errors
  const seen = new Set<string>()
  const out: SchemaIssue[] = []
  for (const e of chosen) {
    const path = e.instancePath || '/'
    // an unknown key could be holder text: quoted only when it is a field name (in the wrong place)
    const extra = e.params.additionalProperty
    const message = `${path} ${e.message ?? 'is invalid'}${e.keyword === 'additionalProperties' ? (isQuotableKey(extra) ? ` ('${extra}')` : ' (a key that is not a DCC field)') : ''}`
    if (seen.has(message)) continue
    seen.add(message)
    out.push({ path, message, keyword: e.keyword, params: e.params })
  }
  return out
}
