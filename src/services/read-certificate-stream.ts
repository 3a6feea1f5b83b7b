/**
 * Certificates on a stream (stdin): one image, or text with one certificate per line, yielded as the
 * lines arrive, so that a long stream needs no more memory than one line (at most MAX_LINE_BYTES:
 * a longer line is reported, not kept). An input that cannot be read is yielded with its error, so
 * that callers report it and go on.
 */
import { DccError } from '../errors.js'
import { detectImageFormat, otherImageFormat } from '../qr/image-format.js'
import { fromBytes, MAX_INPUT_BYTES, readArgumentItems } from './read-input.js'
import { decodeLine, LineSplitter, lineText, tooLongError, type RawLine } from './text-lines.js'

export interface StreamedCertificate {
  /** `stdin` for an image, `stdin:<line>` for text, the argument or file path, `<path>:<line>` for a file of several */
  source: string
  text: string
  /** what was odd about the input but did not stop it being read (whitespace around the text, a QR code in byte mode …) */
  warnings: string[]
  error?: DccError
}

const failure = (source: string, error: DccError): StreamedCertificate => ({
  source,
  text: '',
  warnings: [],
  error,
})

function fromLine(line: RawLine): StreamedCertificate | undefined {
  const source = `stdin:${line.number}`
  if ('tooLong' in line) return failure(source, tooLongError(`line ${line.number} of stdin`, line.tooLong))
  let text: string
  try {
    text = decodeLine(line.bytes, `line ${line.number} of stdin`)
  } catch (err) {
    return failure(source, err as DccError)
  }
  const read = lineText(text, { first: line.number === 1 })
  return read.text ? { source, text: read.text, warnings: read.warnings } : undefined
}

export async function* readCertificateStream(
  stream: NodeJS.ReadableStream,
): AsyncGenerator<StreamedCertificate> {
  let first = true
  let image: Buffer[] | undefined
  let imageBytes = 0
  let yielded = 0
  const lines = new LineSplitter()
  for await (const chunk of stream) {
    const bytes = typeof chunk === 'string' ? Buffer.from(chunk) : (chunk as Buffer)
    if (first) {
      first = false
      // another image format is gathered whole too, for fromBytes to name it
      if (detectImageFormat(bytes) || otherImageFormat(bytes)) image = []
    }
    if (image) {
      imageBytes += bytes.length
      if (imageBytes > MAX_INPUT_BYTES) {
        yield failure(
          'stdin',
          new DccError('ERR_INPUT', `input: stdin holds more than the ${MAX_INPUT_BYTES} bytes accepted`),
        )
        return
      }
      image.push(bytes)
      continue
    }
    for (const line of lines.push(bytes)) {
      const item = fromLine(line)
      if (item) {
        yielded++
        yield item
      }
    }
    // a line with no end in sight (/dev/zero, a binary stream): refused once it passes the input cap,
    // and the rest of stdin is not read, or the skipping never ends
    if (lines.discarding > MAX_INPUT_BYTES) {
      const where = `line ${lines.lines + 1} of stdin`
      yield failure(
        `stdin:${lines.lines + 1}`,
        new DccError(
          'ERR_INPUT',
          `input: ${where} runs past ${MAX_INPUT_BYTES} bytes without a line end; the rest of stdin is not read`,
        ),
      )
      return
    }
  }
  if (image) {
    try {
      const input = await fromBytes(Buffer.concat(image), 'stdin')
      yield { source: 'stdin', text: input.text, warnings: input.warnings }
    } catch (err) {
      if (!(err instanceof DccError)) throw err
      yield failure('stdin', err)
    }
    return
  }
  const last = lines.end()
  const item = last && fromLine(last)
  if (item) yield item
  else if (yielded === 0) yield failure('stdin', new DccError('ERR_INPUT', 'input: stdin is empty'))
}

/** Arguments are HC1 strings or files (text, one certificate per line, or image); `-`, or no argument at all, reads the stream. */
export async function* readCertificates(
  args: readonly string[],
  stream: NodeJS.ReadableStream,
): AsyncGenerator<StreamedCertificate> {
  if (args.length === 0) {
    yield* readCertificateStream(stream)
    return
  }
  for (const arg of args) {
    if (arg === '-') {
      yield* readCertificateStream(stream)
      continue
    }
    const items = await readArgumentItems(arg)
    if (items.length === 0) yield failure(arg, new DccError('ERR_INPUT', `input: ${arg} is empty`))
    for (const item of items) yield item
  }
}
