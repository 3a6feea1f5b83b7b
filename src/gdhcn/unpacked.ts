/**
 * A certificate as the WHO gdhcn-validator prints it unpacked (`test-resources/*Unpacked.json`):
 * `{protectedAttributes, unprotectedAttributes, contents}` with COSE header labels and CWT claim
 * keys as JSON object keys ("1", "4", "-260"), byte strings (the kid) as unpadded base64url, and
 * the whole CWT, every claim, as encoded. `hcert decode --unpacked` prints it.
 */
import { decodeCbor, Tag } from '../codec/cbor.js'
import type { HeaderMap, Sign1 } from '../cose/sign1.js'

export interface UnpackedCwt {
  protectedAttributes: Record<string, unknown>
  unprotectedAttributes: Record<string, unknown>
  contents: unknown
}

export function unpackSign1(sign1: Sign1): UnpackedCwt {
  return {
    protectedAttributes: header(sign1.protectedHeader),
    unprotectedAttributes: header(sign1.unprotectedHeader),
    contents: plain(decodeCbor(sign1.payload, 'the CWT payload')),
  }
}

function header(map: HeaderMap): Record<string, unknown> {
  return plain(map) as Record<string, unknown>
}

function plain(value: unknown): unknown {
  if (value instanceof Uint8Array)
    return Buffer.from(value.buffer, value.byteOffset, value.length).toString('base64url')
  if (value instanceof Tag) return plain(value.value)
  if (value instanceof Map) {
    const out: Record<string, unknown> = {}
    for (const [key, entry] of value)
      Object.defineProperty(out, String(key), {
        value: plain(entry),
        enumerable: true,
        writable: true,
        configurable: true,
      })
    return out
  }
  if (Array.isArray(value)) return value.map(plain)
  if (typeof value === 'bigint') return value.toString()
  return value === undefined ? null : value
}
