/**
 * The COSE_Sign1 of an ordinary certificate read straight from its bytes, without the CBOR
 * well-formedness pass and cbor-x (~1 µs of a verify). It takes the shapes issuers write: tags 61
 * and 18 (either, both or none), headers holding at most alg (a small integer) and kid (a byte
 * string), byte strings under 64 KiB. For anything else, and anything wrong, it returns undefined
 * and parseSign1 takes the general path, which words the errors. The two give the same Sign1 for
 * every input the fast one accepts (test/cose/fast-sign1.test.ts).
 */
import { attempt, fallback } from '../codec/fast-path.js'
import type { HeaderMap, Sign1 } from './sign1.js'

// The bytes being read and the position: module state rather than a cursor object per call (this
// runs once per certificate verified, and every object counts towards the next garbage collection).
let bytes: Uint8Array = new Uint8Array(0)
let pos = 0
let end = 0

function next(): number {
  if (pos >= end) fallback()
  return bytes[pos++] as number
}

/** a definite byte string of under 64 KiB, as a view of the input */
function byteString(): Uint8Array {
  const head = next()
  let length: number
  if (head >= 0x40 && head < 0x58) length = head - 0x40
  else if (head === 0x58) length = next()
  else if (head === 0x59) length = (next() << 8) | next()
  else return fallback()
  if (pos + length > end) fallback()
  const out = bytes.subarray(pos, pos + length)
  pos += length
  return out
}

/** a map of up to two entries: alg (1, an integer from -256 to 23) and kid (4, a byte string) */
function header(): HeaderMap {
  const head = next()
  if (head < 0xa0 || head > 0xa2) fallback()
  const map: HeaderMap = new Map()
  for (let i = 0; i < head - 0xa0; i++) {
    const key = next()
    if (map.has(key)) fallback() // a duplicate label: the general path refuses it
    if (key === 0x01) {
      const value = next()
      if (value < 0x18) map.set(1, value)
      else if (value >= 0x20 && value < 0x38) map.set(1, 0x1f - value)
      else if (value === 0x38) map.set(1, -1 - next())
      else fallback()
    } else if (key === 0x04) map.set(4, byteString())
    else fallback()
  }
  return map
}

export function parseSign1Fast(input: Uint8Array): Sign1 | undefined {
  bytes = input
  pos = 0
  end = input.length
  try {
    return attempt(read)
  } finally {
    bytes = EMPTY
  }
}

const EMPTY = new Uint8Array(0)

function read(): Sign1 {
  const tags: number[] = []
  for (;;) {
    if (bytes[pos] === 0xd2) {
      tags.push(18) // COSE_Sign1
      pos += 1
    } else if (bytes[pos] === 0xd8 && bytes[pos + 1] === 61) {
      tags.push(61) // CWT
      pos += 2
    } else break
    if (tags.length > 2) fallback()
  }
  if (next() !== 0x84) fallback() // an array of 4 items
  const protectedBytes = byteString()
  let protectedHeader: HeaderMap = new Map()
  if (protectedBytes.length > 0) {
    // the protected header is CBOR inside the byte string: read it there, then come back
    const outer = bytes
    const resume = pos
    const stop = end
    bytes = protectedBytes
    pos = 0
    end = protectedBytes.length
    protectedHeader = header()
    if (pos !== end) fallback()
    bytes = outer
    pos = resume
    end = stop
  }
  const unprotectedHeader = header()
  const payload = byteString()
  const signature = byteString()
  if (pos !== end) fallback()

  const protectedKid = protectedHeader.get(4) as Uint8Array | undefined
  const unprotectedKid = unprotectedHeader.get(4) as Uint8Array | undefined
  const protectedAlg = protectedHeader.get(1) as number | undefined
  const unprotectedAlg = unprotectedHeader.get(1) as number | undefined
  return {
    tags,
    protectedBytes,
    protectedHeader,
    unprotectedHeader,
    payload,
    signature,
    alg: protectedAlg ?? unprotectedAlg,
    algSource:
      protectedAlg !== undefined ? 'protected' : unprotectedAlg !== undefined ? 'unprotected' : undefined,
    kid: protectedKid ?? unprotectedKid,
    kidSource: protectedKid ? 'protected' : unprotectedKid ? 'unprotected' : undefined,
  }
}
