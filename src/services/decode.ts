/** `hcert decode`: a certificate's every layer, as plain data that the CLI renders or prints as JSON. */
import { toDiagnostic } from '../codec/cbor-diagnostic.js'
import { decodeCbor, SimpleValue, Tag } from '../codec/cbor.js'
import { trailingBytesWarning } from '../codec/zlib.js'
import { algName } from '../cose/algorithms.js'
import {
  criticalHeaderProblem,
  envelopeWarnings,
  headerWarnings,
  unprotectedAlgWarning,
  type HeaderMap,
} from '../cose/sign1.js'
import { CERTIFICATE_TYPE_NAMES, certificateTypes } from '../dcc/types.js'
import { whoCertificateType } from '../gdhcn/who-type.js'
import type { PayloadKind } from '../gdhcn/payload-kind.js'
import { unpackSign1, type UnpackedCwt } from '../gdhcn/unpacked.js'
import { decodeHc1, type DecodedHcert, type DecodeOptions } from '../hcert/decode-hc1.js'
import type { CertificateInput } from './read-input.js'

export interface DecodeResult {
  source: string
  alg: string
  kid: string | null
  kidSource: 'protected' | 'unprotected' | null
  header: { protected: Record<string, unknown>; unprotected: Record<string, unknown> }
  claims: { iss?: string; iat?: number; exp?: number }
  /** which payload: dcc (-260/1), icvp (-260/-6), ddcc-vs (3), ddcc-tr (4), link (5), ddcc-early (README "Payload kinds") */
  kind: PayloadKind
  /** vaccination, test or recovery; null when the payload carries none of them */
  type: string | null
  /** the payload exactly as encoded; a link as {uri} */
  payload: Record<string, unknown>
  /**
   * What is well-formed but not as HCERT writes it: first the input's (whitespace around the text, a QR code in byte mode),
   * then the structure's (tags out of place, an unprotected alg, a NumericDate that is not a usable
   * integer of seconds); nothing here is verified.
   */
  warnings: string[]
  layers?: LayersView
  /** with --unpacked: the COSE headers and the whole CWT as the WHO gdhcn-validator prints them */
  unpacked?: UnpackedCwt
}

export interface LayersView {
  image?: CertificateInput['image']
  prefix: string | null
  base45Length: number
  compressedBytes: number
  inflatedBytes: number
  coseTags: number[]
  signatureBytes: number
  diagnostic: string
}

export const base64 = (bytes: Uint8Array): string =>
  Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('base64')

const HEADER_NAMES: Readonly<Record<number, string>> = {
  1: 'alg',
  2: 'crit',
  3: 'content type',
  4: 'kid',
  5: 'IV',
  6: 'Partial IV',
}

export function headerToJson(header: HeaderMap): Record<string, unknown> {
  const out: Record<string, unknown> = {}
  for (const [label, value] of header) {
    const name = typeof label === 'number' ? (HEADER_NAMES[label] ?? String(label)) : label
    if (label === 1 && typeof value === 'number') out[name] = algName(value)
    else out[name] = valueToJson(value)
  }
  return out
}

function valueToJson(value: unknown): unknown {
  if (value instanceof Uint8Array) return base64(value)
  if (value instanceof Tag) return valueToJson(value.value)
  if (value instanceof SimpleValue) return `simple(${value.value})`
  if (value instanceof Map) return Object.fromEntries([...value].map(([k, v]) => [String(k), valueToJson(v)]))
  if (Array.isArray(value)) return value.map(valueToJson)
  if (typeof value === 'bigint') return value.toString()
  return value
}

export function summarise(decoded: DecodedHcert, source: string): DecodeResult {
  const { sign1, claims } = decoded
  const types = certificateTypes(claims.hcert)
  const named: DecodeResult['claims'] = {}
  if (claims.iss !== undefined) named.iss = claims.iss
  if (claims.iat !== undefined) named.iat = claims.iat
  if (claims.exp !== undefined) named.exp = claims.exp
  const algWarning = unprotectedAlgWarning(sign1)
  const critical = criticalHeaderProblem(sign1)
  const trailing = trailingBytesWarning(decoded.trailingBytes)
  const warnings = [
    ...(trailing === undefined ? [] : [trailing]),
    ...envelopeWarnings(sign1),
    ...headerWarnings(sign1),
    ...(algWarning === undefined ? [] : [algWarning]),
    ...(critical === undefined ? [] : [`${critical} (verify refuses it)`]),
    ...(claims.warnings ?? []),
    ...Object.values(claims.unusable ?? {}),
  ]
  return {
    source,
    alg: algName(sign1.alg),
    kid: sign1.kid ? base64(sign1.kid) : null,
    kidSource: sign1.kidSource ?? null,
    header: {
      protected: headerToJson(sign1.protectedHeader),
      unprotected: headerToJson(sign1.unprotectedHeader),
    },
    claims: named,
    kind: claims.kind ?? 'dcc',
    type: claims.kind ? whoCertificateType(claims.kind) : types[0] ? CERTIFICATE_TYPE_NAMES[types[0]] : null,
    payload: claims.hcert,
    warnings,
  }
}

export function layersView(decoded: DecodedHcert, input: CertificateInput): LayersView {
  const { sign1 } = decoded
  const embedded = new Map<Uint8Array, unknown>([
    [sign1.protectedBytes, sign1.protectedHeader],
    [sign1.payload, decodeCbor(sign1.payload, 'the CWT payload')],
  ])
  let structure: unknown = [sign1.protectedBytes, sign1.unprotectedHeader, sign1.payload, sign1.signature]
  for (const tag of [...sign1.tags].reverse()) structure = new Tag(structure, tag)
  return {
    ...(input.image ? { image: input.image } : {}),
    prefix: decoded.prefix,
    base45Length: decoded.base45Length,
    compressedBytes: decoded.compressed.length,
    inflatedBytes: decoded.cose.length,
    coseTags: sign1.tags,
    signatureBytes: sign1.signature.length,
    diagnostic: toDiagnostic(structure, { embedded }),
  }
}

export function decodeCertificate(
  input: CertificateInput,
  options: DecodeOptions & { layers?: boolean; unpacked?: boolean } = {},
): DecodeResult {
  const decoded = decodeHc1(input.text, options)
  const result = summarise(decoded, input.source)
  result.warnings.unshift(...input.warnings)
  if (options.layers) result.layers = layersView(decoded, input)
  if (options.unpacked) result.unpacked = unpackSign1(decoded.sign1)
  return result
}
