import { describe, expect, it } from 'vitest'
import { encodeCbor, Tag } from '../../src/codec/cbor.js'
import { parseSign1Fast } from '../../src/cose/fast-sign1.js'
import { encodeProtectedHeader, parseSign1, parseSign1General, type Sign1 } from '../../src/cose/sign1.js'
import { mutate, seeded } from '../helpers/random.js'
import { vectorCoses } from '../helpers/vectors.js'

/** An answer: the Sign1, or the error code */
function outcome(parse: (bytes: Uint8Array) => Sign1, bytes: Uint8Array): Sign1 | string {
  try {
    return parse(bytes)
  } catch (err) {
    return (err as { code: string }).code
  }
}
const general = (bytes: Uint8Array): Sign1 | string => outcome(parseSign1General, bytes)

/** Bytes as hex and Maps as entry lists, so that views of different buffers with the same bytes compare equal */
function plain(value: unknown): unknown {
  if (value instanceof Uint8Array) return `bytes:${Buffer.from(value).toString('hex')}`
  if (value instanceof Map) return [...value].map(([k, v]) => [k, plain(v)])
  if (Array.isArray(value)) return value.map(plain)
  if (value !== null && typeof value === 'object')
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, plain(v)]))
  return value
}
const same = (fast: Sign1 | undefined, bytes: Uint8Array, label?: string): void => {
  expect(plain(fast), label).toEqual(plain(general(bytes)))
}

const kid = Uint8Array.of(1, 2, 3, 4, 5, 6, 7, 8)
const payload = Uint8Array.of(0xa0)
const signature = new Uint8Array(64).fill(9)
const cose = (items: unknown[], ...tags: number[]): Uint8Array =>
  encodeCbor(tags.reduceRight<unknown>((inner, tag) => new Tag(inner, tag), items))

describe('COSE_Sign1: the fast path agrees with the general one', () => {
  it('on every public test vector, and handles nearly all of them', () => {
    const all = vectorCoses()
    let handled = 0
    for (const { name, cose } of all) {
      const fast = parseSign1Fast(cose)
      if (fast === undefined) continue
      handled++
      same(fast, cose, name)
    }
    expect(all.length).toBeGreaterThan(350)
    expect(handled / all.length).toBeGreaterThan(0.9)
  })

  it('on 20,000 seeded mutations: never an answer the general path would not give', () => {
    const all = vectorCoses()
    const next = seeded(7654321)
    let answered = 0
    for (let i = 0; i < 20_000; i++) {
      const bytes = all[next(all.length)]!.cose
      // the envelope, where this path reads: the first 40 bytes and the last 80
      const at = next(2) === 0 ? next(Math.min(40, bytes.length)) : Math.max(0, bytes.length - 1 - next(80))
      const mutated = mutate(bytes, at, next)
      const fast = parseSign1Fast(mutated)
      if (fast === undefined) continue
      answered++
      same(fast, mutated, `mutation ${i}`)
    }
    expect(answered).toBeGreaterThan(1000)
  })

  it.each([
    ['tags 61 and 18', [61, 18]],
    ['tag 18', [18]],
    ['untagged', []],
  ])('reads %s, with the kid in either header', (_, tags) => {
    for (const [protectedBytes, unprotected] of [
      [encodeProtectedHeader(-7, kid), new Map()],
      [encodeProtectedHeader(-37, undefined), new Map([[4, kid]])],
      [
        new Uint8Array(0),
        new Map<number, unknown>([
          [1, -7],
          [4, kid],
        ]),
      ],
    ] as const) {
      const bytes = cose([protectedBytes, unprotected, payload, signature], ...tags)
      const fast = parseSign1Fast(bytes)
      expect(fast).toBeDefined()
      same(fast, bytes)
    }
  })

  it.each([
    ['three tags', cose([encodeProtectedHeader(-7, kid), new Map(), payload, signature], 61, 18, 18)],
    ['COSE_Sign (tag 98)', cose([encodeProtectedHeader(-7, kid), new Map(), payload, signature], 98)],
    ['a detached payload', cose([encodeProtectedHeader(-7, kid), new Map(), null, signature], 18)],
    [
      'another header label',
      cose([encodeProtectedHeader(-7, kid), new Map([[33, 'x']]), payload, signature], 18),
    ],
    ['three items', cose([encodeProtectedHeader(-7, kid), new Map(), payload], 18)],
    [
      'a trailing byte',
      Buffer.concat([
        cose([encodeProtectedHeader(-7, kid), new Map(), payload, signature], 18),
        Buffer.of(0),
      ]),
    ],
  ])('leaves %s to the general path', (_, bytes) => {
    expect(parseSign1Fast(bytes)).toBeUndefined()
    expect(plain(outcome(parseSign1, bytes))).toEqual(plain(general(bytes)))
  })
})
