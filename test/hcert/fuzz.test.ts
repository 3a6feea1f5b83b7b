/**
 * Seeded mutation fuzzing of the read path. First, bit flips, truncations and insertions at every layer
 * (HC1 text, base45-decoded bytes, zlib stream, COSE/CBOR). Every input must give a result or a
 * coded DccError: never another exception, a hang, or unbounded memory.
 */
import { Chalk } from 'chalk'
import { describe, expect, it } from 'vitest'
import { renderCertificate } from '../../src/cli/render/certificate-text.js'
import { renderVerifyResult } from '../../src/cli/render/verify-text.js'
import { parseSign1Fast } from '../../src/cose/fast-sign1.js'
import { parseSign1General } from '../../src/cose/sign1.js'
import { parseClaimsGeneral } from '../../src/cwt/claims.js'
import { parseClaimsFast } from '../../src/cwt/fast-claims.js'
import { decodeCertificate } from '../../src/services/decode.js'
import { verifyText } from '../../src/services/verify.js'
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
import {
  claimsNode,
  hc1Of,
  int,
  map,
  protectedFor,
  signEnvelope,
  tag,
  text,
  write,
  type Node,
} from '../helpers/cbor-writer.js'
import { seeded } from '../helpers/random.js'

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

/**
 * Structure-aware fuzzing: the payload and the headers are changed as CBOR items (types, integer
 * widths, duplicate keys, tags, huge values, NaN and Infinity, negative numbers, bigints, deep
 * nesting), then SIGNED AGAIN with the test key, so that the signature check passes and every later
 * check (expiration, key usage, schema, value sets) and every renderer meets the changed values.
 */
describe('fuzzing re-signed CBOR mutations', () => {
  const signer = exampleSigner('ES256')
  const trust = new TrustList([signer.certificate])
  const plain = new Chalk({ level: 0 })
  const dccs = [VACCINATION, TEST, RECOVERY]

  const NASTY_KEYS = ['toString', 'valueOf', '__proto__', 'constructor', 'hasOwnProperty', 'v', 'dn', 'nam']
  const TAGS = [0, 1, 2, 3, 4, 6, 18, 24, 27, 28, 29, 32, 51, 61, 64, 105, 258, 259, 55799, 0x10000]

  function nasty(next: (n: number) => number, depth = 0): Node {
    switch (next(24)) {
      case 0:
        return int(2n ** 53n + BigInt(next(1000)), 8)
      case 1:
        return int(2n ** 64n - 1n - BigInt(next(3)), 8)
      case 2:
        return int(-(2n ** 64n) + BigInt(next(3)), 8)
      case 3:
        return { k: 'float', v: [1e300, -1e300, Number.MAX_VALUE, 5e-324][next(4)] as number, size: 8 }
      case 4:
        return {
          k: 'float',
          v: [NaN, Infinity, -Infinity][next(3)] as number,
          size: ([2, 4, 8] as const)[next(3)],
        }
      case 5:
        return { k: 'float', v: [-0, 0.5, 1.5, -1622592000.5][next(4)] as number, size: 8 }
      case 6:
        return int(-next(2 ** 31), ([undefined, 4, 8] as const)[next(3)])
      case 7:
        return int([1622592000000, 1622592000000000, 1622592000000000000][next(3)] as number, 8)
      case 8:
        return text(
          ['', 'x', '1654128000', '2021-06-01', 'ES256', '\u0000', 'a'.repeat(300)][next(7)] as string,
        )
      case 9:
        return { k: 'bytes', v: Uint8Array.from({ length: next(12) }, () => next(256)) }
      case 10:
        return { k: 'simple', v: ([20, 21, 22, 23] as const)[next(4)] as 20 | 21 | 22 | 23 }
      case 11: {
        let node: Node = int(next(30))
        const levels = 1 + next(40)
        for (let i = 0; i < levels; i++)
          node = next(2) ? { k: 'array', items: [node] } : map([text('a'), node])
        return node
      }
      case 12:
        return tag(TAGS[next(TAGS.length)] as number, depth < 3 ? nasty(next, depth + 1) : int(1))
      case 13:
        return map(
          ...Array.from({ length: next(4) }, (_, i): [Node, Node] => [
            text(NASTY_KEYS[(i + next(8)) % 8] as string),
            depth < 3 ? nasty(next, depth + 1) : int(i),
          ]),
        )
      case 14:
        return {
          k: 'array',
          items: Array.from({ length: next(4) }, () => (depth < 3 ? nasty(next, depth + 1) : int(0))),
        }
      case 15:
        return map([int(1), int(1)], [int(1, 8), int(2)])
      default:
        return int(next(2 ** 32), ([0, 1, 2, 4, 8] as const)[next(5)])
    }
  }

  /** every node of a tree, with a way to replace it */
  function slots(root: Node): Array<{ node: Node; set: (n: Node) => void }> {
    const out: Array<{ node: Node; set: (n: Node) => void }> = []
    const walk = (node: Node, set: (n: Node) => void): void => {
      out.push({ node, set })
      if (node.k === 'array') node.items.forEach((item, i) => walk(item, (n) => (node.items[i] = n)))
      else if (node.k === 'map')
        node.entries.forEach((entry) => {
          walk(entry[0], (n) => (entry[0] = n))
          walk(entry[1], (n) => (entry[1] = n))
        })
      else if (node.k === 'tag') walk(node.item, (n) => (node.item = n))
    }
    walk(root, () => {})
    return out
  }

  function mutateTree(root: Node, next: (n: number) => number): void {
    const all = slots(root)
    const pick = all[next(all.length)] as { node: Node; set: (n: Node) => void }
    const maps = all.filter((s) => s.node.k === 'map').map((s) => s.node as Extract<Node, { k: 'map' }>)
    const ints = all.filter((s) => s.node.k === 'int').map((s) => s.node as Extract<Node, { k: 'int' }>)
    switch (next(7)) {
      case 0:
      case 1:
        pick.set(nasty(next))
        break
      case 2: {
        const target = maps[next(maps.length)]
        const entry = target?.entries[next(target.entries.length)]
        if (target && entry)
          target.entries.splice(next(target.entries.length + 1), 0, [
            structuredClone(entry[0]),
            next(2) ? nasty(next) : structuredClone(entry[1]),
          ])
        break
      }
      case 3:
        for (const node of ints) if (next(2)) node.width = ([0, 1, 2, 4, 8] as const)[next(5)]
        break
      case 4:
        pick.set(tag(TAGS[next(TAGS.length)] as number, pick.node))
        break
      case 5: {
        const target = maps[next(maps.length)]
        if (target && target.entries.length > 0) target.entries.splice(next(target.entries.length), 1)
        break
      }
      default: {
        const target = maps[next(maps.length)]
        target?.entries.push([text(NASTY_KEYS[next(NASTY_KEYS.length)] as string), nasty(next)])
      }
    }
  }

  function headers(next: (n: number) => number): { protectedHeader: Node; unprotectedHeader: Node } {
    const protectedHeader = protectedFor(signer) as Extract<Node, { k: 'map' }>
    const unprotectedHeader = map() as Extract<Node, { k: 'map' }>
    if (next(4) !== 0) return { protectedHeader, unprotectedHeader }
    switch (next(6)) {
      case 0: // alg moved or copied to the unprotected header
        unprotectedHeader.entries.push(protectedHeader.entries[0] as [Node, Node])
        if (next(2)) protectedHeader.entries.shift()
        break
      case 1: // kid moved to the unprotected header
        unprotectedHeader.entries.push(protectedHeader.entries.pop() as [Node, Node])
        break
      case 2: // a duplicate label
        ;(next(2) ? protectedHeader : unprotectedHeader).entries.push([int(next(2) ? 1 : 4, 8), nasty(next)])
        break
      default:
        mutateTree(next(2) ? protectedHeader : unprotectedHeader, next)
    }
    if (next(4) === 0) mutateTree(protectedHeader, next)
    return { protectedHeader, unprotectedHeader }
  }

  const ENVELOPES = [[18], [18], [18], [61, 18], [18, 61], [], [18, 18], [61], [61, 61, 18]]

  it('10,000 re-signed mutations: every one a result or a coded error; no ERR_INTERNAL, no other exception', () => {
    const next = seeded(20261130)
    const counts = { decoded: 0, valid: 0, signature: 0, expirationFailed: 0, schemaFailed: 0, fastAgreed: 0 }
    const failures: string[] = []
    for (let i = 0; i < 10_000 && failures.length < 5; i++) {
      const claims = claimsNode(dccs[i % 3], IAT, EXP)
      const rounds = 1 + next(3)
      for (let r = 0; r < rounds; r++) mutateTree(claims, next)
      const payload = write(claims)
      const cose = signEnvelope(
        { ...headers(next), payload, tags: ENVELOPES[next(ENVELOPES.length)] },
        signer,
      )
      const hc1 = hc1Of(cose)
      try {
        // every path agrees: the fast readers answer only as the general ones do
        const fastClaims = parseClaimsFast(payload)
        if (fastClaims !== undefined) {
          expect(fastClaims, `mutation ${i}`).toEqual(parseClaimsGeneral(payload))
          counts.fastAgreed++
        }
        const fastSign1 = parseSign1Fast(cose)
        if (fastSign1 !== undefined)
          expect(fastSign1.alg, `mutation ${i}`).toEqual(parseSign1General(cose).alg)
        try {
          const decoded = decodeCertificate({ text: hc1, source: 'fuzz', warnings: [] })
          renderCertificate(decoded, DURING, plain)
          JSON.stringify(decoded)
          counts.decoded++
        } catch (err) {
          if (!(err instanceof DccError) || err.code === 'ERR_INTERNAL') throw err
        }
        const result = verifyText(hc1, 'fuzz', { trust, now: DURING })
        renderVerifyResult(result, DURING, plain, false)
        JSON.stringify(result)
        const internal = result.errors.find((e) => e.code === 'ERR_INTERNAL')
        if (internal) throw new Error(internal.message)
        if (result.valid) counts.valid++
        if (result.checks.signature === 'pass') counts.signature++
        if (result.checks.expiration === 'fail') counts.expirationFailed++
        if (result.checks.schema === 'fail') counts.schemaFailed++
      } catch (err) {
        failures.push(`mutation ${i}: ${(err as Error)?.stack ?? String(err)}\n${toDiagnostic(claims)}`)
      }
    }
    expect(failures).toEqual([])
    if (process.env.FUZZ_COUNTS) console.log(counts)
    // the mutations reach every check after the signature, and the fast paths take part
    expect(counts.signature).toBeGreaterThan(3_000)
    expect(counts.expirationFailed).toBeGreaterThan(300)
    expect(counts.schemaFailed).toBeGreaterThan(1_000)
    expect(counts.valid).toBeGreaterThan(300)
    expect(counts.fastAgreed).toBeGreaterThan(1_000)
  })
})

/** A tree for a failure message */
function toDiagnostic(node: Node): string {
  return JSON.stringify(node, (_, v: unknown) =>
    typeof v === 'bigint' ? `${v}n` : v instanceof Uint8Array ? `h'${Buffer.from(v).toString('hex')}'` : v,
  ).slice(0, 2000)
}
