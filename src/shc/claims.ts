/** `nbf` and `exp` of a SMART Health Card: JWT NumericDates (RFC 7519 §2), fractional seconds allowed (the spec's example generator writes them). */

/** Beyond this a NumericDate is taken for milliseconds or garbage (10^11 s is the year 5138). */
const MAX_SECONDS = 1e11

export interface ReadDate {
  value?: number
  /** why the claim cannot be used; the message names the claim, never its value */
  problem?: string
}

export function readNumericDate(value: unknown, name: 'nbf' | 'exp'): ReadDate {
  if (value === undefined) return {}
  if (typeof value !== 'number' || !Number.isFinite(value))
    return { problem: `${name} is not a number of seconds (a JWT NumericDate)` }
  if (value < 0 || value > MAX_SECONDS)
    return {
      problem: `${name} is out of range for seconds since 1970${value > MAX_SECONDS && value < MAX_SECONDS * 1e6 ? ' (milliseconds?)' : ''}`,
    }
  return { value }
}
