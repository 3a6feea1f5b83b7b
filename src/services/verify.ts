/** `hcert verify`: many inputs, one result each, one trust list and one process. */
import { DccError, EXIT, type ExitCode } from '../errors.js'
import { skippedChecks, verifyHc1, type VerifyOptions, type VerifyResult } from '../hcert/verify-hc1.js'
import { isShcText } from '../shc/numeric.js'
import { ShcKeySet } from '../shc/jwks.js'
import type { ShcVerifyResult } from '../shc/verify-shc.js'
import { ShcVerifyStream } from '../shc/verify-stream.js'
import { readCertificates } from './read-certificate-stream.js'

/** An HCERT's result, or a SMART Health Card's (`kind: "shc"`, README "SMART Health Cards"). */
export type SourcedVerifyResult = (VerifyResult | ShcVerifyResult) & { source: string }

const DECODE_CHECKS = ['unprefix', 'numeric', 'base45', 'compression', 'decode'] as const

/** 0 valid · 3 could not be read or decoded · 4 decoded, but a check failed. */
export function exitCodeOf(result: VerifyResult | ShcVerifyResult): ExitCode {
  if (result.valid) return EXIT.OK
  if (result.errors.some((e) => e.code === 'ERR_INTERNAL')) return EXIT.BUG
  if (
    result.errors.some((e) => e.check === 'input') ||
    DECODE_CHECKS.some((c) => (result.checks as Record<string, string>)[c] === 'fail')
  )
    return EXIT.DECODE
  return EXIT.INVALID
}

/** Counts of a run by verdict, for the closing line of `hcert verify`. */
export class VerifyTally {
  valid = 0
  invalid = 0
  undecodable = 0

  /** `code` as exitCodeOf gives it: 0 valid, 3 could not be read or decoded, 4 invalid */
  add(code: ExitCode): void {
    if (code === EXIT.OK) this.valid++
    else if (code === EXIT.DECODE) this.undecodable++
    else this.invalid++
  }

  get total(): number {
    return this.valid + this.invalid + this.undecodable
  }

  /** e.g. `3 certificates: 1 valid, 1 invalid, 1 undecodable` (undecodable only when there are some) */
  summary(): string {
    const parts = [`${this.valid} valid`, `${this.invalid} invalid`]
    if (this.undecodable > 0) parts.push(`${this.undecodable} undecodable`)
    return `${this.total} certificate${this.total === 1 ? '' : 's'}: ${parts.join(', ')}`
  }
}

function inputFailure(source: string, err: DccError): VerifyResult & { source: string } {
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
    kind: null,
    payload: null,
  }
}

/** One input's result; a bug met on it is that input's ERR_INTERNAL, and the inputs after it are still verified. */
export function verifyText(
  text: string,
  source: string,
  options: VerifyOptions,
): VerifyResult & { source: string } {
  try {
    return { source, ...verifyHc1(text, options) }
  } catch (err) {
    if (process.env.DEBUG) console.error(err)
    return inputFailure(
      source,
      err instanceof DccError
        ? err
        : new DccError(
            'ERR_INTERNAL',
            'internal error while verifying this input (a bug in hcert; set DEBUG=1 for details and please report it)',
            { cause: err },
          ),
    )
  }
}

/** One result per certificate, in input order: arguments (strings or files), or stdin as lines or one image. */
export async function* verifyCertificates(
  args: readonly string[],
  stdin: NodeJS.ReadableStream,
  options: VerifyOptions & { shcKeys?: ShcKeySet },
): AsyncGenerator<SourcedVerifyResult> {
  const shc = new ShcVerifyStream({ keys: options.shcKeys ?? new ShcKeySet(), now: options.now })
  for await (const input of readCertificates(args, stdin)) {
    if (!input.error && isShcText(input.text)) {
      yield* await shc.push(input)
      continue
    }
    const result = input.error
      ? inputFailure(input.source, input.error)
      : verifyText(input.text, input.source, options)
    if (input.warnings.length > 0)
      result.warnings.unshift(...input.warnings.map((message) => ({ check: 'input' as const, message })))
    yield result
  }
  yield* await shc.end()
}
