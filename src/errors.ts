/**
 * Every failure a user can cause has a stable code, the layer (pipeline stage) it happened in,
 * and a message in words. Codes and exit codes are a contract: see README "Error codes".
 * Messages never contain personal data from the certificate.
 */

/** Pipeline stages, in the order a certificate passes through them when it is read. */
export type Layer =
  | 'input'
  | 'image'
  | 'prefix'
  | 'numeric'
  | 'base45'
  | 'jws'
  | 'zlib'
  | 'cbor'
  | 'cose'
  | 'cwt'
  | 'signature'
  | 'expiration'
  | 'keyUsage'
  | 'schema'
  | 'trust'
  | 'keys'
  | 'ledger'
  | 'usage'
  | 'internal'

export const ERROR_CODES = {
  ERR_INPUT: 'input',
  ERR_IMAGE: 'image',
  ERR_QR_NOT_FOUND: 'image',
  ERR_PREFIX: 'prefix',
  ERR_SHC_CHUNK: 'prefix',
  ERR_SHC_NUMERIC: 'numeric',
  ERR_JWS: 'jws',
  ERR_BASE45: 'base45',
  ERR_INFLATE: 'zlib',
  ERR_CBOR: 'cbor',
  ERR_COSE: 'cose',
  ERR_CWT: 'cwt',
  ERR_SIGNATURE: 'signature',
  ERR_KID_UNKNOWN: 'signature',
  ERR_KID_THUMBPRINT: 'signature',
  ERR_ALG_UNSUPPORTED: 'signature',
  ERR_ALG_UNPROTECTED: 'signature',
  ERR_CRITICAL_HEADER: 'signature',
  ERR_EXPIRED: 'expiration',
  ERR_NOT_YET_VALID: 'expiration',
  ERR_DSC_VALIDITY: 'expiration',
  ERR_CLAIM_MISSING: 'expiration',
  ERR_CLAIM_INVALID: 'expiration',
  ERR_KEY_USAGE: 'keyUsage',
  ERR_SCHEMA: 'schema',
  ERR_TRUST: 'trust',
  ERR_KEYS: 'keys',
  ERR_LEDGER: 'ledger',
  ERR_USAGE: 'usage',
  ERR_INTERNAL: 'internal',
} as const satisfies Record<string, Layer>

export type ErrorCode = keyof typeof ERROR_CODES

/**
 * Exit codes, the same with and without --json.
 * 0 ok · 1 bug · 2 usage (bad flags, unreadable trust list or key directory)
 * 3 the certificate could not be read or decoded · 4 decoded, but a verification check failed
 * 130 / 143 a run (issue, renew) stopped by SIGINT (Ctrl-C) / SIGTERM, after committing what it had (128 + signal).
 */
export const EXIT = {
  OK: 0,
  BUG: 1,
  USAGE: 2,
  DECODE: 3,
  INVALID: 4,
  INTERRUPTED: 130,
  TERMINATED: 143,
} as const
export type ExitCode = (typeof EXIT)[keyof typeof EXIT]

const DECODE_LAYERS: ReadonlySet<Layer> = new Set([
  'input',
  'image',
  'prefix',
  'numeric',
  'base45',
  'jws',
  'zlib',
  'cbor',
  'cose',
  'cwt',
])

export function exitCodeFor(code: ErrorCode): ExitCode {
  const layer = ERROR_CODES[code]
  if (DECODE_LAYERS.has(layer)) return EXIT.DECODE
  if (layer === 'trust' || layer === 'keys' || layer === 'ledger' || layer === 'usage') return EXIT.USAGE
  if (layer === 'internal') return EXIT.BUG
  return EXIT.INVALID
}

export class DccError extends Error {
  readonly code: ErrorCode
  readonly layer: Layer
  /** Data a caller may still need, e.g. the verified payload of an expired certificate. */
  readonly details: Readonly<Record<string, unknown>> | undefined

  constructor(
    code: ErrorCode,
    message: string,
    options?: { cause?: unknown; details?: Record<string, unknown> },
  ) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause })
    this.name = 'DccError'
    this.code = code
    this.layer = ERROR_CODES[code]
    this.details = options?.details
  }

  toJSON(): { code: ErrorCode; layer: Layer; message: string } {
    return { code: this.code, layer: this.layer, message: this.message }
  }
}
