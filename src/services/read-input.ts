/**
 * Where a certificate comes from: an `HC1:` string given as an argument, a text file, `-` for stdin,
 * or a PNG/JPEG photo of the QR code (recognised by its bytes, not its name).
 *
 * An argument is certificate text when, past any leading whitespace or byte order mark, it starts
 * with something shaped as a prefix (`HC1:`, another format's, a typo such as `HCl:`: the prefix
 * check then names it) or is long and nearly all base45; a file when one exists at that path; and
 * otherwise a missing file (ERR_INPUT) when it looks like a path: it ends with a file extension
 * (.txt, .png, .json …) or holds a `/` or `\` next to characters that base45 does not have.
 * Anything else is read as text (bare base45, with --allow-missing-prefix). Certificate text is
 * never echoed in an error as a path that does not exist.
 */
import { stat } from 'node:fs/promises'
import { DccError } from '../errors.js'
import { NotReadableFile, readRegularFile } from '../fs/read-regular-file.js'
import { detectImageFormat, otherImageFormat, otherImageFormatError } from '../qr/image-format.js'
import type { QrImage } from '../qr/read-qr-image.js'
import { isHealthCardFile, readHealthCardFile } from '../shc/health-card-file.js'
import { isShcText } from '../shc/numeric.js'
import { decodeLine, LineSplitter, lineText, tooLongError } from './text-lines.js'

/** Larger files are refused before being read: a phone photo is a few MB, a certificate 1 KB. */
export const MAX_INPUT_BYTES = 32 * 1024 * 1024

export interface CertificateInput {
  /** where it came from, for messages: 'argument', 'stdin', the file path, or `path:line` for a line of a file */
  source: string
  text: string
  image?: QrImage
  /** what the input does that HCERT asks otherwise, though it can be read (whitespace around the text, a QR code in byte mode …) */
  warnings: string[]
}

/** One certificate of an input that holds several (a text file, one per line); `error` when it cannot be read. */
export interface InputItem {
  source: string
  text: string
  warnings: string[]
  error?: DccError
}

const PREFIXED = /^(?:[A-Za-z]{2,3}[0-9]:|shc:\/)/
/** shaped as a context identifier, `HC1:` mistyped included (HCl:, HCI:, HC|:) */
const PREFIX_SHAPED = /^(?:[A-Za-z]{2,3}[0-9A-Za-z|]:|shc:\/)/
/** whitespace and byte order marks in front of pasted text (String.prototype.trim's set) */
const LEADING_SPACE = /^[\s\ufeff]+/
const FILE_EXTENSION = /\.(?:txt|png|jpe?g|gif|webp|bmp|json|pem|csv|smart-health-card)$/i
const BASE45_TEXT = /^[0-9A-Z $%*+\-./:]*$/

function looksLikePath(arg: string): boolean {
  return FILE_EXTENSION.test(arg) || (/[/\\]/.test(arg) && !BASE45_TEXT.test(arg))
}

/**
 * Text shaped as a certificate rather than a path: a prefix, or 40 characters and more that are
 * nearly all (19 in 20) of the base45 alphabet (a certificate with a damaged prefix or none).
 */
function looksLikeCertificate(arg: string): boolean {
  const text = arg.replace(LEADING_SPACE, '')
  if (PREFIX_SHAPED.test(text)) return true
  if (text.length < 40) return false
  let base45 = 0
  for (const ch of text) if (BASE45_CHARACTER.test(ch)) base45++
  return base45 >= text.length * 0.95
}

const BASE45_CHARACTER = /[0-9A-Z $%*+\-./:]/

/** The certificate an argument gives: text, or a file (text or image). Throws ERR_INPUT. */
async function openArgument(arg: string): Promise<{ text: string } | { path: string; bytes: Uint8Array }> {
  if (PREFIXED.test(arg) || (looksLikeCertificate(arg) && !(await stat(arg).catch(() => undefined))))
    return { text: arg }
  const info = await stat(arg).catch(() => undefined)
  if (!info) {
    if (looksLikePath(arg)) {
      // a long argument is more likely pasted text than a path: not echoed
      const named = arg.length > 200 ? `the argument (${arg.length} characters, read as a file path)` : arg
      throw new DccError(
        'ERR_INPUT',
        `input: ${named} does not exist${named === arg ? ' (read as a file path)' : ''}`,
      )
    }
    return { text: arg }
  }
  let bytes: Uint8Array
  try {
    // opened without blocking and checked through the descriptor: a pipe answers at once
    bytes = await readRegularFile(arg, MAX_INPUT_BYTES)
  } catch (cause) {
    if (cause instanceof NotReadableFile) {
      if (cause.reason === 'too-large')
        throw new DccError(
          'ERR_INPUT',
          `input: ${arg} is ${cause.size} bytes, more than the ${MAX_INPUT_BYTES} accepted`,
        )
      throw new DccError(
        'ERR_INPUT',
        `input: ${arg} is a ${cause.kind}, not a file${cause.kind.startsWith('pipe') ? `; give it on stdin instead (- < ${arg})` : ''}`,
      )
    }
    const code = (cause as NodeJS.ErrnoException).code ?? (cause as Error).message
    throw new DccError('ERR_INPUT', `input: ${arg} could not be read (${code})`, { cause })
  }
  return { path: arg, bytes }
}

/** One certificate, for `hcert decode`: an input holding several lines of certificates is an ERR_INPUT. */
export async function readCertificateInput(
  arg: string | undefined,
  stdin: NodeJS.ReadableStream,
): Promise<CertificateInput> {
  if (arg === undefined || arg === '-') return fromBytes(await readStream(stdin), 'stdin')
  const opened = await openArgument(arg)
  if ('text' in opened)
    return single(textItems(opened.text, 'the argument', 'argument', { argument: true }), 'the argument')
  return fromBytes(opened.bytes, opened.path)
}

/** Every certificate an argument gives: one per non-blank line of a text file. Never throws a DccError. */
export async function readArgumentItems(arg: string): Promise<InputItem[]> {
  try {
    const opened = await openArgument(arg)
    if ('text' in opened) return textItems(opened.text, 'the argument', 'argument', { argument: true })
    if (detectImageFormat(opened.bytes) || otherImageFormat(opened.bytes)) {
      const input = await fromBytes(opened.bytes, opened.path)
      return [{ source: input.source, text: input.text, warnings: input.warnings }]
    }
    // a .smart-health-card file: one item per card
    if (isHealthCardFile(opened.bytes))
      return readHealthCardFile(opened.bytes, opened.path).map((card) => ({ ...card, warnings: [] }))
    // a file that is not text as a whole is one unreadable input, not one error per "line" of it
    decodeLine(opened.bytes, opened.path)
    return textItems(opened.bytes, opened.path, opened.path)
  } catch (err) {
    if (!(err instanceof DccError)) throw err
    return [{ source: arg, text: '', warnings: [], error: err }]
  }
}

export async function fromBytes(bytes: Uint8Array, source: string): Promise<CertificateInput> {
  const format = detectImageFormat(bytes)
  if (format) {
    // the image decoders and the QR scanner take ~100 ms to load: only when an image is given
    const { readQrImage } = await import('../qr/read-qr-image.js')
    const { text, image, warnings } = await readQrImage(bytes, format, source)
    const trimmed = text.trim()
    if (trimmed.length === 0) throw new DccError('ERR_INPUT', `input: the QR code in ${source} is empty`)
    return { source, text: trimmed, image, warnings }
  }
  if (isHealthCardFile(bytes)) {
    const cards = readHealthCardFile(bytes, source)
    if (cards.length > 1)
      throw new DccError(
        'ERR_INPUT',
        `input: ${source} holds ${cards.length} cards (verifiableCredential); decode reads one certificate (hcert verify reads each)`,
      )
    return { ...(cards[0] as { source: string; text: string }), warnings: [] }
  }
  const other = otherImageFormatError(bytes, source)
  if (other) throw other
  return single(textItems(bytes, source, source), source)
}

function single(items: InputItem[], what: string): CertificateInput {
  const failed = items.find((item) => item.error)
  if (failed?.error) throw failed.error
  // the chunks of a SMART Health Card (shc:/i/n/…), one a line, are one certificate
  if (items.length > 1 && items.every((i) => isShcText(i.text))) {
    return {
      source: items[0]?.source.replace(/:\d+$/, '') ?? what,
      text: items.map((i) => i.text).join('\n'),
      warnings: items.flatMap((i) => i.warnings.map((w) => `${i.source}: ${w}`)),
    }
  }
  if (items.length > 1) {
    throw new DccError(
      'ERR_INPUT',
      `input: ${what} holds ${items.length} lines of text; decode reads one certificate (hcert verify reads one per line)`,
    )
  }
  const item = items[0]
  if (!item) throw new DccError('ERR_INPUT', `input: ${what} is empty`)
  return { source: item.source, text: item.text, warnings: item.warnings }
}

/**
 * The certificates of a text, one per non-blank line. Their source is `source` when there is one,
 * `source:line` when there are several. Text that is all on one line, apart from line ends around it,
 * gives one certificate whose surrounding whitespace is named in a warning (for an argument, a
 * byte order mark too).
 */
export function textItems(
  input: string | Uint8Array,
  where: string,
  source: string,
  options: { argument?: boolean } = {},
): InputItem[] {
  const bytes =
    typeof input === 'string'
      ? Buffer.from(input, 'utf8')
      : Buffer.from(input.buffer, input.byteOffset, input.byteLength)
  const splitter = new LineSplitter()
  const lines = splitter.push(bytes)
  const last = splitter.end()
  if (last) lines.push(last)
  const out: InputItem[] = []
  let blank = 0
  for (const line of lines) {
    const at = `${source}:${line.number}`
    if ('tooLong' in line) {
      out.push({
        source: at,
        text: '',
        warnings: [],
        error: tooLongError(lines.length > 1 ? `line ${line.number} of ${where}` : where, line.tooLong),
      })
      continue
    }
    let text: string
    try {
      text = decodeLine(line.bytes, lines.length > 1 ? `line ${line.number} of ${where}` : where)
    } catch (err) {
      out.push({ source: at, text: '', warnings: [], error: err as DccError })
      continue
    }
    // a byte order mark opens a file as its syntax; in front of an argument it is pasted whitespace
    const read = lineText(text, { first: line.number === 1 && !options.argument })
    if (read.text) out.push({ source: at, text: read.text, warnings: read.warnings })
    else blank++
  }
  if (out.length === 1) {
    const only = out[0] as InputItem
    only.source = source
    // blank lines around the one certificate of a text are whitespace around it too (a final line end is not)
    if (blank > 0) only.warnings.push('blank lines around the certificate text were passed over')
  }
  return out
}

export async function readStream(
  stream: NodeJS.ReadableStream,
  maxBytes: number = MAX_INPUT_BYTES,
): Promise<Uint8Array> {
  const chunks: Buffer[] = []
  let total = 0
  for await (const chunk of stream) {
    const buffer = typeof chunk === 'string' ? Buffer.from(chunk) : (chunk as Buffer)
    total += buffer.length
    if (total > maxBytes)
      throw new DccError('ERR_INPUT', `input: stdin holds more than the ${maxBytes} bytes accepted`)
    chunks.push(buffer)
  }
  return Buffer.concat(chunks)
}
