/**
 * Where a certificate comes from: an `HC1:` string given as an argument, a text file, `-` for stdin,
 * or a PNG/JPEG photo of the QR code (recognised by its bytes, not its name).
 */
import { readFile, stat } from 'node:fs/promises'
import { DccError } from '../errors.js'
import { detectImageFormat } from '../qr/image-format.js'
import type { QrImage } from '../qr/read-qr-image.js'

/** Larger files are refused before being read: a phone photo is a few MB, a certificate 1 KB. */
export const MAX_INPUT_BYTES = 32 * 1024 * 1024

export interface CertificateInput {
  /** where it came from, for messages: 'argument', 'stdin' or the file path */
  source: string
  text: string
  image?: QrImage
  /** what the input does that HCERT asks otherwise, though it can be read (whitespace around a QR code's text, byte mode) */
  warnings?: string[]
}

const LITERAL = /^[A-Z0-9]{3}:/

export async function readCertificateInput(
  arg: string | undefined,
  stdin: NodeJS.ReadableStream,
): Promise<CertificateInput> {
  if (arg === undefined || arg === '-') return fromBytes(await readStream(stdin), 'stdin')
  if (LITERAL.test(arg)) return { source: 'argument', text: normaliseText(arg, 'the argument') }
  const info = await stat(arg).catch(() => undefined)
  if (!info) return { source: 'argument', text: normaliseText(arg, 'the argument') }
  if (!info.isFile()) throw new DccError('ERR_INPUT', `input: ${arg} is not a file`)
  if (info.size > MAX_INPUT_BYTES) {
    throw new DccError(
      'ERR_INPUT',
      `input: ${arg} is ${info.size} bytes, more than the ${MAX_INPUT_BYTES} accepted`,
    )
  }
  const bytes = await readFile(arg).catch((cause: NodeJS.ErrnoException) => {
    throw new DccError('ERR_INPUT', `input: ${arg} could not be read (${cause.code ?? cause.message})`, {
      cause,
    })
  })
  return fromBytes(bytes, arg)
}

export async function fromBytes(bytes: Uint8Array, source: string): Promise<CertificateInput> {
  const format = detectImageFormat(bytes)
  if (format) {
    // the image decoders and the QR scanner take ~100 ms to load: only when an image is given
    const { readQrImage } = await import('../qr/read-qr-image.js')
    const { text, image, warnings } = await readQrImage(bytes, format, source)
    return { source, text: normaliseText(text, `the QR code in ${source}`), image, warnings }
  }
  return { source, text: normaliseText(decodeUtf8(bytes, source), source) }
}

export function decodeUtf8(bytes: Uint8Array, source: string): string {
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes)
  } catch (cause) {
    throw new DccError(
      'ERR_INPUT',
      `input: ${source} is neither text (it is not valid UTF-8) nor a PNG or JPEG image`,
      { cause },
    )
  }
}

function normaliseText(text: string, what: string): string {
  const trimmed = text.replace(/^\uFEFF/, '').trim()
  if (trimmed.length === 0) throw new DccError('ERR_INPUT', `input: ${what} is empty`)
  return trimmed
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
