/**
 * The `date` and `date-time` formats of the DCC schema, as this tool reads them.
 *
 * Real issuers write date-times where the schema says `date` (the public BG vectors do), and the EU
 * reference tooling does not enforce formats. Here a `date` is a full calendar date, optionally
 * followed by a time (`2021-05-01` and `2021-05-01T10:00:00Z` pass, `2021-13-01` and `01.05.2021`
 * fail). A `date-time` accepts the offsets ajv-formats accepts upstream (`Z`, `+02`, `+0200`,
 * `+02:00`; the upstream vectors T-rat-dates1/2 rely on the short forms) and up to 9 fractional
 * digits. What `hcert issue` signs is stricter: RFC 3339 itself (isRfc3339DateTime).
 *
 * Every part must exist: the day in its month, hours 00-23, minutes and seconds 00-59, an offset's
 * hours 00-23 and minutes 00-59 (`+99:99`, `+25:00`, `+23:60` are no offset: JavaScript reads such a
 * time as Invalid Date, and a check that compares it, "in the future", would pass it by). A leap
 * second, `:60`, is refused: none has been inserted since 2016-12-31 (IERS Bulletin C), the CGPM
 * decided in 2022 to stop inserting them, and DCCs exist since 2021, so no time a DCC or an ICVP
 * carries can be one; and no JavaScript Date can hold it.
 */
const OFFSET = '(Z|z|[+-]\\d{2}(?::?\\d{2})?)'
const DATE = new RegExp(`^\\d{4}-\\d{2}-\\d{2}(?:[T ]\\d{2}:\\d{2}(?::\\d{2}(?:[.,]\\d{1,9})?)?${OFFSET}?)?$`)
const DATE_TIME = new RegExp(`^\\d{4}-\\d{2}-\\d{2}[Tt ]\\d{2}:\\d{2}:\\d{2}(?:[.,]\\d{1,9})?${OFFSET}$`)
/** RFC 3339 §5.6 `date-time`, as hcert signs it: `T`, seconds, `.` fractions, `Z` or `±hh:mm`. */
const RFC_3339 = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d{1,9})?(Z|[+-]\d{2}:\d{2})$/

const digits = (text: string, at: number): number =>
  (text.charCodeAt(at) - 48) * 10 + (text.charCodeAt(at + 1) - 48)

/**
 * The fields of a text that matched DATE, DATE_TIME or RFC_3339 are real: the day exists in its
 * month; hours, minutes and seconds are in range (no leap second); and so are the offset's hours and
 * minutes (`offset`: the regular expression's offset group). No Date objects: the schema runs once
 * per certificate verified.
 */
function inCalendar(text: string, offset?: string): boolean {
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
  if (text.charCodeAt(16) === 58 && digits(text, 17) > 59) return false
  // +hh, +hhmm, +hh:mm
  if (offset !== undefined && offset.length >= 3)
    return digits(offset, 1) <= 23 && (offset.length === 3 || digits(offset, offset.length - 2) <= 59)
  return true
}

const matchesInCalendar = (pattern: RegExp, text: string): boolean => {
  const m = pattern.exec(text)
  return m !== null && inCalendar(text, m[1])
}

export function isSchemaDate(text: string): boolean {
  return matchesInCalendar(DATE, text)
}

/** The shape of a `date` (a day, optionally a time and an offset), whether or not its parts exist. */
export function hasSchemaDateShape(text: string): boolean {
  return DATE.test(text)
}

export function isSchemaDateTime(text: string): boolean {
  return matchesInCalendar(DATE_TIME, text)
}

/**
 * A date-time as `hcert issue` signs it: RFC 3339 §5.6 (`2021-06-01T08:00:00Z`,
 * `2021-06-01T08:00:00.5+07:00`), every part in range. Not the short offsets `+07` and `+0700`
 * (ISO 8601 basic forms, which RFC 3339 does not allow), nor a space or lower case `t`/`z` for `T`
 * and `Z`: what hcert writes, every verifier reads.
 */
export function isRfc3339DateTime(text: string): boolean {
  return matchesInCalendar(RFC_3339, text)
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
    return !inCalendar(text)
  }
  const m = DATE.exec(text) ?? DATE_TIME.exec(text)
  return m !== null && !inCalendar(text, m[1])
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
