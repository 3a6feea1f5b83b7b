/**
 * The `date` and `date-time` formats of the DCC schema, as this tool reads them.
 *
 * Real issuers write date-times where the schema says `date` (the public BG vectors do), and the EU
 * reference tooling does not enforce formats. Here a `date` is a full calendar date, optionally
 * followed by a time (`2021-05-01` and `2021-05-01T10:00:00Z` pass, `2021-13-01` and `01.05.2021`
 * fail). A `date-time` accepts the offsets ajv-formats accepts upstream (`Z`, `+02`, `+0200`,
 * `+02:00`) and up to 9 fractional digits.
 */
const DATE =
  /^\d{4}-\d{2}-\d{2}(?:[T ]\d{2}:\d{2}(?::\d{2}(?:[.,]\d{1,9})?)?(?:Z|z|[+-]\d{2}(?::?\d{2})?)?)?$/
const DATE_TIME = /^\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}:\d{2}(?:[.,]\d{1,9})?(?:Z|z|[+-]\d{2}(?::?\d{2})?)$/

const digits = (text: string, at: number): number =>
  (text.charCodeAt(at) - 48) * 10 + (text.charCodeAt(at + 1) - 48)

/**
 * The fields of a text that matched DATE or DATE_TIME are real: the day exists in its month, and
 * hours, minutes and seconds are in range (a leap second, :60, is allowed). No Date objects: the
 * schema runs once per certificate verified.
 */
function inCalendar(text: string): boolean {
  const year = digits(text, 0) * 100 + digits(text, 2)
  const month = digits(text, 5)
  const day = digits(text, 8)
  if (month < 1 || month > 12 || day < 1) return false
  const leap = year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0)
  const days =
    month === 2 ? (leap ? 29 : 28) : month === 4 || month === 6 || month === 9 || month === 11 ? 30 : 31
  if (day > days) return false
  if (text.length <= 10 || text.charCodeAt(13) !== 58 /* : */) return true
  if (digits(text, 11) > 23 || digits(text, 14) > 59) return false
  return text.charCodeAt(16) !== 58 || digits(text, 17) <= 60
}

export function isSchemaDate(text: string): boolean {
  return DATE.test(text) && inCalendar(text)
}

export function isSchemaDateTime(text: string): boolean {
  return DATE_TIME.test(text) && inCalendar(text)
}

/** In the shape the generated validator expects (Ajv's format objects). */
export const formats = {
  date: { type: 'string', validate: isSchemaDate },
  'date-time': { type: 'string', validate: isSchemaDateTime },
}
