/**
 * Rejected records written back in the input's own format, with a reason column, for the site to fix
 * and resend (README "The rejects file"). CSV cells that a spreadsheet would run as a formula are
 * neutralised with a leading `'`, which reading a CSV undoes; a JSON Lines row that did not parse
 * is kept as text in `{"unparsed": …, "reason": …}`. Reading the file back drops `reason`.
 */
import { AtomicFile, removeStaleFile } from '../fs/atomic-file.js'
import { neutralise } from './csv.js'
import { REASON_COLUMN, UNPARSED_KEY, type InputFormat, type InputRecord } from './read-records.js'

/** One CSV cell (RFC 4180 quoting), neutralised against formulas (OWASP CSV injection). */
export function csvField(value: unknown): string {
  const text = neutralise(
    value === undefined || value === null ? '' : typeof value === 'string' ? value : JSON.stringify(value),
  )
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text
}

/**
 * The rejects file is written as an AtomicFile (mode 0600, created when the writer is, so that a
 * destination that cannot be written fails before any record is read or committed) and moved into
 * place by close(). A run that rejects nothing removes a rejects file left at the path by an earlier
 * run whose records are all issued since, so that the file never lists records that were issued
 * since, and never loses another batch's.
 */
export class RejectsWriter {
  private readonly file: AtomicFile
  private readonly stream: { write(text: string): void }
  /** CSV: the header written, and where its reason column is */
  private header:
    { cells: string[]; reasonAt: number; fromRaw: boolean; input: readonly string[] } | undefined
  private count = 0

  constructor(
    private readonly path: string,
    private readonly format: InputFormat,
  ) {
    this.file = new AtomicFile(path)
    this.stream = this.file
    if (format === 'json') this.stream.write('[\n')
  }

  /** One rejected record, as it was read (see InputRecord.source and cells), with its reason. */
  write(record: InputRecord, reason: string): void {
    if (this.format === 'csv') this.writeCsv(record, reason)
    else {
      const row = JSON.stringify(jsonRow(record, reason))
      if (this.format === 'json') this.stream.write(`${this.count > 0 ? ',\n' : ''}  ${row}`)
      else this.stream.write(`${row}\n`)
    }
    this.count++
  }

  private writeCsv(record: InputRecord, reason: string): void {
    const cells = record.cells && record.header ? record.cells : undefined
    if (!this.header) {
      if (cells && record.header) {
        const reasonAt = record.header.findIndex((h) => h.trim().toLowerCase() === REASON_COLUMN)
        this.header = {
          cells: reasonAt >= 0 ? [...record.header] : [...record.header, REASON_COLUMN],
          reasonAt: reasonAt >= 0 ? reasonAt : record.header.length,
          fromRaw: false,
          input: record.header,
        }
      } else {
        const names = Object.keys(record.raw).filter((k) => k !== REASON_COLUMN)
        this.header = { cells: [...names, REASON_COLUMN], reasonAt: names.length, fromRaw: true, input: [] }
      }
      this.stream.write(`${this.header.cells.map(csvField).join(',')}\n`)
    }
    const { cells: names, reasonAt, fromRaw } = this.header
    if (!fromRaw && cells && record.header && record.header !== this.header.input)
      record = laidOutBy(
        this.header.input,
        record as InputRecord & { cells: string[]; header: readonly string[] },
      )
    if (fromRaw || !cells) {
      const row = names.map((h, i) => (i === reasonAt ? csvField(reason) : csvField(record.raw[h])))
      this.stream.write(`${row.join(',')}\n`)
      return
    }
    // every cell as typed: a short row padded with empty cells, a long one's extra cells after the reason
    const row = record.cells ?? cells
    const own = this.header.input.length
    const encode = (i: number): string =>
      i === record.rawCell ? rawCsvCell(row[i] ?? '') : csvField(row[i] ?? '')
    const fields: string[] = []
    for (let i = 0; i < Math.max(own, row.length); i++) {
      if (i === reasonAt) fields.push(csvField(reason))
      // a resent rejects file's own reason cell is replaced by the new reason
      if (i !== reasonAt || reasonAt >= own) fields.push(encode(i))
    }
    if (reasonAt >= Math.max(own, row.length)) fields.push(csvField(reason))
    this.stream.write(`${fields.join(',')}\n`)
  }

  /**
   * A record of the rejects file this one replaces, carried into it unchanged with the reason it
   * had (stale-rejects.ts).
   */
  carry(record: InputRecord): void {
    this.write(record, record.resentReason ?? '')
  }

  /** rejected records written so far */
  get rejected(): number {
    return this.count
  }

  /**
   * Moves the file into place; with no rejected record, removes the file at the path instead, unless
   * `keepStale` (its records are not all issued since: see stale-rejects.ts).
   */
  async close(options: { keepStale?: boolean } = {}): Promise<void> {
    if (this.count === 0) {
      this.file.discard()
      if (!options.keepStale) removeStaleFile(this.path)
      return
    }
    if (this.format === 'json') this.stream.write('\n]\n')
    this.file.commit()
  }

  /** Leaves the path as it was (an error, an interrupt). */
  discard(): void {
    this.file.discard()
  }
}

/**
 * A CSV record read under another header (an earlier rejects file's), laid out by `header`: each
 * cell under the column of its name; the cells of columns `header` lacks, and any beyond the
 * record's header, after them (so that none is lost).
 */
function laidOutBy(
  header: readonly string[],
  record: InputRecord & { cells: string[]; header: readonly string[] },
): InputRecord {
  const name = (h: string): string => h.trim().toLowerCase()
  const from = header.map((h) => record.header.findIndex((o) => name(o) === name(h)))
  // the record's own reason is not data: the row gets it in this header's reason column
  const rest = record.cells.flatMap((_, j) =>
    from.includes(j) || name(record.header[j] ?? '') === REASON_COLUMN ? [] : [j],
  )
  const order = [...from, ...rest.filter((j) => (record.cells[j] ?? '') !== '')]
  const cells = order.map((j) => (j >= 0 ? (record.cells[j] ?? '') : ''))
  const rawCell = record.rawCell === undefined ? -1 : order.indexOf(record.rawCell)
  return { ...record, cells, header, ...(rawCell >= 0 ? { rawCell } : { rawCell: undefined }) }
}

/**
 * A cell whose quote closed inside it (`"Tran"x`), written as it was typed so that, resent
 * unchanged, it is refused again (never issued as hcert's guess, `Tranx`). What follows its opening
 * quote is neutralised like any cell.
 */
function rawCsvCell(text: string): string {
  return text.startsWith('"') ? `"${neutralise(text.slice(1))}` : csvField(text)
}

/** the longest run of digits in a number hcert writes back as a value: beyond, a double may change it */
const EXACT_DIGITS = 15

/**
 * A JSON rejects row: the record as a JSON object with the reason, when that is the text as read
 * (parsed again from its source); otherwise (it did not parse, gives a key twice, is too deep,
 * is no object, or has a number a double cannot hold exactly, such as 9007199254740993) its text
 * as read, in `{"unparsed": …}`.
 */
function jsonRow(record: InputRecord, reason: string): Record<string, unknown> {
  const source = record.source ?? record.text
  if (source === undefined) return { ...record.raw, [REASON_COLUMN]: reason }
  if (!record.error && !inexactNumber(source)) {
    try {
      const value = JSON.parse(source) as unknown
      if (value && typeof value === 'object' && !Array.isArray(value)) {
        const row = { ...(value as Record<string, unknown>) }
        delete row[REASON_COLUMN]
        row[REASON_COLUMN] = reason
        return row
      }
    } catch {
      // written as text below
    }
  }
  return { [UNPARSED_KEY]: source, [REASON_COLUMN]: reason }
}

/** A JSON number token, its exponent's digits captured (RFC 8259 §6). */
const NUMBER_TOKEN = /-?\d+(?:\.\d+)?(?:[eE][+-]?(\d+))?/y

/**
 * Whether the JSON `text` has a number with more digits than a double holds, or out of its range.
 * Only number tokens count: a string is kept as typed whatever it holds (an id "1E400", or
 * "12345678901234567", is text, and written back as the object read).
 */
function inexactNumber(text: string): boolean {
  for (let i = 0; i < text.length;) {
    const ch = text[i] as string
    if (ch === '"') {
      // skip the string, escapes included
      for (i++; i < text.length && text[i] !== '"'; i++) if (text[i] === '\\') i++
      i++
      continue
    }
    if (ch !== '-' && (ch < '0' || ch > '9')) {
      i++
      continue
    }
    NUMBER_TOKEN.lastIndex = i
    const match = NUMBER_TOKEN.exec(text)
    if (!match) {
      i++
      continue
    }
    if (match[0].replace(/\D/g, '').length - (match[1]?.length ?? 0) > EXACT_DIGITS) return true
    if (match[1] !== undefined && Number(match[1]) > 300) return true
    i += match[0].length
  }
  return false
}
