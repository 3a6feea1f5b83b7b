/** Rejected records written back in the input's own format, with a reason column, for the site to fix and resend. */
import { createWriteStream, type WriteStream } from 'node:fs'
import type { InputFormat } from './read-records.js'

export function csvField(value: unknown): string {
  const text =
    value === undefined || value === null ? '' : typeof value === 'string' ? value : JSON.stringify(value)
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

  write(raw: Record<string, unknown>, reason: string): void {
    const row = { ...raw, reason }
    if (this.format === 'csv') {
      if (!this.header) {
        this.header = Object.keys(row)
        this.stream.write(`${this.header.map(csvField).join(',')}\n`)
      }
      this.stream.write(`${this.header.map((h) => csvField(row[h as keyof typeof row])).join(',')}\n`)
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
