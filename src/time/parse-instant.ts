/**
 * ISO 8601 instants in the forms real test data uses: a date alone, or a date-time with up to
 * 9 fractional digits, and an offset written Z, +02, +02:00 or +0200; no offset means UTC.
 */
const INSTANT =
  /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:[.,](\d{1,9}))?)?)?(Z|z|[+-]\d{2}(?::?\d{2})?)?$/

export function parseInstant(text: string): Date | undefined {
  const m = INSTANT.exec(text.trim())
  if (!m) return undefined
  const [, y, mo, d, h = '0', mi = '0', s = '0', frac = '', offset = 'Z'] = m
  const year = Number(y)
  const month = Number(mo)
  const day = Number(d)
  const hour = Number(h)
  const minute = Number(mi)
  const second = Number(s)
  if (month < 1 || month > 12 || day < 1 || day > 31 || hour > 23 || minute > 59 || second > 60)
    return undefined
  const ms = Math.floor(Number(`0.${frac || '0'}`) * 1000)
  let utc = Date.UTC(year, month - 1, day, hour, minute, Math.min(second, 59), ms)
  if (new Date(Date.UTC(year, month - 1, day)).getUTCDate() !== day) return undefined
  if (offset !== 'Z' && offset !== 'z') {
    const sign = offset.startsWith('-') ? -1 : 1
    const digits = offset.slice(1).replace(':', '')
    const minutes = Number(digits.slice(0, 2)) * 60 + Number(digits.slice(2) || '0')
    utc -= sign * minutes * 60_000
  }
  return new Date(utc)
}
