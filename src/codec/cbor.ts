/**
 * The one CBOR configuration for COSE: maps stay Maps (integer keys stay integers), no records,
 * no tag 64 on byte strings, no tag 259 on maps. Decoding always runs the well-formedness guard first.
 */
import { Decoder, Encoder, Tag, addExtension } from 'cbor-x'
import { DccError } from '../errors.js'
import { checkCborWellFormed, PLACEHOLDER_TAG, type Placeholder } from './cbor-guard.js'

export { Tag }

/**
 * A simple value that CBOR leaves unassigned (0..19, 32..255; RFC 8949 §3.3): kept as itself, for
 * the layer that reads it to warn or refuse (cbor-x cannot read these at all).
 */
export class SimpleValue {
  constructor(readonly value: number) {}
}

// cbor-x gives meaning to some tags: 0 and 1 become Dates (losing what was encoded), 2 and 3
// BigInts, 258 a Set, 27 an Error or a RegExp, 28 and 29 shared (even cyclic) references, 51 and 6
// packed values, 64..87 typed arrays. A certificate is data, not objects to rebuild: every tag stays
// a Tag, and the layer that reads the value decides what a tag means there (the extension table of
// cbor-x is process-wide).
const INTERPRETED_TAGS = [0, 1, 2, 3, 4, 5, 6, 14, 15, 27, 28, 29, 51, 105, 258, 259]
for (let tag = 64; tag <= 87; tag++) INTERPRETED_TAGS.push(tag)
for (const tag of INTERPRETED_TAGS)
  addExtension({ tag, decode: (value: unknown) => new Tag(value, tag) } as never)

// Other tags cbor-x reads as its own (packed values, records, 55799 which it drops) and the
// unassigned simple values are written as PLACEHOLDER_TAG before it decodes; this puts each
// original back, in the order of the bytes (a handlesRead extension runs before its content is read).
let originals: readonly Placeholder[] = []
let nextOriginal = 0
const restore = Object.assign(
  (read: () => unknown): unknown => {
    const original = originals[nextOriginal++]
    const inner = read()
    if (original?.kind === 'simple') return new SimpleValue(original.value)
    return new Tag(inner, original?.value ?? PLACEHOLDER_TAG)
  },
  { handlesRead: true },
)
addExtension({ tag: PLACEHOLDER_TAG, decode: restore } as never)

/** The bytes with each placeholder's head written as PLACEHOLDER_TAG (a simple value also gets a 0 to tag). */
function withPlaceholders(bytes: Uint8Array, placeholders: readonly Placeholder[]): Uint8Array {
  const head = [0xd9, PLACEHOLDER_TAG >> 8, PLACEHOLDER_TAG & 0xff]
  const out = new Uint8Array(bytes.length + placeholders.length * 4)
  let o = 0
  let from = 0
  for (const p of placeholders) {
    out.set(bytes.subarray(from, p.from), o)
    o += p.from - from
    out.set(head, o)
    o += 3
    if (p.kind === 'simple') out[o++] = 0x00
    from = p.to
  }
  out.set(bytes.subarray(from), o)
  o += bytes.length - from
  return out.subarray(0, o)
}

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
 * width they were written in), every tag as a Tag (whatever cbor-x would make of it), unassigned
 * simple values as SimpleValue. Throws DccError ERR_CBOR for bytes that are not one well-formed
 * item, nest deeper than 32 levels, hold a map with a duplicate key (RFC 8949 §5.6) or a text
 * string that is not UTF-8; `what` names the item in the message.
 */
export function decodeCbor(bytes: Uint8Array, what: string): unknown {
  if (!(bytes instanceof Uint8Array)) throw new TypeError('decodeCbor expects a Uint8Array')
  const shape = checkCborWellFormed(bytes, what)
  try {
    let value: unknown
    if (shape.placeholders) {
      originals = shape.placeholders
      nextOriginal = 0
      try {
        value = decoder.decode(withPlaceholders(bytes, shape.placeholders))
      } finally {
        originals = []
      }
    } else value = decoder.decode(bytes)
    return shape.wideIntegers ? narrowIntegers(value) : value
  } catch (cause) {
    throw new DccError('ERR_CBOR', `cbor: ${what} could not be decoded (${plainWords(cause)})`, {
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

/** cbor-x's reason in this tool's words where it speaks of JavaScript (a length or tag number past 2^32 − 1) */
function plainWords(cause: unknown): string {
  const message = cause instanceof Error ? cause.message : String(cause)
  if (/JavaScript does not support/i.test(message))
    return 'a length or number beyond 4294967295, larger than any certificate holds'
  return message
}
