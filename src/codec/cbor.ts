/**
 * The one CBOR configuration for COSE: maps stay Maps (integer keys stay integers), no records,
 * no tag 64 on byte strings, no tag 259 on maps. Decoding always runs the well-formedness guard first.
 */
import { Decoder, Encoder, Tag, addExtension } from 'cbor-x'
import { DccError } from '../errors.js'
import { checkCborWellFormed } from './cbor-guard.js'

export { Tag }

// cbor-x gives meaning to some tags: 0 and 1 become Dates (losing what was encoded), 2 and 3
// BigInts, 258 a Set, 27 an Error or a RegExp, 28 and 29 shared (even cyclic) references, 51 and 6
// packed values, 64..87 typed arrays. A certificate is data, not objects to rebuild: every tag stays
// a Tag, and the layer that reads the value decides what a tag means there (the extension table of
// cbor-x is process-wide).
const INTERPRETED_TAGS = [0, 1, 2, 3, 4, 5, 6, 14, 15, 27, 28, 29, 51, 105, 258, 259]
for (let tag = 64; tag <= 87; tag++) INTERPRETED_TAGS.push(tag)
for (const tag of INTERPRETED_TAGS)
  addExtension({ tag, decode: (value: unknown) => new Tag(value, tag) } as never)

const decoder = new Decoder({ mapsAsObjects: false, useRecords: false })
const encoder = new Encoder({
  mapsAsObjects: false,
  useRecords: false,
  tagUint8Array: false,
  useTag259ForMaps: false,
  variableMapSize: true,
} as never)

/**
 * One CBOR data item as JavaScript values: maps as Maps (keys as decoded: numbers, strings…), byte
 * strings as Uint8Array, tags as Tag, integers as numbers (BigInt only beyond 2^53, whatever the
 * width they were written in). Throws DccError ERR_CBOR for bytes that are not one well-formed item,
 * nest deeper than 32 levels, or hold a map with a duplicate key (RFC 8949 §5.6); `what` names the
 * item in the message.
 */
export function decodeCbor(bytes: Uint8Array, what: string): unknown {
  if (!(bytes instanceof Uint8Array)) throw new TypeError('decodeCbor expects a Uint8Array')
  const shape = checkCborWellFormed(bytes, what)
  try {
    const value: unknown = decoder.decode(bytes)
    return shape.wideIntegers ? narrowIntegers(value) : value
  } catch (cause) {
    throw new DccError('ERR_CBOR', `cbor: ${what} could not be decoded (${(cause as Error).message})`, {
      cause,
    })
  }
}

/**
 * The same value with every BigInt that a number holds exactly (|n| <= 2^53 - 1) made a number:
 * CBOR's integers are their values in any width (RFC 8949 §3.1), and 4 written in 8 bytes is the
 * map key 4. Depth is bounded by the well-formedness pass.
 */
function narrowIntegers(value: unknown): unknown {
  if (typeof value === 'bigint') return value >= -MAX_SAFE && value <= MAX_SAFE ? Number(value) : value
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) value[i] = narrowIntegers(value[i])
    return value
  }
  if (value instanceof Map) {
    const out = new Map<unknown, unknown>()
    for (const [key, entry] of value) out.set(narrowIntegers(key), narrowIntegers(entry))
    return out
  }
  if (value instanceof Tag) {
    value.value = narrowIntegers(value.value)
    return value
  }
  return value
}

const MAX_SAFE = BigInt(Number.MAX_SAFE_INTEGER)

export function encodeCbor(value: unknown): Uint8Array {
  const out = encodeCborTransient(value)
  // cbor-x may reuse its buffer between calls: hand out bytes the caller owns.
  return new Uint8Array(out.buffer.slice(out.byteOffset, out.byteOffset + out.length))
}

/**
 * As encodeCbor, but the bytes are the encoder's own, valid only until it runs again: for a caller
 * that copies them at once (saves an ArrayBuffer per certificate signed).
 */
export function encodeCborTransient(value: unknown): Uint8Array {
  return encoder.encode(value) as Uint8Array
}

/**
 * Encode each value, end to end in one new buffer (its own ArrayBuffer, so that it can be transferred
 * to another thread); `ends[i]` is where value i ends. One allocation for the lot, not one per value.
 */
export function encodeCborSequence(values: readonly unknown[]): {
  bytes: Uint8Array<ArrayBuffer>
  ends: Uint32Array
} {
  const ends = new Uint32Array(values.length)
  let scratch = new Uint8Array(values.length * 256)
  let length = 0
  values.forEach((value, i) => {
    const out = encodeCborTransient(value)
    if (length + out.length > scratch.length) {
      const grown = new Uint8Array(Math.max(scratch.length * 2, length + out.length))
      grown.set(scratch.subarray(0, length))
      scratch = grown
    }
    scratch.set(out, length)
    length += out.length
    ends[i] = length
  })
  return { bytes: scratch.slice(0, length), ends }
}
