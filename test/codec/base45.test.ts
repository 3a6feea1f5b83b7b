import { describe, expect, it } from 'vitest'
import { decodeBase45, encodeBase45 } from '../../src/codec/base45.js'
import { DccError } from '../../src/errors.js'

const text = (s: string): Uint8Array => new TextEncoder().encode(s)

describe('base45 (RFC 9285)', () => {
  it.each([
    ['AB', 'BB8'],
    ['Hello!!', '%69 VD92EX0'],
    ['base-45', 'UJCLQE7W581'],
    ['ietf!', 'QED8WEX0'],
    ['', ''],
  ])('encodes and decodes the RFC example %j', (plain, encoded) => {
    expect(encodeBase45(text(plain))).toBe(encoded)
    expect(Buffer.from(decodeBase45(encoded)).toString()).toBe(plain)
  })

  it('round-trips every byte value', () => {
    const all = Uint8Array.from({ length: 256 }, (_, i) => i)
    expect(decodeBase45(encodeBase45(all))).toEqual(Buffer.from(all))
  })

  it('encodes a subarray from its own offset, not from the start of the buffer', () => {
    const whole = text('xxAByy')
    expect(encodeBase45(whole.subarray(2, 4))).toBe('BB8')
  })

  const failure = (input: string, start?: number): DccError => {
    try {
      decodeBase45(input, start)
    } catch (err) {
      return err as DccError
    }
    throw new Error('expected a failure')
  }

  it.each([...'!"#&\'(),;<=>?@[\\]^_`abcz{|}~'])(
    'refuses the character %j, naming it and its position',
    (char) => {
      const err = failure(`BB8${char}B`)
      expect(err.code).toBe('ERR_BASE45')
      expect(err.message).toContain('position 4')
    },
  )

  it('counts positions from the start of the user input', () => {
    expect(failure('HC1:BB8!A', 4).message).toBe("base45: character '!' at position 8 is not in the alphabet")
    expect(failure('HC1::::', 4).message).toBe('base45: the group at position 5 encodes 91124, above 65535')
    expect(failure('HC1:BB8::', 4).message).toBe(
      'base45: the final pair at position 8 encodes 2024, above 255',
    )
    expect(failure('HC1:BB8A', 4).message).toMatch(/^base45: 4 characters is not a valid length/)
  })

  it('decodes from a start index the same bytes as from the slice', () => {
    const encoded = encodeBase45(Uint8Array.from({ length: 257 }, (_, i) => (i * 37) & 0xff))
    expect(decodeBase45(`HC1:${encoded}`, 4)).toEqual(decodeBase45(encoded))
    expect(decodeBase45('HC1:', 4)).toEqual(Buffer.alloc(0))
  })

  it('names invisible characters by code point', () => {
    expect(failure('BB8\nBB8').message).toContain('U+000A at position 4')
  })

  it('refuses non-ASCII characters', () => {
    expect(failure('BB8é').code).toBe('ERR_BASE45')
  })

  it.each(['A', 'BB8A', 'BB8BB8B'])('refuses the length of %j (3n+1)', (input) => {
    expect(failure(input).message).toMatch(/not a valid length/)
  })

  it('refuses a triplet above 65535', () => {
    // ':::' = 44 + 44*45 + 44*2025 = 91124
    expect(failure(':::').message).toBe('base45: the group at position 1 encodes 91124, above 65535')
  })

  it('accepts the largest triplet, 65535', () => {
    expect(decodeBase45('FGW')).toEqual(Buffer.of(255, 255))
  })

  it('refuses a final pair above 255', () => {
    expect(failure('BB8::').message).toBe('base45: the final pair at position 4 encodes 2024, above 255')
  })

  it('rejects wrong argument types as a caller mistake', () => {
    expect(() => decodeBase45(42 as unknown as string)).toThrow(TypeError)
    expect(() => encodeBase45('AB' as unknown as Uint8Array)).toThrow(TypeError)
  })
})
