import { randomBytes } from 'node:crypto'
import { describe, expect, it } from 'vitest'
import { checkCborWellFormed } from '../../src/codec/cbor-guard.js'
import { decodeCbor, encodeCbor } from '../../src/codec/cbor.js'

const hex = (h: string): Uint8Array => new Uint8Array(Buffer.from(h, 'hex'))
const check = (bytes: Uint8Array): void => {
  checkCborWellFormed(bytes, 'the item')
}

describe('CBOR guard', () => {
  it('accepts well-formed items, including indefinite lengths and tags', () => {
    for (const h of [
      '00',
      '830182020304',
      'a201020304',
      'bf6161f5ff',
      '5f42010243030405ff',
      'd28440a0f640',
      'd83dd28440a0f640',
      'f97e00',
    ]) {
      expect(() => check(hex(h)), h).not.toThrow()
    }
  })

  it('refuses an array declaring 2^32 items before allocating anything', () => {
    const started = performance.now()
    expect(() => check(hex('9b0000000100000000' + '00'))).toThrow(
      'declares an array of 4294967296 items at byte 0 but only 1 bytes follow',
    )
    expect(performance.now() - started).toBeLessThan(50)
  })

  it('refuses a map or a string longer than the bytes that follow', () => {
    expect(() => check(hex('bb00000000ffffffff'))).toThrow(/declares a map of 4294967295 entries/)
    expect(() => check(hex('5a7fffffff00'))).toThrow(/declares a 2147483647-byte string/)
  })

  it('refuses 10,000-deep nesting without recursion', () => {
    const deep = new Uint8Array(10_001).fill(0x81)
    deep[10_000] = 0
    expect(() => check(deep)).toThrow('nests deeper than 32 levels')
    const indefinite = new Uint8Array(10_000).fill(0x9f)
    expect(() => check(indefinite)).toThrow(/nests deeper/)
  })

  it('refuses trailing bytes, truncation, stray breaks and reserved values', () => {
    expect(() => check(hex('0000'))).toThrow(/1 unexpected bytes after the end/)
    expect(() => check(hex('8201'))).toThrow(/declares an array of 2 items at byte 0 but only 1 bytes follow/)
    expect(() => check(hex('1901'))).toThrow(/truncated at byte 1 of 2/)
    expect(() => check(hex('ff'))).toThrow(/unexpected break/)
    expect(() => check(hex('1c'))).toThrow(/reserved/)
    expect(() => check(hex('5f01ff'))).toThrow(/wrong type inside an indefinite-length string/)
    expect(() => check(new Uint8Array(0))).toThrow(/empty/)
  })

  it('gives a coded error, never an exception of another kind, for 1 MB of random bytes', () => {
    const bytes = new Uint8Array(randomBytes(1024 * 1024))
    try {
      decodeCbor(bytes, 'random bytes')
    } catch (err) {
      expect((err as { code?: string }).code).toBe('ERR_CBOR')
    }
  })
})

describe('CBOR codec for COSE', () => {
  it('keeps integer map keys as integers and writes no tag 259 or 64', () => {
    const encoded = encodeCbor(
      new Map<number, unknown>([
        [1, -7],
        [4, Uint8Array.of(1, 2)],
      ]),
    )
    expect(Buffer.from(encoded).toString('hex')).toBe('a201260442' + '0102')
    const decoded = decodeCbor(encoded, 'x') as Map<number, unknown>
    expect([...decoded.keys()]).toEqual([1, 4])
  })

  it('returns bytes the caller owns', () => {
    const a = encodeCbor('first')
    const copy = Uint8Array.from(a)
    encodeCbor('second, which must not overwrite the first')
    expect(a).toEqual(copy)
  })
})
