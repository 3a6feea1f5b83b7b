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

const DOB_SHAPE = /^\d{4}(?:-\d{2}){0,2}$/

/**
 * The one rule of what a date is, shared by `hcert issue` (which rejects) and `hcert verify`
 * (which warns): true when the text has the shape of a date, date of birth or date-time (`1988`,
 * `1988-02`, `1988-02-30`, `2021-05-01T25:00:00Z`) but is not a real calendar day or time
 * (1988-02-30, month 00 or 13, hour 25). Text of another shape is false: the schema's pattern or
 * format reports it.
 */
export function isNotCalendarDate(text: string): boolean {
  if (DOB_SHAPE.test(text)) {
    if (text.length === 4) return false
    const month = digits(text, 5)
    if (text.length === 7) return month < 1 || month > 12
  } else if (!DATE.test(text) && !DATE_TIME.test(text)) return false
  return !inCalendar(text)
}

/** Where the dates of a DCC payload are: the date of birth and the dates of each entry (JSON pointers). */
const ENTRY_DATES: Readonly<Record<string, readonly string[]>> = {
  v: ['dt'],
  t: ['sc', 'dr'],
  r: ['fr', 'df', 'du'],
}

/** JSON pointers (`/dob`, `/v/0/dt` …) of the dates in a payload that are not calendar dates. */
export function notCalendarDates(payload: unknown): string[] {
  if (typeof payload !== 'object' || payload === null) return []
  const dcc = payload as Record<string, unknown>
  const out: string[] = []
  if (typeof dcc.dob === 'string' && isNotCalendarDate(dcc.dob)) out.push('/dob')
  for (const [group, fields] of Object.entries(ENTRY_DATES)) {
    const entries = dcc[group]
    if (!Array.isArray(entries)) continue
    entries.forEach((entry: unknown, i) => {
      if (typeof entry !== 'object' || entry === null) return
      for (const field of fields) {
        const value = (entry as Record<string, unknown>)[field]
        if (typeof value === 'string' && isNotCalendarDate(value)) out.push(`/${group}/${i}/${field}`)
      }
    })
  }
  return out
}

/** In the shape the generated validator expects (Ajv's format objects). */
export const formats = {
  date: { type: 'string', validate: isSchemaDate },
  'date-time': { type: 'string', validate: isSchemaDateTime },
}
