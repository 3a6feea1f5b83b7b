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

/** A `"key": word` pair whose value was typed without its quotes (`"type":v`): the word as text. */
const BARE_PAIR = /"((?:[^"\\]|\\.){1,64})"\s*:\s*([A-Za-z_][A-Za-z0-9_-]*)\s*(?=[,}]|$)/gu

/** A text's last `"key": "value` whose string was cut off (the line ends in it). */
const CUT_PAIR = /"((?:[^"\\]|\\.){1,64})"\s*:\s*"((?:[^"\\]|\\.)*)$/u

/** Whether a record's fields are read from a JSON text that did not parse (readableFields). */
export function readFromText(record: InputRecord): boolean {
  return (
    Boolean(record.error) &&
    Object.keys(record.raw).length === 0 &&
    (record.source ?? record.text) !== undefined
  )
}

/**
 * The record's fields as far as they can be read: its `raw`, or, for a JSON text that did not
 * parse (or gave a key twice, and was read as no fields), the string and number values of the keys
 * its text gives once (a DCC payload's `nam` names as `fn`, `gn`…), and a word typed without its
 * quotes (`"type":v`) as text, so that its holder and event can be compared with a record read
 * since. A key given twice is left out: which value counts is open.
 */
export function readableFields(record: InputRecord): Record<string, unknown> {
  const text = record.source ?? record.text
  if (!readFromText(record) || text === undefined) return record.raw
  const fields: Record<string, unknown> = {}
  const twice = new Set<string>()
  const pairs = [
    ...[...text.matchAll(PAIR)].map(([, key, value]) => [key, value] as const),
    ...[...text.matchAll(BARE_PAIR)]
      .filter(([, , word]) => !['true', 'false', 'null'].includes(word as string))
      .map(([, key, word]) => [key, JSON.stringify(word)] as const),
  ]
  for (const [key, value] of pairs) {
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
 * What a JSON text that did not parse shows of its certificate type and holder (README "The
 * rejects file"): each of `type`, `fn`, `gn`, `fnt`, `gnt`, `dob` as read (readableFields), or the
 * start of it when the line was cut off in its value (`"fn":"L`). A record that contradicts one of
 * them is not the line's record. Undefined for any other record.
 */
export function textClues(record: InputRecord): Map<string, { value: string; start: boolean }> | undefined {
  if (!readFromText(record)) return undefined
  const clues = new Map<string, { value: string; start: boolean }>()
  const fields = readableFields(record)
  for (const key of ['type', 'fn', 'gn', 'fnt', 'gnt', 'dob'])
    if (typeof fields[key] === 'string' && fields[key] !== '')
      clues.set(key, { value: fields[key], start: false })
  const cut = CUT_PAIR.exec((record.source ?? record.text ?? '').trimEnd())
  if (cut)
    try {
      const key = JSON.parse(`"${cut[1]}"`) as string
      const value = JSON.parse(`"${(cut[2] as string).replace(/\\$/u, '')}"`) as string
      if (!clues.has(key) && value.trim() !== '') clues.set(key, { value, start: true })
    } catch {
      // a start that cannot be read shows nothing
    }
  return clues
}

/**
 * Whether a record's fields stand under their own names: not a CSV row whose cells do not line up
 * with its header (`has 11 fields`, a header row again), whose cells may sit under other columns.
 */
export function fieldsLineUp(record: InputRecord): boolean {
  return !record.error || !record.cells || record.errorField !== undefined
}
