/**
 * A streaming CSV reader (RFC 4180: quoted fields, doubled quotes, line breaks inside quotes, CRLF),
 * fed chunk by chunk so that a million-row file never sits in memory.
 */
export interface CsvRow {
  /** physical line on which the row starts (1-based) */
  line: number
  fields: string[]
}

export class CsvParser {
  /** characters of the row so far (its fields, separators and quoted line breaks) */
  private rowLength = 0

  /**
   * `maxRowLength`: the longest row read (UTF-16 units); a longer one throws `tooLong(its first
   * line)` as soon as it passes the limit, so memory stays bounded whatever the file holds.
   */
  constructor(
    private readonly maxRowLength = Infinity,
    private readonly tooLong: (line: number) => Error = (line) =>
      new RangeError(`the row on line ${line} is too long`),
  ) {}

  private field = ''
  private fields: string[] = []
  private inQuotes = false
  private quoteSeen = false
  private line = 1
  private rowStart = 1
  private pendingCr = false

  /** Feed text; returns the rows completed by it. */
  push(text: string): CsvRow[] {
    const rows: CsvRow[] = []
    for (let i = 0; i < text.length; i++) {
      const ch = text[i] as string
      if (++this.rowLength > this.maxRowLength) throw this.tooLong(this.rowStart)
      if (this.pendingCr) {
        this.pendingCr = false
        if (ch === '\n') continue
      }
      if (this.inQuotes) {
        if (ch === '"') {
          if (text[i + 1] === '"') {
            this.field += '"'
            i++
          } else if (i + 1 === text.length) {
            // a quote at the end of the chunk: decide with the next chunk
            this.inQuotes = false
            this.quoteSeen = true
          } else this.inQuotes = false
        } else {
          if (ch === '\n') this.line++
          this.field += ch
        }
        continue
      }
      if (this.quoteSeen && ch === '"') {
        // the doubled quote was split across chunks
        this.field += '"'
        this.inQuotes = true
        this.quoteSeen = false
        continue
      }
      this.quoteSeen = false
      if (ch === '"' && this.field === '') this.inQuotes = true
      else if (ch === ',') {
        this.fields.push(this.field)
        this.field = ''
      } else if (ch === '\n' || ch === '\r') {
        if (ch === '\r') this.pendingCr = true
        this.endRow(rows)
        this.line++
        this.rowStart = this.line
      } else this.field += ch
    }
    return rows
  }

  /** End of input: the last row, if it did not end with a line break. */
  end(): CsvRow[] {
    const rows: CsvRow[] = []
    if (this.field !== '' || this.fields.length > 0) this.endRow(rows)
    return rows
  }

  private endRow(rows: CsvRow[]): void {
    this.fields.push(this.field)
    const empty = this.fields.length === 1 && this.fields[0] === ''
    if (!empty) rows.push({ line: this.rowStart, fields: this.fields })
    this.fields = []
    this.field = ''
    this.rowLength = 0
  }
}

/**
 * Cells a spreadsheet would run as a formula (OWASP "CSV Injection"): those starting with `=`, `+`,
 * `-`, `@`, a tab or a carriage return (and their full-width forms). `'*` makes the escape
 * reversible: a value that already starts with quotes before such a character gets one more.
 */
const FORMULA_START = /^'*[=+\-@\t\r＝＋－＠]/
const NEUTRALISED = /^'+[=+\-@\t\r＝＋－＠]/

/**
 * A cell made safe to open in a spreadsheet: a leading `'` (which spreadsheets show as text, not a
 * formula) before a cell that would otherwise be a formula. `unneutralise` undoes it exactly.
 */
export function neutralise(text: string): string {
  return FORMULA_START.test(text) ? `'${text}` : text
}

/**
 * The value a neutralised cell stands for: one leading `'` off a cell that would be a formula
 * without it (`'=1` → `=1`, `'-2` → `-2`); any other cell as it is (`'Neill` stays `'Neill`).
 */
export function unneutralise(text: string): string {
  return NEUTRALISED.test(text) ? text.slice(1) : text
}
