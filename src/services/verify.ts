/** `hcert verify`: many inputs, one result each, one trust list and one process. */
import { DccError, EXIT, type ExitCode } from '../errors.js'
import { verifyHc1, type VerifyOptions, type VerifyResult } from '../hcert/verify-hc1.js'
import { detectImageFormat } from '../qr/image-format.js'
import { fromBytes, readCertificateInput, MAX_INPUT_BYTES } from './read-input.js'

export interface SourcedVerifyResult extends VerifyResult {
  source: string
}

const DECODE_CHECKS = ['unprefix', 'base45', 'compression', 'decode'] as const

/** 0 valid · 3 could not be read or decoded · 4 decoded, but a check failed. */
export function exitCodeOf(result: VerifyResult): ExitCode {
  if (result.valid) return EXIT.OK
  if (
    result.errors.some((e) => e.check === 'input') ||
    DECODE_CHECKS.some((c) => result.checks[c] === 'fail')
  )
    return EXIT.DECODE
  return EXIT.INVALID
}

function inputFailure(source: string, err: DccError): SourcedVerifyResult {
  return {
    source,
    valid: false,
    checks: {
      unprefix: 'skipped',
      base45: 'skipped',
      compression: 'skipped',
      decode: 'skipped',
      signature: 'skipped',
      expiration: 'skipped',
      keyUsage: 'skipped',
      schema: 'skipped',
    },
    errors: [{ code: err.code, check: 'input', message: err.message }],
    warnings: [],
    kid: null,
    alg: null,
    signer: null,
    claims: null,
    payload: null,
  }
}

export function verifyText(text: string, source: string, options: VerifyOptions): SourcedVerifyResult {
  return { source, ...verifyHc1(text, options) }
}

/** Each argument is an HC1 string or a file (text or image). */
export async function* verifyArguments(
  args: readonly string[],
  options: VerifyOptions,
): AsyncGenerator<SourcedVerifyResult> {
  for (const arg of args) {
    try {
      const input = await readCertificateInput(arg, process.stdin)
      yield verifyText(input.text, input.source, options)
    } catch (err) {
      if (!(err instanceof DccError)) throw err
      yield inputFailure(arg, err)
    }
  }
}

/**
 * stdin: an image (one certificate), or text with one certificate per line, verified as lines
 * arrive so that a long stream needs no more memory than one line.
 */
export async function* verifyStream(
  stream: NodeJS.ReadableStream,
  options: VerifyOptions,
): AsyncGenerator<SourcedVerifyResult> {
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
        yield inputFailure(
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
      yield inputFailure(
        `stdin:${lineNumber + 1}`,
        new DccError(
          'ERR_INPUT',
          'input: stdin is neither text (it is not valid UTF-8) nor a PNG or JPEG image',
          { cause },
        ),
      )
      return
    }
    const lines = pending.split('\n')
    pending = lines.pop() ?? ''
    for (const line of lines) {
      lineNumber++
      const text = line.trim()
      if (text) yield verifyText(text, `stdin:${lineNumber}`, options)
    }
  }
  if (image) {
    try {
      const input = await fromBytes(Buffer.concat(image), 'stdin')
      yield verifyText(input.text, 'stdin', options)
    } catch (err) {
      if (!(err instanceof DccError)) throw err
      yield inputFailure('stdin', err)
    }
    return
  }
  lineNumber++
  const text = pending.trim()
  if (text) yield verifyText(text, `stdin:${lineNumber}`, options)
  else if (lineNumber === 1) yield inputFailure('stdin', new DccError('ERR_INPUT', 'input: stdin is empty'))
}
