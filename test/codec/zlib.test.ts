import { constants, deflateSync, inflateSync } from 'node:zlib'
import { describe, expect, it } from 'vitest'
import { decodeBase45, encodeBase45 } from '../../src/codec/base45.js'
import { adler32 } from '../../src/codec/adler32.js'
import { deflate, inflate, MAX_INFLATED_BYTES } from '../../src/codec/zlib.js'
import { decodeHc1 } from '../../src/hcert/decode-hc1.js'
import { signHc1 } from '../../src/hcert/sign-hc1.js'
import { exampleSigner } from '../helpers/keys.js'
import { RECOVERY, TEST, VACCINATION } from '../helpers/payloads.js'
import { seeded } from '../helpers/random.js'
import { loadVectors } from '../helpers/vectors.js'

/** A seeded generator of numbers in [0, 1) */
function random(seed: number): () => number {
  const next = seeded(seed)
  return () => next(2 ** 32) / 2 ** 32
}

/** Bytes from an alphabet of `symbols` values, with repeats now and then, as real data has */
function sample(next: () => number, length: number): Buffer {
  const symbols = 1 + Math.floor(next() * 256)
  const out = Buffer.alloc(length)
  for (let i = 0; i < length; i++) {
    if (i > 8 && next() < 0.2) {
      const from = Math.floor(next() * i)
      const run = Math.min(length - i, 3 + Math.floor(next() * 40))
      for (let k = 0; k < run; k++) out[i + k] = out[from + k] as number
      i += run - 1
    } else out[i] = Math.floor(next() * symbols)
  }
  return out
}

const zlibOutcome = (data: Uint8Array): Buffer | 'error' => {
  try {
    return inflateSync(data)
  } catch {
    return 'error'
  }
}
const ourOutcome = (data: Uint8Array): Buffer | 'error' => {
  try {
    return inflate(data)
  } catch (err) {
    expect((err as { code?: string }).code).toBe('ERR_INFLATE')
    return 'error'
  }
}

describe('zlib: our DEFLATE coder against node:zlib', () => {
  it('inflates every public test vector exactly as node:zlib does', () => {
    let compared = 0
    for (const { name, vector } of loadVectors()) {
      if (!vector.PREFIX?.startsWith('HC1:')) continue
      let compressed: Uint8Array
      try {
        compressed = decodeBase45(vector.PREFIX.slice(4))
      } catch {
        continue
      }
      expect(ourOutcome(compressed), name).toEqual(zlibOutcome(compressed))
      compared++
    }
    expect(compared).toBeGreaterThan(350)
  })

  it('inflates what node:zlib writes at every level and strategy, and agrees on 2,000 corrupted streams', () => {
    const next = random(20211221)
    const strategies = [
      constants.Z_DEFAULT_STRATEGY,
      constants.Z_FIXED,
      constants.Z_HUFFMAN_ONLY,
      constants.Z_RLE,
    ]
    for (let i = 0; i < 2000; i++) {
      const data = sample(next, Math.floor(next() * 1500))
      const compressed = deflateSync(data, { level: i % 10, strategy: strategies[i % 4] })
      expect(inflate(compressed)).toEqual(data)
      const corrupt = Buffer.from(compressed)
      for (let k = 0; k < 1 + Math.floor(next() * 3); k++) {
        const at = Math.floor(next() * corrupt.length)
        corrupt[at] = (corrupt[at] as number) ^ (1 << Math.floor(next() * 8))
      }
      expect(ourOutcome(corrupt), `stream ${i}`).toEqual(zlibOutcome(corrupt))
    }
  })

  it('inflates streams of many blocks (stored, fixed and dynamic in one stream), up to the cap given', () => {
    const next = random(99)
    for (const level of [0, 1, 6, 9]) {
      for (const strategy of [constants.Z_DEFAULT_STRATEGY, constants.Z_FIXED]) {
        // runs of noise and of repeats, so that zlib switches block types along the way
        const parts: Buffer[] = []
        for (let k = 0; k < 12; k++) {
          parts.push(
            k % 2 === 0
              ? Buffer.from(Array.from({ length: 9000 }, () => Math.floor(next() * 256)))
              : sample(next, 9000),
          )
        }
        const data = Buffer.concat(parts)
        const compressed = deflateSync(data, { level, strategy, chunkSize: 1024 })
        expect(inflate(compressed, 200_000), `level ${level}`).toEqual(data)
        expect(() => inflate(compressed, 100_000)).toThrow(/more than 100000 bytes/)
      }
    }
  })

  it('writes streams node:zlib reads back, from empty to beyond one stored block (65,535 bytes)', () => {
    const next = random(42)
    const lengths = [0, 1, 2, 3, 257, 258, 259, 4096, 40_000, 70_000, 140_000]
    for (let i = 0; i < 500; i++) lengths.push(Math.floor(next() * 2000))
    for (const length of lengths) {
      const data = sample(next, length)
      expect(inflateSync(deflate(data)), `${length} bytes`).toEqual(data)
    }
    const noise = Buffer.from(Array.from({ length: 70_000 }, () => Math.floor(next() * 256)))
    const stored = deflate(noise)
    expect(inflateSync(stored)).toEqual(noise)
    expect(stored.length).toBeLessThanOrEqual(noise.length + 2 + 4 + 2 * 5)
  })

  it('compresses as well as zlib at level 9: in total no larger, each within 2%, over the vectors and what hcert issues', () => {
    const inputs: Uint8Array[] = []
    for (const { vector } of loadVectors()) {
      try {
        if (vector.PREFIX?.startsWith('HC1:')) inputs.push(inflateSync(decodeBase45(vector.PREFIX.slice(4))))
      } catch {
        // a vector of a broken certificate: nothing to compress
      }
    }
    for (const payload of [VACCINATION, TEST, RECOVERY]) {
      for (const alg of ['ES256', 'PS256'] as const) {
        for (let i = 0; i < 5; i++) {
          const claims = { iss: 'VN', iat: 1640000000 + i, exp: 1671536000 }
          inputs.push(signHc1(payload, claims, exampleSigner(alg)).cose)
        }
      }
    }
    let ours = 0
    let theirs = 0
    for (const input of inputs) {
      const a = deflate(input).length
      const b = deflateSync(input, { level: 9 }).length
      expect(a).toBeLessThanOrEqual(Math.ceil(b * 1.02))
      ours += a
      theirs += b
    }
    expect(inputs.length).toBeGreaterThan(380)
    expect(ours).toBeLessThanOrEqual(theirs)
  })

  it('computes Adler-32 as zlib does, across the 5,552-byte reduction', () => {
    const next = random(7)
    for (const length of [0, 1, 5551, 5552, 5553, 100_000]) {
      const data = length === 100_000 ? Buffer.alloc(length, 0xff) : sample(next, length)
      const trailer = deflateSync(data).subarray(-4).readUInt32BE(0)
      expect(adler32(data)).toBe(trailer)
    }
  })
})

describe('zlib', () => {
  it('round-trips and writes the level-9 header 78 DA', () => {
    const data = new TextEncoder().encode('certificate '.repeat(20))
    const compressed = deflate(data)
    expect([compressed[0], compressed[1]]).toEqual([0x78, 0xda])
    expect(inflate(compressed)).toEqual(Buffer.from(data))
  })

  it('refuses a stream that needs a preset dictionary (78 BB: FDICT set), which HCERT never uses', () => {
    expect(() => inflate(Uint8Array.of(0x78, 0xbb, 0, 0, 0, 0, 0x03, 0x00))).toThrow(
      expect.objectContaining({ code: 'ERR_INFLATE', message: expect.stringMatching(/preset dictionary/) }),
    )
  })

  it('refuses data that is not zlib, naming its first bytes', () => {
    expect(() => inflate(Uint8Array.of(0xd2, 0x84, 0x43))).toThrow(
      'zlib: the data is not zlib-compressed (it starts with d2 84',
    )
  })

  it('refuses truncated and corrupt streams', () => {
    const compressed = deflate(new Uint8Array(1000).fill(7))
    expect(() => inflate(compressed.subarray(0, compressed.length - 6))).toThrow(/truncated|corrupt/)
    const corrupt = Uint8Array.from(compressed)
    corrupt[compressed.length - 1] = (corrupt[compressed.length - 1] as number) ^ 0xff
    expect(() => inflate(corrupt)).toThrow(/corrupt/)
    expect(() => inflate(new Uint8Array(0))).toThrow(/no data/)
  })

  it('stops a 100 MB bomb (~100 KB) at the cap without allocating it', () => {
    const bomb = deflateSync(Buffer.alloc(100 * 1024 * 1024), { level: 9 })
    expect(bomb.length).toBeLessThan(150_000)
    const before = process.memoryUsage().rss
    const started = performance.now()
    expect(() => inflate(bomb)).toThrow(`more than ${MAX_INFLATED_BYTES} bytes`)
    expect(performance.now() - started).toBeLessThan(2_000)
    expect(process.memoryUsage().rss - before).toBeLessThan(50 * 1024 * 1024)
  })

  it('stops the largest bomb that fits in one QR code (~2.5 MB from ~4,300 characters) through the decode path', () => {
    const bomb = deflateSync(Buffer.alloc(2_500_000), { level: 9 })
    const text = `HC1:${encodeBase45(bomb)}`
    expect(text.length).toBeLessThanOrEqual(4296)
    expect(() => decodeHc1(text)).toThrow(expect.objectContaining({ code: 'ERR_INFLATE' }))
  })
})
