import { describe, expect, it } from 'vitest'
import { encodeCbor, Tag } from '../../src/codec/cbor.js'
import { parseSign1 } from '../../src/cose/sign1.js'
import { parseClaims, parseClaimsGeneral, type CwtClaims } from '../../src/cwt/claims.js'
import { parseClaimsFast } from '../../src/cwt/fast-claims.js'
import { VACCINATION } from '../helpers/payloads.js'
import { mutate, seeded } from '../helpers/random.js'
import { vectorCoses } from '../helpers/vectors.js'

/** An answer: the claims, or the error code */
function outcome(parse: (payload: Uint8Array) => CwtClaims, payload: Uint8Array): CwtClaims | string {
  try {
    return parse(payload)
  } catch (err) {
    return (err as { code: string }).code
  }
}
const general = (payload: Uint8Array): CwtClaims | string => outcome(parseClaimsGeneral, payload)

/** Whenever the fast path answers, the general path gives the same claims */
function expectSameAnswer(payload: Uint8Array, label: string): boolean {
  const fast = parseClaimsFast(payload)
  if (fast === undefined) return false
  expect(fast, label).toEqual(general(payload))
  // key order too: it is what --json prints
  expect(JSON.stringify(fast), label).toBe(JSON.stringify(general(payload)))
  return true
}

function payloads(): Array<{ name: string; payload: Uint8Array }> {
  const out: Array<{ name: string; payload: Uint8Array }> = []
  for (const { name, cose } of vectorCoses()) {
    try {
      out.push({ name, payload: parseSign1(cose).payload })
    } catch {
      // a vector whose COSE layer is broken has no payload to compare
    }
  }
  return out
}

const claims = (entries: Array<[number | string, unknown]>): Uint8Array => encodeCbor(new Map(entries))
const hcert = (dcc: unknown): Map<number, unknown> => new Map([[1, dcc]])
const toMap = (value: unknown): unknown =>
  Array.isArray(value)
    ? value.map(toMap)
    : value !== null && typeof value === 'object'
      ? new Map(Object.entries(value).map(([k, v]) => [k, toMap(v)]))
      : value

describe('CWT claims: the fast path agrees with the general one', () => {
  it('on every public test vector, and handles nearly all of them', () => {
    const all = payloads()
    const handled = all.filter(({ name, payload }) => expectSameAnswer(payload, name)).length
    expect(all.length).toBeGreaterThan(350)
    expect(handled / all.length).toBeGreaterThan(0.9)
  })

  it('on 20,000 seeded mutations of real payloads: never an answer the general path would not give', () => {
    const all = payloads()
    const next = seeded(1234567)
    let answered = 0
    for (let i = 0; i < 20_000; i++) {
      const bytes = all[next(all.length)]!.payload
      const mutated = mutate(bytes, next(bytes.length), next)
      const fast = parseClaimsFast(mutated)
      const slow = general(mutated)
      if (fast === undefined) continue
      answered++
      expect(fast, `mutation ${i}`).toEqual(slow)
    }
    expect(answered).toBeGreaterThan(1000)
  })

  it('reads claims it does not use (a cti byte string); tag 1 on iat and exp goes to the general path, which warns', () => {
    const payload = claims([
      [7, Uint8Array.of(1, 2, 3)],
      [1, 'VN'],
      [6, 1622592000],
      [4, 1654128000],
      [-260, hcert(toMap(VACCINATION))],
    ])
    expect(expectSameAnswer(payload, 'cti')).toBe(true)
    const tagged = claims([
      [1, 'VN'],
      [6, new Tag(1622592000, 1)],
      [4, new Tag(1654128000.5, 1)],
      [-260, hcert(toMap(VACCINATION))],
    ])
    expect(parseClaimsFast(tagged)).toBeUndefined()
    const read = parseClaims(tagged)
    expect(read).toMatchObject({ iss: 'VN', iat: 1622592000, exp: 1654128000.5 })
    expect(read.warnings).toEqual([
      'the iat claim (6) is under tag 1; a CWT NumericDate has none (RFC 8392 §2)',
      'the exp claim (4) is under tag 1; a CWT NumericDate has none (RFC 8392 §2)',
      'the exp claim (4) is 1654128000.5, not an integer (HCERT §3.3.1 writes whole seconds)',
    ])
  })

  it('leaves to the general path, with its words, what certificates do not contain', () => {
    const cases: Array<[string, Uint8Array, string | object]> = [
      ['a byte string in the DCC', claims([[-260, hcert(new Map([['x', Uint8Array.of(1)]]))]]), 'ERR_CWT'],
      ['a non-text key in the DCC', claims([[-260, hcert(new Map([[5, 'x']]))]]), 'ERR_CWT'],
      [
        'tag 1 inside tag 1 on iat',
        claims([
          [6, new Tag(new Tag(1, 1), 1)],
          [-260, hcert(new Map())],
        ]),
        {
          hcert: {},
          unusable: { iat: 'the iat claim (6) is under tag 1, not a NumericDate' },
          warnings: ['the iat claim (6) is under tag 1; a CWT NumericDate has none (RFC 8392 §2)'],
        },
      ],
      ['a 64-bit integer', Buffer.from('a1391903a101a1617a1b0000000100000000', 'hex'), 'ERR_CWT'],
      ['no hcert claim', claims([[1, 'VN']]), 'ERR_CWT'],
      [
        'an unknown tag',
        claims([[-260, hcert(new Map([['x', new Tag('y', 32)]]))]]),
        {
          hcert: { x: 'y' },
          warnings: ['the DCC holds tag 32 at eu_dcc_v1.<key 1> (HCERT puts tag 0 on date-time text only)'],
        },
      ],
    ]
    for (const [label, payload, expected] of cases) {
      expect(parseClaimsFast(payload), label).toBeUndefined()
      expect(outcome(parseClaims, payload), label).toEqual(expected)
    }
  })

  it('keeps a leading byte order mark and refuses invalid UTF-8 to the general path', () => {
    const bom = claims([[-260, hcert(new Map([['fn', '\uFEFFNguyễn']]))]])
    expect(expectSameAnswer(bom, 'bom')).toBe(true)
    expect(parseClaimsFast(bom)?.hcert.fn).toBe('\uFEFFNguyễn')
    const invalid = Buffer.from(claims([[-260, hcert(new Map([['fn', 'ab']]))]]))
    invalid[invalid.length - 1] = 0xff
    expect(parseClaimsFast(invalid)).toBeUndefined()
  })
})
