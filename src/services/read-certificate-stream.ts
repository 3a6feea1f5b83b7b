/**
 * Certificates on a stream (stdin): one image, or text with one certificate per line, yielded as the
 * lines arrive, so that a long stream needs no more memory than one line. An input that cannot be
 * read is yielded with its error, so that callers report it and go on.
 */
import { DccError } from '../errors.js'
import { detectImageFormat } from '../qr/image-format.js'
import { fromBytes, MAX_INPUT_BYTES, readCertificateInput } from './read-input.js'

export interface StreamedCertificate {
  /** `stdin` for an image, `stdin:<line>` for text */
  source: string
  text: string
  error?: DccError
  /** the input's own warnings (an image's QR code with whitespace around its text, in byte mode) */
  warnings?: string[]
}

const failure = (source: string, error: DccError): StreamedCertificate => ({ source, text: '', error })

export async function* readCertificateStream(
  stream: NodeJS.ReadableStream,
): AsyncGenerator<StreamedCertificate> {
  let pending = ''
  let lineNumber = 0
  let first = true
  let image: Buffer[] | undefined
  let imageBytes = 0
  const decoder = new TextDecoder('utf-8', { fatal: true })
  for await (const chunk of stream) {
    const bytes = typeof chunk === 'string' ? Buffer.from(chunk) : (chunk as Buffer)
    if (first) {
      first = false
      if (detectImageFormat(bytes)) image = []
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
    try {
      pending += decoder.decode(bytes, { stream: true })
    } catch (cause) {
      const message = 'input: stdin is neither text (it is not valid UTF-8) nor a PNG or JPEG image'
      yield failure(`stdin:${lineNumber + 1}`, new DccError('ERR_INPUT', message, { cause }))
      return
    }
    const lines = pending.split('\n')
    pending = lines.pop() ?? ''
    for (const line of lines) {
      lineNumber++
      const text = line.trim()
      if (text) yield { source: `stdin:${lineNumber}`, text }
    }
  }
  if (image) {
    try {
      const { text, warnings } = await fromBytes(Buffer.concat(image), 'stdin')
      yield { source: 'stdin', text, ...(warnings?.length ? { warnings } : {}) }
    } catch (err) {
      if (!(err instanceof DccError)) throw err
      yield failure('stdin', err)
    }
    return
  }
  lineNumber++
  const text = pending.trim()
  if (text) yield { source: `stdin:${lineNumber}`, text }
  else if (lineNumber === 1) yield failure('stdin', new DccError('ERR_INPUT', 'input: stdin is empty'))
}

/** Arguments are HC1 strings or files (text or image); `-`, or no argument at all, reads the stream. */
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
    try {
      const input = await readCertificateInput(arg, stream)
      yield {
        source: input.source,
        text: input.text,
        ...(input.warnings?.length ? { warnings: input.warnings } : {}),
      }
    } catch (err) {
      if (!(err instanceof DccError)) throw err
      yield failure(arg, err)
    }
  }
}
