/**
 * Rejected records written back in the input's own format, with a reason column, for the site to fix
 * and resend (README "The rejects file"). CSV cells that a spreadsheet would run as a formula are
 * neutralised with a leading `'`, which reading a CSV undoes; a JSON Lines row that did not parse
 * is kept as text in `{"unparsed": …, "reason": …}`. Reading the file back drops `reason`.
 */
import { createWriteStream, type WriteStream } from 'node:fs'
import { neutralise } from './csv.js'
import { REASON_COLUMN, UNPARSED_KEY, type InputFormat } from './read-records.js'

/** One CSV cell (RFC 4180 quoting), neutralised against formulas (OWASP CSV injection). */
export function csvField(value: unknown): string {
  const text = neutralise(
    value === undefined || value === null ? '' : typeof value === 'string' ? value : JSON.stringify(value),
  )
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text
}

export class RejectsWriter {
  private readonly stream: WriteStream
  private header: string[] | undefined
  private count = 0

  constructor(
    path: string,
    private readonly format: InputFormat,
  ) {
    this.stream = createWriteStream(path, { mode: 0o600 })
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

  async close(): Promise<void> {
    if (this.format === 'json') this.stream.write('\n]\n')
    await new Promise<void>((resolve, reject) =>
      this.stream.end((err?: Error | null) => (err ? reject(err) : resolve())),
    )
  }
}
