/**
 * Rejected records written back in the input's own format, with a reason column, for the site to fix
 * and resend (README "The rejects file"). CSV cells that a spreadsheet would run as a formula are
 * neutralised with a leading `'`, which reading a CSV undoes; a JSON Lines row that did not parse
 * is kept as text in `{"unparsed": …, "reason": …}`. Reading the file back drops `reason`.
 */
import { AtomicFile, removeStaleFile } from '../fs/atomic-file.js'
import { neutralise } from './csv.js'
import { REASON_COLUMN, UNPARSED_KEY, type InputFormat } from './read-records.js'

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
  private header: string[] | undefined
  private count = 0

  constructor(
    private readonly path: string,
    private readonly format: InputFormat,
  ) {
    this.file = new AtomicFile(path)
    this.stream = this.file
    if (format === 'json') this.stream.write('[\n')
  }

  /** `text`: a JSON Lines row that did not parse, as it was read */
  write(raw: Record<string, unknown>, reason: string, text?: string): void {
    const row: Record<string, unknown> =
      text !== undefined && this.format !== 'csv'
        ? { [UNPARSED_KEY]: text, [REASON_COLUMN]: reason }
        : { ...raw, [REASON_COLUMN]: reason }
    if (this.format === 'csv') {
      if (!this.header) {
        this.header = Object.keys(row)
        this.stream.write(`${this.header.map(csvField).join(',')}\n`)
      }
      this.stream.write(`${this.header.map((h) => csvField(row[h])).join(',')}\n`)
    } else if (this.format === 'json') {
      this.stream.write(`${this.count > 0 ? ',\n' : ''}  ${JSON.stringify(row)}`)
    } else this.stream.write(`${JSON.stringify(row)}\n`)
    this.count++
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
