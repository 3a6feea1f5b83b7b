import { deflateSync } from 'node:zlib'
import { describe, expect, it } from 'vitest'
import { encodeBase45 } from '../../src/codec/base45.js'
import { deflate, inflate, MAX_INFLATED_BYTES } from '../../src/codec/zlib.js'
import { decodeHc1 } from '../../src/hcert/decode-hc1.js'

describe('zlib', () => {
  it('round-trips and writes the level-9 header 78 DA', () => {
    const data = new TextEncoder().encode('certificate '.repeat(20))
    const compressed = deflate(data)
    expect([compressed[0], compressed[1]]).toEqual([0x78, 0xda])
    expect(inflate(compressed)).toEqual(Buffer.from(data))
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
