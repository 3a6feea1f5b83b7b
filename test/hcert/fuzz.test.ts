/**
 * Seeded mutation fuzzing of the read path: bit flips, truncations and insertions at every layer
 * (HC1 text, base45-decoded bytes, zlib stream, COSE/CBOR). Every input must give a result or a
 * coded DccError: never another exception, a hang, or unbounded memory.
 */
import { describe, expect, it } from 'vitest'
import { decodeBase45, encodeBase45 } from '../../src/codec/base45.js'
import { deflate, inflate } from '../../src/codec/zlib.js'
import { DccError } from '../../src/errors.js'
import { decodeHc1 } from '../../src/hcert/decode-hc1.js'
import { signHc1 } from '../../src/hcert/sign-hc1.js'
import { verifyHc1 } from '../../src/hcert/verify-hc1.js'
import { TrustList } from '../../src/trust/trust-list.js'
import { exampleSigner } from '../helpers/keys.js'
import { DURING, EXP, IAT, RECOVERY, TEST, VACCINATION } from '../helpers/payloads.js'
import { vector } from '../helpers/vectors.js'

/** mulberry32: small, fast, and the same sequence for the same seed on every machine. */
function prng(seed: number): () => number {
  let a = seed >>> 0
  return () => {
    a = (a + 0x6d2b79f5) >>> 0
    let t = a
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

type Layer = 'text' | 'base45' | 'zlib' | 'cbor'
const B45 = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ $%*+-./:'

function mutateBytes(bytes: Uint8Array, random: () => number): Uint8Array {
  const at = Math.floor(random() * bytes.length)
  const kind = Math.floor(random() * 3)
  if (kind === 0) {
    const copy = Uint8Array.from(bytes)
    copy[at] = (copy[at] as number) ^ (1 << Math.floor(random() * 8))
    return copy
  }
  if (kind === 1) return bytes.slice(0, at)
  const insert = Uint8Array.from({ length: 1 + Math.floor(random() * 8) }, () => Math.floor(random() * 256))
  const out = new Uint8Array(bytes.length + insert.length)
  out.set(bytes.subarray(0, at))
  out.set(insert, at)
  out.set(bytes.subarray(at), at + insert.length)
  return out
}

function mutateText(text: string, random: () => number): string {
  const at = Math.floor(random() * text.length)
  const kind = Math.floor(random() * 3)
  if (kind === 0) {
    const code = text.charCodeAt(at) ^ (1 << Math.floor(random() * 7))
    return text.slice(0, at) + String.fromCharCode(code) + text.slice(at + 1)
  }
  if (kind === 1) return text.slice(0, at)
  return text.slice(0, at) + B45[Math.floor(random() * B45.length)] + text.slice(at)
}

function mutate(hc1: string, layer: Layer, random: () => number): string {
  if (layer === 'text') return mutateText(hc1, random)
  const compressed = decodeBase45(hc1.slice(4))
  if (layer === 'base45' || layer === 'zlib') return `HC1:${encodeBase45(mutateBytes(compressed, random))}`
  return `HC1:${encodeBase45(deflate(mutateBytes(inflate(compressed), random)))}`
}

describe('fuzzing decode and verify', () => {
  const signers = [exampleSigner('ES256'), exampleSigner('PS256')]
  const seeds = [
    ...[VACCINATION, TEST, RECOVERY].flatMap((dcc) =>
      signers.map((s) => signHc1(dcc, { iss: 'VN', iat: IAT, exp: EXP }, s).hc1),
    ),
    vector('AT/2DCode/raw/1.json').PREFIX as string,
    vector('common/2DCode/raw/CO28.json').PREFIX as string,
  ]
  const trust = new TrustList(signers.map((s) => s.certificate))

  it('10,000 seeded mutations: each one a result or a coded error, quickly, with bounded memory', () => {
    const random = prng(20211126)
    const layers: Layer[] = ['text', 'base45', 'zlib', 'cbor']
    const before = process.memoryUsage().rss
    const outcomes = { decoded: 0, rejected: 0, valid: 0 }
    let slowest = 0
    for (let i = 0; i < 10_000; i++) {
      const input = mutate(seeds[i % seeds.length] as string, layers[i % layers.length] as Layer, random)
      const started = performance.now()
      try {
        decodeHc1(input)
        outcomes.decoded++
      } catch (err) {
        if (!(err instanceof DccError))
          throw new Error(`mutation ${i} threw ${String(err)} for ${JSON.stringify(input.slice(0, 60))}`)
        outcomes.rejected++
      }
      const result = verifyHc1(input, { trust, now: DURING })
      if (result.valid) outcomes.valid++
      slowest = Math.max(slowest, performance.now() - started)
    }
    expect(outcomes.decoded + outcomes.rejected).toBe(10_000)
    // every layer is reached: some mutations decode (e.g. a flipped signature bit), most are rejected
    expect(outcomes.decoded).toBeGreaterThan(500)
    expect(outcomes.rejected).toBeGreaterThan(5_000)
    expect(slowest).toBeLessThan(1_000)
    expect(process.memoryUsage().rss - before).toBeLessThan(256 * 1024 * 1024)
  })
})
