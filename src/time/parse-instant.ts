/**
 * ISO 8601 instants in the forms real test data uses: a date alone, or a date-time with up to
 * 9 fractional digits, and an offset written Z, +02, +02:00 or +0200; no offset means UTC. Every part
 * must exist: no 25:00, no offset +25:00 or +23:60, and no leap second :60 (none since 2016-12-31,
 * and none to come: src/dcc/schema-formats.ts), which a Date cannot hold either.
 */
const INSTANT =
  /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:[.,](\d{1,9}))?)?)?(Z|z|[+-]\d{2}(?::?\d{2})?)?$/

const isDigit = (code: number): boolean => code >= 48 && code <= 57

/** Midnight UTC of a calendar day, or undefined when the day does not exist (2021-02-29) */
function calendarDay(year: number, month: number, day: number): Date | undefined {
  const date = new Date(0)
  date.setUTCFullYear(year, month - 1, day) // not Date.UTC, which reads years 0–99 as 1900–1999
  return date.getUTCDate() === day && date.getUTCMonth() === month - 1 ? date : undefined
}

/** YYYY-MM-DD, the form of nearly every date in a batch: read without a regular expression */
function plainDate(text: string): Date | undefined {
  for (let i = 0; i < 10; i++) {
    const code = text.charCodeAt(i)
    if (i === 4 || i === 7 ? code !== 45 : !isDigit(code)) return undefined
  }
  const month = Number(text.slice(5, 7))
  if (month < 1 || month > 12) return undefined
  return calendarDay(Number(text.slice(0, 4)), month, Number(text.slice(8, 10)))
}

export function parseInstant(text: string): Date | undefined {
  if (text.length === 10) {
    const date = plainDate(text)
    if (date) return date
  }
  const m = INSTANT.exec(text.trim())
  if (!m) return undefined
  const [, y, mo, d, h = '0', mi = '0', s = '0', frac = '', offset = 'Z'] = m
  const year = Number(y)
  const month = Number(mo)
  const day = Number(d)
  const hour = Number(h)
  const minute = Number(mi)
  const second = Number(s)
  if (month < 1 || month > 12 || day < 1 || day > 31 || hour > 23 || minute > 59 || second > 59)
    return undefined
  const ms = Math.floor(Number(`0.${frac || '0'}`) * 1000)
  const date = calendarDay(year, month, day)
  if (!date) return undefined
  let utc = date.getTime() + ((hour * 60 + minute) * 60 + second) * 1000 + ms
  if (offset !== 'Z' && offset !== 'z') {
    const sign = offset.startsWith('-') ? -1 : 1
    const digits = offset.slice(1).replace(':', '')
    const [offsetHours, offsetMinutes] = [Number(digits.slice(0, 2)), Number(digits.slice(2) || '0')]
    if (offsetHours > 23 || offsetMinutes > 59) return undefined // +25:00 is no offset
    const minutes = offsetHours * 60 + offsetMinutes
    utc -= sign * minutes * 60_000
  }
  return new Date(utc)
}

/**
 * Why text that parseInstant refuses is no instant, in words for a usage error: a date or time of
 * the right shape that does not exist is named as such (2021-02-30 is not a calendar date), quoting
 * only the part at fault.
 */
export function instantProblem(text: string): string {
  const m = INSTANT.exec(text.trim())
  if (!m) return `'${text}' is not an ISO 8601 date or date-time`
  const [, y = '', mo = '', d = '', h, mi, s, , offset] = m
  const date = `${y}-${mo}-${d}`
  if (Number(mo) < 1 || Number(mo) > 12 || !calendarDay(Number(y), Number(mo), Number(d)))
    return `'${date}' is not a calendar date`
  if (Number(h ?? 0) > 23 || Number(mi ?? 0) > 59 || Number(s ?? 0) > 59)
    return `'${h}:${mi}${s === undefined ? '' : `:${s}`}' is not a time of day (hours 00-23, minutes and seconds 00-59)`
  if (offset && offset !== 'Z' && offset !== 'z') {
    const digits = offset.slice(1).replace(':', '')
    if (Number(digits.slice(0, 2)) > 23 || Number(digits.slice(2) || '0') > 59)
      return `'${offset}' is not a UTC offset (-23:59 to +23:59)`
  }
  return `'${text}' is not an ISO 8601 date or date-time`
}
