/**
 * The one CBOR configuration for COSE: maps stay Maps (integer keys stay integers), no records,
 * no tag 64 on byte strings, no tag 259 on maps. Decoding always runs the well-formedness guard first.
 */
import { Decoder, Encoder, Tag, addExtension } from 'cbor-x'
import { DccError } from '../errors.js'
import { checkCborWellFormed } from './cbor-guard.js'

export { Tag }

// cbor-x turns tags 0 and 1 into Date objects, losing what was encoded. Keep them as tags so a
// payload decodes and re-encodes exactly (the extension table of cbor-x is process-wide).
addExtension({ tag: 0, decode: (value: unknown) => new Tag(value, 0) } as never)
addExtension({ tag: 1, decode: (value: unknown) => new Tag(value, 1) } as never)

const decoder = new Decoder({ mapsAsObjects: false, useRecords: false })
const encoder = new Encoder({
  mapsAsObjects: false,
  useRecords: false,
  tagUint8Array: false,
  useTag259ForMaps: false,
  variableMapSize: true,
} as never)

export function decodeCbor(bytes: Uint8Array, what: string): unknown {
  if (!(bytes instanceof Uint8Array)) throw new TypeError('decodeCbor expects a Uint8Array')
  checkCborWellFormed(bytes, what)
  try {
    return decoder.decode(bytes)
  } catch (cause) {
    throw new DccError('ERR_CBOR', `cbor: ${what} could not be decoded (${(cause as Error).message})`, {
      cause,
    })
  }
}

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
