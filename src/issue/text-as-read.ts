/**
 * A record as it was typed, to tell the same row read twice (an earlier rejects file's, and this
 * run's resending it, or the original file sent again): CSV, its cells under their columns' names
 * (those beyond the header by position), the reason cell and empty cells left out, as a rejects
 * file lays it out again; JSON, its text, and for an object that parses, the object without the
 * `reason` key a rejects file adds (whitespace aside). Undefined when the record was not kept as
 * typed (a line too long). Kept in memory only, for the run.
 */
import { REASON_COLUMN, type InputRecord } from './read-records.js'

/** a run of digits a double may not hold: such a text is compared as typed */
const LONG_DIGITS = /\d{16,}/

export function textAsRead(record: InputRecord): string | undefined {
  if (record.cells && record.header) {
    const header = record.header
    const name = (i: number): string =>
      i < header.length ? (header[i] as string).trim().toLowerCase() : `#${i - header.length}`
    const cells = record.cells.flatMap((cell, i) =>
      cell === '' || name(i) === REASON_COLUMN ? [] : [[name(i), cell]],
    )
    return `csv:${JSON.stringify(cells.sort(([a], [b]) => (a! < b! ? -1 : a! > b! ? 1 : 0)))}`
  }
  const text = record.source ?? record.text
  if (text === undefined) return undefined
  if (!record.error && !LONG_DIGITS.test(text))
    try {
      const value = JSON.parse(text) as unknown
      if (value && typeof value === 'object' && !Array.isArray(value)) {
        const { [REASON_COLUMN]: _reason, ...rest } = value as Record<string, unknown>
        return `json:${JSON.stringify(rest)}`
      }
    } catch {
      // compared as typed
    }
  return `json:${text}`
}
