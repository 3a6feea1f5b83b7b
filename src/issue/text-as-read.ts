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

/** A `"key": value` pair of a JSON text, the value a string or a number (RFC 8259). */
const PAIR = /"((?:[^"\\]|\\.){1,64})"\s*:\s*("(?:[^"\\]|\\.)*"|-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?)/gu

/**
 * The record's fields as far as they can be read: its `raw`, or, for a JSON text that did not
 * parse (or gave a key twice, and was read as no fields), the string and number values of the keys
 * its text gives once (a DCC payload's `nam` names as `fn`, `gn`…), so that its holder and event
 * can be compared with a record read since. A key given twice is left out: which value counts is
 * open.
 */
export function readableFields(record: InputRecord): Record<string, unknown> {
  const text = record.source ?? record.text
  if (!record.error || Object.keys(record.raw).length > 0 || text === undefined) return record.raw
  const fields: Record<string, unknown> = {}
  const twice = new Set<string>()
  for (const [, key, value] of text.matchAll(PAIR)) {
    try {
      const name = JSON.parse(`"${key}"`) as string
      if (name in fields) twice.add(name)
      else fields[name] = JSON.parse(value as string) as unknown
    } catch {
      // not a pair that can be read
    }
  }
  for (const name of twice) delete fields[name]
  return fields
}

/**
 * Whether a record's fields stand under their own names: not a CSV row whose cells do not line up
 * with its header (`has 11 fields`, a header row again), whose cells may sit under other columns.
 */
export function fieldsLineUp(record: InputRecord): boolean {
  return !record.error || !record.cells || record.errorField !== undefined
}
