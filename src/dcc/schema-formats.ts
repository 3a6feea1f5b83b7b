/**
 * The `date` and `date-time` formats of the DCC schema, as this tool reads them.
 *
 * Real issuers write date-times where the schema says `date` (the public BG vectors do), and the EU
 * reference tooling does not enforce formats. Here a `date` is a full calendar date, optionally
 * followed by a time (`2021-05-01` and `2021-05-01T10:00:00Z` pass, `2021-13-01` and `01.05.2021`
 * fail). A `date-time` accepts the offsets ajv-formats accepts upstream (`Z`, `+02`, `+0200`,
 * `+02:00`) and up to 9 fractional digits.
 */
import { parseInstant } from '../time/parse-instant.js'

const DATE =
  /^\d{4}-\d{2}-\d{2}(?:[T ]\d{2}:\d{2}(?::\d{2}(?:[.,]\d{1,9})?)?(?:Z|z|[+-]\d{2}(?::?\d{2})?)?)?$/
const DATE_TIME = /^\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}:\d{2}(?:[.,]\d{1,9})?(?:Z|z|[+-]\d{2}(?::?\d{2})?)$/

export function isSchemaDate(text: string): boolean {
  return DATE.test(text) && parseInstant(text) !== undefined
}

export function isSchemaDateTime(text: string): boolean {
  return DATE_TIME.test(text) && parseInstant(text) !== undefined
}

/** In the shape the generated validator expects (Ajv's format objects). */
export const formats = {
  date: { type: 'string', validate: isSchemaDate },
  'date-time': { type: 'string', validate: isSchemaDateTime },
}
