/**
 * The COSE_Sign1 of an ordinary certificate read straight from its bytes, without the CBOR
 * well-formedness pass and cbor-x (~1 µs of a verify). It takes the shapes issuers write: tags 61
 * and 18 (either, both or none), headers holding at most alg (a small integer) and kid (a byte
 * string), byte strings under 64 KiB. For anything else, and anything wrong, it returns undefined
 * and parseSign1 takes the general path, which words the errors. The two give the same Sign1 for
 * every input the fast one accepts (test/cose/fast-sign1.test.ts).
 */
import type { HeaderMap, Sign1 } from './sign1.js'

/** thrown inside this module only: the input needs the general path */
const FALLBACK = Symbol('fallback')

function fallback(): never {
  throw FALLBACK
}

class Cursor {
  constructor(
    readonly bytes: Uint8Array,
    public pos: number,
    readonly end: number,
  ) {}

  next(): number {
    if (this.pos >= this.end) fallback()
    return this.bytes[this.pos++] as number
  }

  /** a definite byte string of under 64 KiB, as a view of the input */
  byteString(): Uint8Array {
    const head = this.next()
    let length: number
    if (head >= 0x40 && head < 0x58) length = head - 0x40
    else if (head === 0x58) length = this.next()
    else if (head === 0x59) length = (this.next() << 8) | this.next()
    else return fallback()
    if (this.pos + length > this.end) fallback()
    const out = this.bytes.subarray(this.pos, this.pos + length)
    this.pos += length
    return out
  }

  /** a map of up to two entries: alg (1, an integer from -256 to 23) and kid (4, a byte string) */
  header(): HeaderMap {
    const head = this.next()
    if (head < 0xa0 || head > 0xa2) fallback()
    const map: HeaderMap = new Map()
    for (let i = 0; i < head - 0xa0; i++) {
      const key = this.next()
      if (key === 0x01) {
        const value = this.next()
        if (value < 0x18) map.set(1, value)
        else if (value >= 0x20 && value < 0x38) map.set(1, 0x1f - value)
        else if (value === 0x38) map.set(1, -1 - this.next())
        else fallback()
      } else if (key === 0x04) map.set(4, this.byteString())
      else fallback()
    }
    return map
  }
}

export function parseSign1Fast(bytes: Uint8Array): Sign1 | undefined {
  try {
    return read(new Cursor(bytes, 0, bytes.length))
  } catch (err) {
    if (err === FALLBACK) return undefined
    throw err
  }
}

function read(cursor: Cursor): Sign1 {
  const tags: number[] = []
  for (;;) {
    const at = cursor.pos
    if (cursor.bytes[at] === 0xd2) {
      tags.push(18) // COSE_Sign1
      cursor.pos += 1
    } else if (cursor.bytes[at] === 0xd8 && cursor.bytes[at + 1] === 61) {
      tags.push(61) // CWT
      cursor.pos += 2
    } else break
    if (tags.length > 2) fallback()
  }
  if (cursor.next() !== 0x84) fallback() // an array of 4 items
  const protectedBytes = cursor.byteString()
  let protectedHeader: HeaderMap = new Map()
  if (protectedBytes.length > 0) {
    const inner = new Cursor(protectedBytes, 0, protectedBytes.length)
    protectedHeader = inner.header()
    if (inner.pos !== inner.end) fallback()
  }
  const unprotectedHeader = cursor.header()
  const payload = cursor.byteString()
  const signature = cursor.byteString()
  if (cursor.pos !== cursor.end) fallback()

  const protectedKid = protectedHeader.get(4) as Uint8Array | undefined
  const unprotectedKid = unprotectedHeader.get(4) as Uint8Array | undefined
  return {
    tags,
    protectedBytes,
    protectedHeader,
    unprotectedHeader,
    payload,
    signature,
    alg: (protectedHeader.get(1) ?? unprotectedHeader.get(1)) as number | undefined,
    kid: protectedKid ?? unprotectedKid,
    kidSource: protectedKid ? 'protected' : unprotectedKid ? 'unprotected' : undefined,
  }
}
