/**
 * Certificate text as people give it: lines of a file or of stdin, one certificate per line.
 * Lines are split on LF bytes as the bytes arrive (UTF-8 never uses 0x0A inside a character), so a
 * stream of any length needs the memory of one line, and a line longer than MAX_LINE_BYTES is
 * reported as such without being kept: a 300 MB line without a newline costs one pass over it.
 */
import { DccError } from '../errors.js'
import { MAX_QR_TEXT_LENGTH } from '../codec/prefix.js'
import { looksLikeUtf16 } from '../issue/read-records.js'

/**
 * The longest line read as a certificate: an HC1 is at most 4,296 characters (the alphanumeric
 * capacity of a version 40 QR code); four times that leaves room for whitespace and for text that
 * is not alphanumeric, and a longer line is certainly no certificate.
 */
export const MAX_LINE_BYTES = 4 * MAX_QR_TEXT_LENGTH

/** One line, as bytes without its LF (a CR before the LF is kept), or the length of a line too long to keep. */
export type RawLine = { number: number; bytes: Buffer } | { number: number; tooLong: number }

/** Splits bytes into lines, keeping at most MAX_LINE_BYTES of the line in progress. */
export class LineSplitter {
  private parts: Buffer[] = []
  private size = 0
  private discarded = 0
  private count = 0

  constructor(private readonly maxBytes: number = MAX_LINE_BYTES) {}

  /** The lines that this chunk completes. */
  push(chunk: Buffer): RawLine[] {
    const out: RawLine[] = []
    let from = 0
    for (;;) {
      const lf = chunk.indexOf(0x0a, from)
      this.append(chunk, from, lf < 0 ? chunk.length : lf)
      if (lf < 0) return out
      out.push(this.finish())
      from = lf + 1
    }
  }

  /** The last line, when the bytes do not end with LF. */
  end(): RawLine | undefined {
    return this.size > 0 || this.discarded > 0 ? this.finish() : undefined
  }

  /** Bytes of the current line passed over since it went over the cap (0 while it is under). */
  get discarding(): number {
    return this.discarded
  }

  /** Lines read so far. */
  get lines(): number {
    return this.count
  }

  private append(chunk: Buffer, from: number, to: number): void {
    if (to <= from) return
    if (this.discarded > 0 || this.size + (to - from) > this.maxBytes) {
      this.discarded += this.size + (to - from)
      this.size = 0
      this.parts = []
      return
    }
    this.parts.push(chunk.subarray(from, to))
    this.size += to - from
  }

  private finish(): RawLine {
    const number = ++this.count
    const line: RawLine =
      this.discarded > 0
        ? { number, tooLong: this.discarded }
        : {
            number,
            bytes: this.parts.length === 1 ? (this.parts[0] as Buffer) : Buffer.concat(this.parts, this.size),
          }
    this.parts = []
    this.size = 0
    this.discarded = 0
    return line
  }
}

/** A line made into certificate text, with the whitespace that was trimmed from it named. */
export interface LineText {
  /** empty for a blank line */
  text: string
  warnings: string[]
}

const WHITESPACE_NAMES: Readonly<Record<string, string>> = {
  ' ': 'space',
  '\t': 'tab',
  '\r': 'CR',
  '\n': 'LF',
  '\v': 'vertical tab',
  '\f': 'form feed',
  '\u00a0': 'no-break space',
  '\ufeff': 'byte order mark',
}

function describe(whitespace: string): string {
  const names = [...whitespace].map(
    (ch) => WHITESPACE_NAMES[ch] ?? `U+${ch.codePointAt(0)?.toString(16).toUpperCase().padStart(4, '0')}`,
  )
  const counted: string[] = []
  for (const name of new Set(names)) {
    const n = names.filter((x) => x === name).length
    counted.push(n > 1 ? `${n} × ${name}` : name)
  }
  return counted.join(', ')
}

/**
 * The certificate text of a line, trimmed. A byte order mark at the start of the input and the CR
 * of a CRLF line end are line syntax, not content; any other whitespace around the text is named in
 * a warning, as verifier apps refuse a QR code whose text has it.
 */
export function lineText(line: string, options: { first?: boolean } = {}): LineText {
  let body = options.first && line.startsWith('\ufeff') ? line.slice(1) : line
  if (body.endsWith('\r')) body = body.slice(0, -1)
  const text = body.trim()
  if (text.length === 0 || text.length === body.length) return { text, warnings: [] }
  const start = body.indexOf(text)
  const leading = body.slice(0, start)
  const trailing = body.slice(start + text.length)
  const parts = [leading && `before it: ${describe(leading)}`, trailing && `after it: ${describe(trailing)}`]
  return {
    text,
    warnings: [
      `whitespace around the certificate text was trimmed (${parts.filter(Boolean).join('; ')}); verifier apps refuse a QR code whose text has it`,
    ],
  }
}

/** UTF-8 text of a line; a line that is not UTF-8 is an ERR_INPUT naming where it is. */
// ignoreBOM: a byte order mark is kept for lineText, which knows whether it opens a file or was pasted
const UTF8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true })

export function decodeLine(bytes: Uint8Array, where: string): string {
  try {
    return UTF8.decode(bytes)
  } catch (cause) {
    if (looksLikeUtf16(bytes))
      throw new DccError(
        'ERR_INPUT',
        `input: ${where} is UTF-16 text (as Windows Notepad saves "Unicode"); hcert reads UTF-8: save it as UTF-8`,
        { cause },
      )
    throw new DccError(
      'ERR_INPUT',
      `input: ${where} is neither text (it is not valid UTF-8) nor a PNG or JPEG image`,
      {
        cause,
      },
    )
  }
}

export const tooLongError = (where: string, bytes: number): DccError =>
  new DccError(
    'ERR_INPUT',
    `input: ${where} is ${bytes} bytes long, more than the ${MAX_LINE_BYTES} read as one certificate (an HC1 text is at most ${MAX_QR_TEXT_LENGTH} characters)`,
  )
