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
    | {
        cells: string[]
        reasonAt: number
        fromRaw: boolean
        /** the input's own header */
        input: readonly string[]
        /** the columns a row has a cell for: the input's, then carried rows' columns it lacks */
        layout: readonly string[]
      }
    | undefined
  private inputHeader: readonly string[] | undefined
  /** columns of the earlier rejects file's rows, with a value in some row */
  private readonly carriedColumns = new Set<string>()
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

  /**
   * The current input's CSV header, when known before its first rejection (a run that rejects
   * nothing but carries earlier rows lays them out by it).
   */
  noteInputHeader(header: readonly string[] | undefined): void {
    if (header && !this.inputHeader) this.inputHeader = header
  }

  /**
   * The headers of the earlier rejects file's rows that may be carried (stale-rejects.ts): the
   * columns the current input lacks are added to this file's header, before `reason`, so that a
   * carried row keeps a cell under each of its columns and the file resent is read whole.
   */
  expectCarried(records: readonly InputRecord[]): void {
    for (const record of records)
      if (record.header && record.cells)
        record.header.forEach((column, i) => {
          if ((record.cells?.[i] ?? '') !== '') this.carriedColumns.add(column)
        })
  }

  private writeCsv(record: InputRecord, reason: string): void {
    const cells = record.cells && record.header ? record.cells : undefined
    if (!this.header) {
      const input = this.inputHeader ?? (cells ? record.header : undefined)
      if (input) {
        const name = (h: string): string => h.trim().toLowerCase()
        const reasonAt = input.findIndex((h) => name(h) === REASON_COLUMN)
        const have = new Set(input.map(name))
        const extras: string[] = []
        for (const column of this.carriedColumns)
          if (name(column) !== REASON_COLUMN && !have.has(name(column))) {
            have.add(name(column))
            extras.push(column)
          }
        const layout = [...input, ...extras]
        this.header = {
          cells: reasonAt >= 0 ? layout : [...layout, REASON_COLUMN],
          reasonAt: reasonAt >= 0 ? reasonAt : layout.length,
          fromRaw: false,
          input,
          layout,
        }
      } else {
        const names = Object.keys(record.raw).filter((k) => k !== REASON_COLUMN)
        this.header = {
          cells: [...names, REASON_COLUMN],
          reasonAt: names.length,
          fromRaw: true,
          input: [],
          layout: names,
        }
      }
      this.stream.write(`${this.header.cells.map(csvField).join(',')}\n`)
    }
    const { cells: names, reasonAt, fromRaw, input, layout } = this.header
    if (fromRaw || !cells || !record.header) {
      const row = names.map((h, i) => (i === reasonAt ? csvField(reason) : csvField(record.raw[h])))
      this.stream.write(`${row.join(',')}\n`)
      return
    }
    // every cell as typed, one under each column of the layout; a short row padded with empty
    // cells, a long one's extra cells (and cells of columns the layout lacks) after the reason
    let data: Array<{ text: string; raw: boolean }>
    let overflow: Array<{ text: string; raw: boolean }>
    const cell = (j: number): { text: string; raw: boolean } => ({
      text: j >= 0 ? (cells[j] ?? '') : '',
      raw: j >= 0 && j === record.rawCell,
    })
    if (record.header === input) {
      data = layout.map((_, i) => cell(i < input.length ? i : -1))
      overflow = cells.slice(input.length).map((_, k) => cell(input.length + k))
    } else {
      const { order, rest } = laidOutBy(layout, record.header, cells)
      data = order.map(cell)
      overflow = rest.map(cell)
    }
    const encode = (c: { text: string; raw: boolean }): string =>
      c.raw ? rawCsvCell(c.text) : csvField(c.text)
    // a resent rejects file's own reason cell is replaced by the new reason
    const fields = data.map((c, i) => (i === reasonAt ? csvField(reason) : encode(c)))
    if (reasonAt >= layout.length) fields.push(csvField(reason))
    fields.push(...overflow.map(encode))
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
 * Where the cells of a CSV row read under `header` (an earlier rejects file's) go in `layout`: for
 * each column of the layout, the index of the row's cell of that name (-1: none); then the cells
 * of columns the layout lacks, and any beyond the row's header, that hold a value (so that none is
 * lost). The row's own reason is not data: the new row gets it in the reason column.
 */
function laidOutBy(
  layout: readonly string[],
  header: readonly string[],
  cells: readonly string[],
): { order: number[]; rest: number[] } {
  const name = (h: string): string => h.trim().toLowerCase()
  const order = layout.map((h) => header.findIndex((o) => name(o) === name(h)))
  const rest = cells.flatMap((cell, j) =>
    order.includes(j) || name(header[j] ?? '') === REASON_COLUMN || cell === '' ? [] : [j],
  )
  return { order, rest }
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
