import { tooDeep } from '../issue/record-depth.js'

/**
 * How deep JSON read from an input (a SMART Health Card's JWS header and payload, a DID document, a
 * JWK Set, a proof key, a conformance vector) may nest objects and lists, as CBOR is capped. JSON.parse
 * takes a 100,000-deep value, but every recursive walk after it (JSON.stringify, canonical JSON, the
 * renderers) overflows the stack; a deeper value is refused as it is read.
 */
export const MAX_JSON_DEPTH = 64

/** Whether a parsed JSON value nests objects or lists more than {@link MAX_JSON_DEPTH} levels (iterative). */
export function jsonTooDeep(value: unknown, limit: number = MAX_JSON_DEPTH): boolean {
  return typeof value === 'object' && value !== null && tooDeep(value, limit)
}
