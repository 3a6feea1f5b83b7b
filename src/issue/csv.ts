/**
 * A streaming CSV reader (RFC 4180: quoted fields, doubled quotes, line breaks inside quotes, CRLF),
 * fed chunk by chunk so that a million-row file never sits in memory.
 *
 * Faults are rows, never the end of reading (issue 11): a row longer than the limit comes back as
 * one row with `problem: 'long'` (its text is not kept), and a quote that is never closed comes
 * back as one row with `problem: 'quote'` at the line it opened on, after which the lines that
 * followed are read again as rows of their own. A quoted field may span lines; it is taken as an
 * open quote when the file ends inside it, when its row ends with another number of fields than
 * the header row (the first row), or when it runs past the limit.
 */
export interface CsvRow {
  /** physical line on which the row starts (1-based) */
  line: number
  fields: string[]
  /**
   * `long`: the row passed the length limit (its fields are cut); `quote`: a quote opened in the
   * field at `problemField` is never closed (the fields are those read on the row's first line);
   * `closed`: the quoted field at `problemField` is closed where no field ends (`"Tran"x`, all on
   * one line): what the cell holds is a guess, so the row is not a record
   */
  problem?: 'long' | 'quote' | 'closed'
  /** 0-based index of the field the problem is in */
  problemField?: number
  /**
   * `closed`: the problem field's text as typed, quotes and all (`"Tran"x`), so that the rejects
   * file can hold it unchanged; `quote`: the field as read on its first line, its opening quote
   * first (`"Tran,B`)
   */
  problemText?: string
}

/** what may follow a closing quote (RFC 4180) */
const FIELD_END = new Set([',', '\n', '\r'])

/**
 * Spaces and tabs around a quoted cell (`"Nguyễn" ,`, `, "Nguyễn"`), as hand-edited CSV has them:
 * read as the quoted text, as many CSV readers do (RFC 4180 does not allow them; README "Input").
 */
const isBlank = (ch: string | undefined): boolean => ch === ' ' || ch === '\t'

export class CsvParser {
  /** characters of the row so far (its fields, separators and quoted line breaks) */
  private rowLength = 0

  /**
   * `maxRowLength`: the longest row kept (UTF-16 units); a longer one is returned as one row with
   * `problem: 'long'`, its text dropped as it is read, so memory stays bounded whatever the file holds.
   */
  constructor(private readonly maxRowLength = Infinity) {}

  private field = ''
  private fields: string[] = []
  private inQuotes = false
  private quoteSeen = false
  /** set after a closing quote followed by spaces or tabs: those read so far (a field end drops them) */
  private trailing: string | undefined
  private line = 1
  private rowStart = 1
  private pendingCr = false
  /** the number of fields of the first row (the header) */
  private expectedFields: number | undefined
  /** set past the length limit: the field the row passed it in */
  private longField: number | undefined
  /** set when a quoted field closed on this line where no field ends: that field */
  private closedField: number | undefined
  /** the length of that field's text at its closing quote (what came before it was quoted) */
  private closedAt = 0
  /**
   * set while a quoted field runs across a line break: the text read since that line break (to
   * read again should the quote turn out to be never closed), the fields of the row's first line,
   * and the field the quote opened in
   */
  private replay: { text: string; fields: string[]; field: number } | undefined
  private replayFrom = 0

  /** Feed text; returns the rows completed by it. */
  push(text: string): CsvRow[] {
    const rows: CsvRow[] = []
    // a loop, not recursion: each open quote found sends the lines after it round again
    let next: string | undefined = text
    while (next !== undefined) next = this.scan(next, rows)
    return rows
  }

  /** Reads `text` into `rows`; returns text to read again (after an open quote), else undefined. */
  private scan(text: string, rows: CsvRow[]): string | undefined {
    for (let i = 0; i < text.length; i++) {
      const ch = text[i] as string
      if (++this.rowLength > this.maxRowLength && this.longField === undefined) {
        if (this.replay) return this.openQuote(text, rows)
        this.longField = this.fields.length
        this.field = ''
      }
      if (this.pendingCr) {
        this.pendingCr = false
        if (ch === '\n') continue
      }
      if (this.inQuotes) {
        if (ch === '"') {
          if (text[i + 1] === '"') {
            this.append('"')
            i++
          } else if (i + 1 === text.length) {
            // a quote at the end of the chunk: decide with the next chunk
            this.inQuotes = false
            this.quoteSeen = true
          } else {
            this.inQuotes = false
            // a quote across lines that closes where no field ends was an open quote; on one line,
            // the row is read to its end and then refused (spaces first: decided at what follows)
            if (isBlank(text[i + 1])) this.trailing = ''
            else if (!FIELD_END.has(text[i + 1] as string)) {
              if (this.replay) return this.openQuote(text, rows)
              this.closeInField()
            }
          }
        } else if (ch === '\n' && this.longField !== undefined) {
          // past the limit, a line break ends the row whatever the quotes: nothing more is lost
          this.inQuotes = false
          this.endRow(rows)
          this.line++
          this.rowStart = this.line
        } else {
          if (ch === '\n') {
            this.line++
            if (!this.replay) {
              this.replay = {
                text: '',
                // the open field as read on its first line (without a CRLF's CR), for the rejects file
                fields: [...this.fields, this.field.replace(/\r$/, '')],
                field: this.fields.length,
              }
              this.replayFrom = i + 1
            }
          }
          this.append(ch)
        }
        continue
      }
      if (this.quoteSeen && isBlank(ch)) {
        this.quoteSeen = false
        this.trailing = ''
      }
      if (this.trailing !== undefined) {
        if (isBlank(ch)) {
          this.trailing += ch
          continue
        }
        const spaces = this.trailing
        this.trailing = undefined
        if (!FIELD_END.has(ch)) {
          if (this.replay) return this.openQuote(text, rows)
          this.closeInField()
          this.append(spaces)
        }
      }
      if (this.quoteSeen && ch === '"') {
        // the doubled quote was split across chunks
        this.append('"')
        this.inQuotes = true
        this.quoteSeen = false
        continue
      }
      if (this.quoteSeen && !FIELD_END.has(ch)) {
        if (this.replay) return this.openQuote(text, rows)
        this.closeInField()
      }
      this.quoteSeen = false
      if (ch === '"' && (this.field === '' || /^[ \t]+$/u.test(this.field))) {
        // a quoted cell, spaces before it dropped
        this.field = ''
        this.inQuotes = true
      } else if (ch === ',') {
        this.fields.push(this.field)
        this.field = ''
      } else if (ch === '\n' || ch === '\r') {
        if (ch === '\r') this.pendingCr = true
        if (
          this.replay &&
          this.expectedFields !== undefined &&
          this.fields.length + 1 !== this.expectedFields
        )
          return this.openQuote(text, rows)
        this.endRow(rows)
        this.line++
        this.rowStart = this.line
      } else this.append(ch)
    }
    if (this.replay) {
      this.replay.text += text.slice(this.replayFrom)
      this.replayFrom = 0
    }
    return undefined
  }

  /** End of input: the last row, if it did not end with a line break. */
  end(): CsvRow[] {
    const rows: CsvRow[] = []
    while (
      this.replay &&
      (this.inQuotes || this.fields.length + 1 !== (this.expectedFields ?? this.fields.length + 1))
    ) {
      let next: string | undefined = this.openQuote('', rows)
      while (next !== undefined) next = this.scan(next, rows)
    }
    if (this.inQuotes && this.longField === undefined) {
      // a quote opened on the last line and never closed
      rows.push({
        line: this.rowStart,
        fields: [...this.fields, this.field],
        problem: 'quote',
        problemField: this.fields.length,
        problemText: `"${this.field}`,
      })
      return rows
    }
    if (this.field !== '' || this.fields.length > 0 || this.longField !== undefined) this.endRow(rows)
    return rows
  }

  /** A quote closed where no field ends: the row's first such field, and where in it. */
  private closeInField(): void {
    if (this.closedField !== undefined) return
    this.closedField = this.fields.length
    this.closedAt = this.field.length
  }

  private append(text: string): void {
    if (this.longField === undefined) this.field += text
  }

  /**
   * The quote opened in the row at `rowStart` is never closed: that row goes to `rows` as a `quote`
   * problem; returns the text to read again, everything after the row's first line.
   */
  private openQuote(text: string, rows: CsvRow[]): string {
    const replay = this.replay as NonNullable<typeof this.replay>
    const again = replay.text + text.slice(this.replayFrom)
    rows.push({
      line: this.rowStart,
      fields: replay.fields,
      problem: 'quote',
      problemField: replay.field,
      problemText: `"${replay.fields[replay.field] ?? ''}`,
    })
    this.replay = undefined
    this.replayFrom = 0
    this.fields = []
    this.field = ''
    this.inQuotes = false
    this.quoteSeen = false
    this.trailing = undefined
    this.pendingCr = false
    this.rowLength = 0
    this.longField = undefined
    this.closedField = undefined
    this.line = this.rowStart + 1
    this.rowStart = this.line
    return again
  }

  private endRow(rows: CsvRow[]): void {
    this.fields.push(this.field)
    // a blank line, or a row of separators only (a spreadsheet's empty row): no record
    const empty = this.longField === undefined && this.fields.every((f) => f.trim() === '')
    if (this.longField !== undefined)
      rows.push({ line: this.rowStart, fields: this.fields, problem: 'long', problemField: this.longField })
    else if (this.closedField !== undefined) {
      const field = this.fields[this.closedField] ?? ''
      rows.push({
        line: this.rowStart,
        fields: this.fields,
        problem: 'closed',
        problemField: this.closedField,
        problemText: `"${field.slice(0, this.closedAt).replace(/"/g, '""')}"${field.slice(this.closedAt)}`,
      })
      this.expectedFields ??= this.fields.length
    } else if (!empty) {
      rows.push({ line: this.rowStart, fields: this.fields })
      this.expectedFields ??= this.fields.length
    }
    this.fields = []
    this.field = ''
    this.rowLength = 0
    this.longField = undefined
    this.closedField = undefined
    this.replay = undefined
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
