/** `hcert verify`: many inputs, one result each, one trust list and one process. */
import { DccError, EXIT, type ExitCode } from '../errors.js'
import { skippedChecks, verifyHc1, type VerifyOptions, type VerifyResult } from '../hcert/verify-hc1.js'
import { readCertificates } from './read-certificate-stream.js'

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
    checks: skippedChecks(),
    errors: [{ code: err.code, check: 'input', message: err.message }],
    warnings: [],
    kid: null,
    alg: null,
    signer: null,
    claims: null,
    payload: null,
  }
}

/** `inputWarnings` (an image's, from reading it) come first in `warnings`, under the check `input`. */
export function verifyText(
  text: string,
  source: string,
  options: VerifyOptions,
  inputWarnings: readonly string[] = [],
): SourcedVerifyResult {
  const result = verifyHc1(text, options)
  if (inputWarnings.length > 0)
    result.warnings.unshift(...inputWarnings.map((message) => ({ check: 'input' as const, message })))
  return { source, ...result }
}

/** One result per certificate, in input order: arguments (strings or files), or stdin as lines or one image. */
export async function* verifyCertificates(
  args: readonly string[],
  stdin: NodeJS.ReadableStream,
  options: VerifyOptions,
): AsyncGenerator<SourcedVerifyResult> {
  for await (const input of readCertificates(args, stdin)) {
    yield input.error
      ? inputFailure(input.source, input.error)
      : verifyText(input.text, input.source, options, input.warnings)
  }
}
