/**
 * A SMART Health Card's JWS read without its signature checked (SMART Health Cards 1.4 "Health
 * Cards are Compact"; RFC 7515 §7.1): the compact form `header.payload.signature` in base64url, the
 * header JSON, the payload raw DEFLATE (RFC 1951, header `zip: "DEF"`) of JSON. Errors: ERR_JWS (not
 * three base64url parts, a header or payload that is not a JSON object), ERR_INFLATE (not raw
 * DEFLATE, truncated, beyond MAX_SHC_PAYLOAD_BYTES).
 */
import { inflateRawSync } from 'node:zlib'
import { DccError } from '../errors.js'
import { jsonTooDeep, MAX_JSON_DEPTH } from '../codec/json-depth.js'
import { duplicateJsonKey } from '../codec/json-duplicate-key.js'

/** Inflated payloads are capped here: a card fills at most a few QR codes and inflates to ~30 KB. */
export const MAX_SHC_PAYLOAD_BYTES = 256 * 1024

export interface ShcJws {
  /** the compact serialization, as read */
  compact: string
  header: Record<string, unknown>
  /** the payload bytes as signed (compressed when the header says `zip: "DEF"`) */
  signedPayload: Uint8Array
  signature: Uint8Array
}

export interface ShcContent extends ShcJws {
  /** the payload JSON */
  payload: Record<string, unknown>
  inflatedBytes: number
  /** what is readable but not as the spec writes it (a payload without zip: DEF) */
  warnings: string[]
}

const BASE64URL = /^[A-Za-z0-9_-]+$/

/** Splits the compact form and reads the header; the payload stays as signed. */
export function splitJws(compact: string): ShcJws {
  const parts = compact.split('.')
  if (parts.length !== 3) {
    throw new DccError(
      'ERR_JWS',
      `decode: a JWS in compact form has 3 parts separated by '.', this text has ${parts.length}`,
    )
  }
  const names = ['header', 'payload', 'signature']
  parts.forEach((part, i) => {
    if (!BASE64URL.test(part))
      throw new DccError(
        'ERR_JWS',
        `decode: the JWS ${names[i]} is ${part.length === 0 ? 'empty' : 'not base64url (RFC 7515 §2)'}`,
      )
  })
  const [header, payload, signature] = parts as [string, string, string]
  return {
    compact,
    header: jsonObject(Buffer.from(header, 'base64url'), 'header'),
    signedPayload: new Uint8Array(Buffer.from(payload, 'base64url')),
    signature: new Uint8Array(Buffer.from(signature, 'base64url')),
  }
}

/** Raw DEFLATE (no zlib or gzip header), capped at MAX_SHC_PAYLOAD_BYTES. */
export function inflateShcPayload(bytes: Uint8Array): Buffer {
  try {
    return inflateRawSync(bytes, { maxOutputLength: MAX_SHC_PAYLOAD_BYTES })
  } catch (cause) {
    const code = (cause as NodeJS.ErrnoException).code
    throw new DccError(
      'ERR_INFLATE',
      code === 'ERR_BUFFER_TOO_LARGE'
        ? `compression: the JWS payload inflates to more than ${MAX_SHC_PAYLOAD_BYTES} bytes`
        : `compression: the JWS payload is not raw DEFLATE (RFC 1951), as zip: "DEF" says (${code ?? 'corrupt'})`,
      { cause },
    )
  }
}

/** The JWS read down to its payload JSON: a header without `zip: "DEF"` is read as uncompressed JSON, with a warning. */
export function readJws(compact: string): ShcContent {
  const jws = splitJws(compact)
  const warnings: string[] = []
  let json: Buffer
  if (jws.header.zip === 'DEF') json = inflateShcPayload(jws.signedPayload)
  else {
    warnings.push(zipProblem(jws.header))
    json = Buffer.from(jws.signedPayload)
  }
  return { ...jws, payload: jsonObject(json, 'payload'), inflatedBytes: json.length, warnings }
}

/** Why a header's zip is not as SMART Health Cards asks (`zip: "DEF"`). */
export function zipProblem(header: Record<string, unknown>): string {
  return header.zip === undefined
    ? 'the JWS header has no zip; SMART Health Cards compress the payload (zip: "DEF")'
    : `the JWS header's zip is not "DEF"; SMART Health Cards compress the payload with raw DEFLATE`
}

/** The ERR_JWS message for a member name repeated in the JWS header or payload (named by path, never a value). */
export function duplicateMessage(what: 'header' | 'payload', path: string): string {
  return `decode: the JWS ${what} has the key ${path} twice; a signed JSON object's keys must differ (readers disagree on which one counts)`
}

function jsonObject(bytes: Buffer, what: 'header' | 'payload'): Record<string, unknown> {
  let value: unknown
  let text: string
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes)
    value = JSON.parse(text)
  } catch {
    throw new DccError('ERR_JWS', `decode: the JWS ${what} is not UTF-8 JSON`)
  }
  const duplicate = duplicateJsonKey(text)
  if (duplicate !== undefined) throw new DccError('ERR_JWS', duplicateMessage(what, duplicate))
  if (jsonTooDeep(value))
    throw new DccError('ERR_JWS', `decode: the JWS ${what} nests more than ${MAX_JSON_DEPTH} levels deep`)
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    throw new DccError('ERR_JWS', `decode: the JWS ${what} is not a JSON object`)
  return value as Record<string, unknown>
}
