/**
 * `hcert decode` of a SMART Health Card: its layers read down to the FHIR bundle, nothing verified.
 * Errors: ERR_PREFIX, ERR_SHC_CHUNK, ERR_SHC_NUMERIC, ERR_JWS, ERR_INFLATE.
 */
import type { QrImage } from '../qr/read-qr-image.js'
import { checkCardShape, fhirBundleOf } from './card-shape.js'
import { readNumericDate } from './claims.js'
import { readJws } from './jws.js'
import { shcToJws } from './read-shc.js'

export interface ShcDecodeResult {
  kind: 'shc'
  source: string
  alg: string | null
  /** the issuer key's RFC 7638 thumbprint, as the JWS header gives it */
  kid: string | null
  /** the JWS protected header */
  header: Record<string, unknown>
  claims: { iss?: string; nbf?: number; exp?: number }
  /** the JWS payload JSON */
  payload: Record<string, unknown>
  /** `payload.vc.credentialSubject.fhirBundle`; null when it has none */
  fhirBundle: Record<string, unknown> | null
  /** what reading found odd (input, a JWS without zip, NumericDates that cannot be used, the card's shape) */
  warnings: string[]
  layers?: ShcLayersView
}

export interface ShcLayersView {
  images?: QrImage[]
  prefix: 'shc:/'
  chunks: number
  digits: number
  jwsLength: number
  compressedBytes: number
  inflatedBytes: number
  signatureBytes: number
  /** the JWS compact serialization (no holder data is readable in it without inflating) */
  jws: string
}

export function decodeShc(
  texts: readonly string[],
  source: string,
  options: { layers?: boolean; images?: QrImage[] } = {},
): ShcDecodeResult {
  const { chunks, digits, jws } = shcToJws(texts)
  const content = readJws(jws)
  const { header, payload } = content
  const claims: ShcDecodeResult['claims'] = {}
  const warnings = [...content.warnings]
  if (typeof payload.iss === 'string') claims.iss = payload.iss
  for (const name of ['nbf', 'exp'] as const) {
    const read = readNumericDate(payload[name], name)
    if (read.value !== undefined) claims[name] = read.value
    if (read.problem) warnings.push(read.problem)
  }
  if (payload.nbf === undefined) warnings.push('the card has no nbf (its issuance time)')
  const shape = checkCardShape(payload)
  warnings.push(...shape.errors, ...shape.warnings)
  const result: ShcDecodeResult = {
    kind: 'shc',
    source,
    alg: typeof header.alg === 'string' ? header.alg : null,
    kid: typeof header.kid === 'string' ? header.kid : null,
    header,
    claims,
    payload,
    fhirBundle: fhirBundleOf(payload) ?? null,
    warnings,
  }
  if (options.layers) {
    result.layers = {
      ...(options.images && options.images.length > 0 ? { images: options.images } : {}),
      prefix: 'shc:/',
      chunks,
      digits,
      jwsLength: jws.length,
      compressedBytes: content.header.zip === 'DEF' ? content.signedPayload.length : 0,
      inflatedBytes: content.inflatedBytes,
      signatureBytes: content.signature.length,
      jws,
    }
  }
  return result
}
