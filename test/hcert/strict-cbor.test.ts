/**
 * Issue 12, points 3-5, each as a kind: strict where the spec is strict (duplicate map keys at any
 * level, alg protected, tags where the spec puts them, iat and exp required), lenient where CBOR is
 * (an integer in any width is its value), and a coded error for any claim value. Every certificate
 * here is signed again after it is written, so the check in question is reached.
 */
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { Readable } from 'node:stream'
import { describe, expect, it } from 'vitest'
import { encodeBase45 } from '../../src/codec/base45.js'
import { deflate } from '../../src/codec/zlib.js'
import { parseSign1Fast } from '../../src/cose/fast-sign1.js'
import { parseSign1General } from '../../src/cose/sign1.js'
import { parseClaimsGeneral } from '../../src/cwt/claims.js'
import { parseClaimsFast } from '../../src/cwt/fast-claims.js'
import { verifyHc1, type VerifyResult } from '../../src/hcert/verify-hc1.js'
import { fromPem } from '../../src/services/key-dir.js'
import { decodeCertificate } from '../../src/services/decode.js'
import { exitCodeOf, verifyCertificates, type SourcedVerifyResult } from '../../src/services/verify.js'
import { TrustList } from '../../src/trust/trust-list.js'
import { parseTrustedCertificate } from '../../src/trust/trusted-certificate.js'
import {
  bytes,
  fromJs,
  hc1Of,
  int,
  map,
  protectedFor,
  signEnvelope,
  tag,
  text,
  widthsFor,
  write,
  type Envelope,
  type Node,
  type Width,
} from '../helpers/cbor-writer.js'
import { exampleSigner } from '../helpers/keys.js'
import { DURING, EXP, IAT, VACCINATION } from '../helpers/payloads.js'

const signer = exampleSigner('ES256')
const trust = new TrustList([signer.certificate])
const verify = (hc1: string): VerifyResult => verifyHc1(hc1, { trust, now: DURING })

/** The parts of a certificate, each a node that a test may change before it is written and signed */
interface Parts {
  protectedHeader: Node | Uint8Array
  unprotectedHeader: Node
  claims: Array<[Node, Node]>
  hcert: Array<[Node, Node]>
  dcc: Array<[Node, Node]>
  entry: Array<[Node, Node]>
  tags?: number[]
}

function parts(): Parts {
  const { v, ...rest } = VACCINATION
  const entry = (fromJs(v[0]) as Extract<Node, { k: 'map' }>).entries
  const dcc = (fromJs(rest) as Extract<Node, { k: 'map' }>).entries
  return {
    protectedHeader: protectedFor(signer),
    unprotectedHeader: map(),
    claims: [
      [int(1), text('VN')],
      [int(4), int(EXP)],
      [int(6), int(IAT)],
    ],
    hcert: [],
    dcc,
    entry,
  }
}

function build(p: Parts): { hc1: string; cose: Uint8Array; payload: Uint8Array } {
  const dcc = map(...p.dcc, [text('v'), { k: 'array', items: [map(...p.entry)] }])
  const payload = write(map(...p.claims, [int(-260), map([int(1), dcc], ...p.hcert)]))
  const envelope: Envelope = {
    protectedHeader: p.protectedHeader,
    unprotectedHeader: p.unprotectedHeader,
    payload,
  }
  if (p.tags) envelope.tags = p.tags
  const cose = signEnvelope(envelope, signer)
  return { hc1: hc1Of(cose), cose, payload }
}

const certificate = (change: (p: Parts) => void = () => {}): ReturnType<typeof build> => {
  const p = parts()
  change(p)
  return build(p)
}

/** the fast readers answer, when they do, exactly as the general ones */
function expectPathsAgree(cose: Uint8Array, payload: Uint8Array): void {
  const claims = parseClaimsFast(payload)
  if (claims !== undefined) expect(claims).toEqual(parseClaimsGeneral(payload))
  const sign1 = parseSign1Fast(cose)
  if (sign1 !== undefined) {
    const general = parseSign1General(cose)
    expect([sign1.alg, sign1.algSource, sign1.kidSource]).toEqual([
      general.alg,
      general.algSource,
      general.kidSource,
    ])
  }
}

/** the certificate as written by parts(), verified (once) */
let plainResult: VerifyResult | undefined
const plain = (): VerifyResult => (plainResult ??= verify(certificate().hc1))

const errorOf = (
  result: Pick<VerifyResult, 'errors'> | SourcedVerifyResult,
): { check: string; code: string } | undefined => {
  const e = result.errors[0]
  return e && { check: e.check, code: e.code }
}

describe('lenient where CBOR is: an integer in any width is its value', () => {
  const plain = verify(certificate().hc1)
  it('the certificate these tests rewrite is valid as written', () => expect(plain.valid).toBe(true))

  /** each numeric field: how to write it in a given width */
  const fields: Array<[string, bigint, (p: Parts, w: Width) => void]> = [
    ['iat', BigInt(IAT), (p, w) => (p.claims[2] = [int(6), int(IAT, w)])],
    ['exp', BigInt(EXP), (p, w) => (p.claims[1] = [int(4), int(EXP, w)])],
    ['the iat label', 6n, (p, w) => (p.claims[2] = [int(6, w), int(IAT)])],
    ['the exp label', 4n, (p, w) => (p.claims[1] = [int(4, w), int(EXP)])],
    [
      'the alg label',
      1n,
      (p, w) => (p.protectedHeader = map([int(1, w), int(-7)], [int(4), bytes(signer.kid)])),
    ],
    [
      'the alg value',
      6n,
      (p, w) => (p.protectedHeader = map([int(1), int(-7, w)], [int(4), bytes(signer.kid)])),
    ],
    [
      'the kid label',
      4n,
      (p, w) => (p.protectedHeader = map([int(1), int(-7)], [int(4, w), bytes(signer.kid)])),
    ],
    ['dn', 2n, (p, w) => (p.entry[4] = [text('dn'), int(2, w)])],
    ['sd', 2n, (p, w) => (p.entry[5] = [text('sd'), int(2, w)])],
  ]

  for (const [name, argument, set] of fields) {
    for (const width of widthsFor(argument)) {
      it(`${name} in the ${width === 0 ? 'immediate' : `${width}-byte`} form verifies as in the shortest`, () => {
        const { hc1, cose, payload } = certificate((p) => set(p, width))
        const result = verify(hc1)
        expect(result.errors).toEqual([])
        expect(result.valid).toBe(true)
        expect(result.claims).toEqual(plain.claims)
        expect(result.payload).toEqual(plain.payload)
        expectPathsAgree(cose, payload)
      })
    }
  }

  // the -260 key and the 1 key under it are written by build(); write them in each width by hand
  for (const [name, argument] of [
    ['the -260 key', 259n],
    ['the eu_dcc_v1 key (1)', 1n],
  ] as const) {
    for (const width of widthsFor(argument)) {
      it(`${name} in the ${width === 0 ? 'immediate' : `${width}-byte`} form verifies`, () => {
        const dcc = fromJs(VACCINATION)
        const hcert = name === 'the -260 key' ? map([int(1), dcc]) : map([int(1, width), dcc])
        const payload = write(
          map(
            [int(1), text('VN')],
            [int(4), int(EXP)],
            [int(6), int(IAT)],
            [int(-260, name === 'the -260 key' ? width : undefined), hcert],
          ),
        )
        const cose = signEnvelope({ protectedHeader: protectedFor(signer), payload }, signer)
        const result = verify(hc1Of(cose))
        expect(result.valid).toBe(true)
        expect(result.payload).toEqual(plain.payload)
        expectPathsAgree(cose, payload)
      })
    }
  }

  it('bug16a: iat and exp in the 8-byte form are VALID', () => {
    const result = verifyBugReport('bug16a-exp-iat-8byte-int.txt')
    expect(result.errors).toEqual([])
    expect(result.valid).toBe(true)
    expect(result.claims).toMatchObject({ iat: 1622592000 })
  })
})

describe('strict where the spec is strict: a map key twice is malformed CBOR, at any level', () => {
  const cases: Array<[string, (p: Parts) => void]> = [
    [
      'the protected header (alg twice)',
      (p) => (p.protectedHeader = map([int(1), int(-7)], [int(4), bytes(signer.kid)], [int(1), int(-37)])),
    ],
    [
      'the protected header (kid twice, one in 8 bytes)',
      (p) =>
        (p.protectedHeader = map(
          [int(1), int(-7)],
          [int(4), bytes(signer.kid)],
          [int(4, 8), bytes(signer.kid)],
        )),
    ],
    [
      'the unprotected header (kid twice)',
      (p) => (p.unprotectedHeader = map([int(4), bytes(signer.kid)], [int(4), bytes(Uint8Array.of(1))])),
    ],
    ['the claims (exp twice)', (p) => p.claims.push([int(4), int(EXP + 1)])],
    ['the claims (exp twice, the second in 8 bytes)', (p) => p.claims.push([int(4, 8), int(EXP)])],
    ['the claims (iss twice)', (p) => p.claims.push([int(1), text('XX')])],
    [
      'the claims (an unread claim twice)',
      (p) => p.claims.push([int(7), bytes(Uint8Array.of(1))], [int(7), bytes(Uint8Array.of(2))]),
    ],
    ['the -260 container (1 twice)', (p) => p.hcert.push([int(1), map()])],
    ['the -260 container (another key twice)', (p) => p.hcert.push([int(-1), int(0)], [int(-1), int(1)])],
    ['the payload (nam twice)', (p) => p.dcc.push([text('nam'), map([text('fnt'), text('OTHER')])])],
    ['the payload (dn twice in v[0])', (p) => p.entry.push([text('dn'), int(1)])],
    [
      'the payload (a key inside a map in an unread claim)',
      (p) => p.claims.push([int(-70000), map([text('a'), int(1)], [text('a'), int(2)])]),
    ],
  ]
  for (const [where, change] of cases) {
    it(`${where}: ERR_CBOR at decode, whichever path reads it`, () => {
      const { hc1, cose, payload } = certificate(change)
      const result = verify(hc1)
      expect(errorOf(result)).toEqual({ check: 'decode', code: 'ERR_CBOR' })
      expect(result.errors[0]?.message).toMatch(/twice .*RFC 8949 §5\.6/)
      if (where.includes('header')) expect(parseSign1Fast(cose)).toBeUndefined()
      else expect(parseClaimsFast(payload)).toBeUndefined()
      expect(() => decodeCertificate({ text: hc1, source: 'x', warnings: [] })).toThrow(/twice/)
    })
  }

  it('bug12a (exp twice) and bug12b (two -260 claims, two holders) are refused', () => {
    for (const file of ['bug12a-dup-exp.txt', 'bug12b-dup-hcert.txt']) {
      const result = verifyBugReport(file)
      expect(errorOf(result), file).toEqual({ check: 'decode', code: 'ERR_CBOR' })
      expect(result.payload).toBeNull()
    }
  })

  it('a message names the key, never a holder value', () => {
    const { hc1 } = certificate((p) =>
      p.entry.push([text('Nguyen Van A'), int(1)], [text('Nguyen Van A'), int(2)]),
    )
    const message = verify(hc1).errors[0]?.message ?? ''
    expect(message).toContain('a text string twice')
    expect(message).not.toContain('Nguyen')
  })
})

describe('strict where the spec is strict: alg is protected', () => {
  it('alg only in the unprotected header, next to a protected kid: ERR_ALG_UNPROTECTED at signature', () => {
    const { hc1 } = certificate((p) => {
      p.protectedHeader = map([int(4), bytes(signer.kid)])
      p.unprotectedHeader = map([int(1), int(-7)])
    })
    const result = verify(hc1)
    expect(errorOf(result)).toEqual({ check: 'signature', code: 'ERR_ALG_UNPROTECTED' })
    expect(result.checks.decode).toBe('pass')
    expect(result.payload).not.toBeNull()
  })

  it('alg in both headers: the protected one is used', () => {
    const { hc1 } = certificate((p) => (p.unprotectedHeader = map([int(1), int(-37)])))
    expect(verify(hc1).valid).toBe(true)
  })

  it('an empty protected header with alg and kid unprotected (the EU vector CO20): valid, with a warning', () => {
    const { hc1 } = certificate((p) => {
      p.protectedHeader = new Uint8Array(0)
      p.unprotectedHeader = map([int(1), int(-7)], [int(4), bytes(signer.kid)])
    })
    const result = verify(hc1)
    expect(result.valid).toBe(true)
    expect(result.warnings.map((w) => w.check)).toEqual(['signature'])
    expect(result.warnings[0]?.message).toMatch(/unprotected header .* does not cover it/)
  })

  it('a text-string alg decodes, and fails the signature check with ERR_ALG_UNSUPPORTED', () => {
    const { hc1 } = certificate(
      (p) => (p.protectedHeader = map([int(1), text('ES256')], [int(4), bytes(signer.kid)])),
    )
    const result = verify(hc1)
    expect(result.checks.decode).toBe('pass')
    expect(errorOf(result)).toEqual({ check: 'signature', code: 'ERR_ALG_UNSUPPORTED' })
    expect(result.alg).toBe('text "ES256"')
    expect(result.payload).toEqual(verify(certificate().hc1).payload)
    expect(decodeCertificate({ text: hc1, source: 'x', warnings: [] }).alg).toBe('text "ES256"')
  })

  it('no alg at all: ERR_ALG_UNSUPPORTED, in words', () => {
    const { hc1 } = certificate((p) => (p.protectedHeader = map([int(4), bytes(signer.kid)])))
    expect(verify(hc1).errors[0]?.message).toMatch(/names no algorithm/)
  })
})

describe('strict where the spec is strict: tags where the spec puts them', () => {
  it.each([
    [[61, 18], []],
    [[18], []],
    [[18, 61], [/tag 18 \(COSE_Sign1\) is outside tag 61/]],
    [[], [/untagged/]],
    [[18, 18], [/under tags 18, 18/]],
  ])('envelope tags %j: valid, warnings %j', (tags, warnings) => {
    const result = verify(certificate((p) => (p.tags = tags)).hc1)
    expect(result.valid).toBe(true)
    expect(result.warnings.length).toBe(warnings.length)
    for (const [i, w] of warnings.entries()) expect(result.warnings[i]?.message).toMatch(w)
  })

  it('bug02d (18 around 61): a warning at decode', () => {
    const result = verifyBugReport('bug02d-18-61-wrongorder.txt')
    expect(result.valid).toBe(true)
    expect(result.warnings).toEqual([
      {
        check: 'decode',
        message: 'tag 18 (COSE_Sign1) is outside tag 61 (CWT); the order is 61(18(…)) (RFC 8392 §6)',
      },
    ])
  })

  it('tag 1 on exp and a tag other than 0 in the DCC are read, with a warning each; tag 0 on a date-time is expected', () => {
    const { hc1 } = certificate((p) => {
      p.claims[1] = [int(4), tag(1, int(EXP))]
      p.entry[6] = [text('dt'), tag(1004, text('2021-06-01'))]
      p.dcc.push([text('x'), tag(0, text('2021-06-01T00:00:00Z'))])
    })
    const result = verify(hc1)
    expect(result.claims?.exp).toBe(EXP)
    expect(result.warnings.map((w) => w.message)).toEqual([
      'the DCC holds tag 1004 at eu_dcc_v1.v[0].dt (HCERT puts tag 0 on date-time text only)',
      'the exp claim (4) is under tag 1; a CWT NumericDate has none (RFC 8392 §2)',
    ])
  })
})

describe('iat and exp: required, and any value gives a coded error at the expiration check', () => {
  it.each([
    ['exp', 1, /no exp claim \(4\)/],
    ['iat', 2, /no iat claim \(6\)/],
  ] as const)('no %s: ERR_CLAIM_MISSING', (_, index, reason) => {
    const result = verify(certificate((p) => p.claims.splice(index, 1)).hc1)
    expect(errorOf(result)).toEqual({ check: 'expiration', code: 'ERR_CLAIM_MISSING' })
    expect(result.errors[0]?.message).toMatch(reason)
  })

  const values: Array<[string, Node, RegExp]> = [
    ['a text string', text('1654128000'), /is a text string/],
    ['1e300', { k: 'float', v: 1e300 }, /is 1e\+300, beyond any date/],
    ['-1e300', { k: 'float', v: -1e300 }, /beyond any date/],
    ['NaN', { k: 'float', v: NaN, size: 2 }, /is NaN/],
    ['Infinity', { k: 'float', v: Infinity, size: 4 }, /is Infinity/],
    ['-Infinity', { k: 'float', v: -Infinity }, /is -Infinity/],
    ['2^64 - 1', int(2n ** 64n - 1n), /beyond any date/],
    ['-2^64', int(-(2n ** 64n)), /beyond any date/],
    [
      'a time in milliseconds',
      int(BigInt(EXP) * 1000n),
      /a time in milliseconds \(2022-06-02T00:00:00.000Z\)/,
    ],
    [
      'a time in microseconds',
      int(BigInt(EXP) * 1000000n),
      /a time in microseconds \(2022-06-02T00:00:00.000Z\)/,
    ],
    ['a map', map(), /is a map/],
    ['null', { k: 'simple', v: 22 }, /is null/],
    ['a byte string', bytes(Uint8Array.of(1)), /is a byte string/],
    ['under tag 0', tag(0, text('2022-06-02T00:00:00Z')), /under tag 0/],
  ]
  for (const [what, value, reason] of values) {
    it(`exp as ${what}: ERR_CLAIM_INVALID at expiration; the payload is still decoded`, () => {
      const { hc1, cose, payload } = certificate((p) => (p.claims[1] = [int(4), value]))
      const result = verify(hc1)
      expect(errorOf(result)).toEqual({ check: 'expiration', code: 'ERR_CLAIM_INVALID' })
      expect(result.errors[0]?.message).toMatch(reason)
      expect(result.checks.signature).toBe('pass')
      expect(result.payload).not.toBeNull()
      expect(exitCodeOf(result)).toBe(4)
      const decoded = decodeCertificate({ text: hc1, source: 'x', warnings: [] })
      expect(decoded.claims.exp).toBeUndefined()
      expect(decoded.warnings.join('\n')).toMatch(reason)
      expectPathsAgree(cose, payload)
    })
  }

  it('iat as -1e300: ERR_CLAIM_INVALID', () => {
    const result = verify(certificate((p) => (p.claims[2] = [int(6), { k: 'float', v: -1e300 }])).hc1)
    expect(errorOf(result)).toEqual({ check: 'expiration', code: 'ERR_CLAIM_INVALID' })
  })

  it('a float exp is read, with a warning; a negative exp has expired', () => {
    const float = verify(certificate((p) => (p.claims[1] = [int(4), { k: 'float', v: EXP + 0.5 }])).hc1)
    expect(float.valid).toBe(true)
    expect(float.warnings[0]?.message).toMatch(/not an integer/)
    const negative = verify(certificate((p) => (p.claims[1] = [int(4), int(-5)])).hc1)
    expect(errorOf(negative)).toEqual({ check: 'expiration', code: 'ERR_EXPIRED' })
  })

  it('bug15d (exp 1e300): ERR_CLAIM_INVALID at expiration, exit 4', () => {
    const result = verifyBugReport('bug15d-exp-1e300.txt')
    expect(errorOf(result)).toEqual({ check: 'expiration', code: 'ERR_CLAIM_INVALID' })
    expect(exitCodeOf(result)).toBe(4)
  })
})

describe('no crash: one input never stops the others', () => {
  it('bug15d among other inputs: each is verified', async () => {
    const texts = ['bug15d-exp-1e300.txt', 'bug16a-exp-iat-8byte-int.txt', 'bug15d-exp-1e300.txt'].map((f) =>
      readFileSync(join(BUG_REPORTS, f), 'utf8').trim(),
    )
    const results = []
    for await (const r of verifyCertificates(texts, Readable.from([]), { trust: bugTrust(), now: BUG_CLOCK }))
      results.push(r)
    expect(results.map((r) => errorOf(r)?.code ?? 'VALID')).toEqual([
      'ERR_CLAIM_INVALID',
      'VALID',
      'ERR_CLAIM_INVALID',
    ])
  })

  it('a bug met on one input is that input ERR_INTERNAL (exit 1), and the next input is still verified', async () => {
    const good = certificate().hc1
    let calls = 0
    const flaky = new TrustList([signer.certificate])
    const candidates = flaky.candidates.bind(flaky)
    flaky.candidates = (kid) => {
      if (calls++ === 0) throw new TypeError('boom with private detail')
      return candidates(kid)
    }
    const results = []
    for await (const r of verifyCertificates([good, good], Readable.from([]), { trust: flaky, now: DURING }))
      results.push(r)
    expect(results.map((r) => errorOf(r)?.code ?? 'VALID')).toEqual(['ERR_INTERNAL', 'VALID'])
    expect(exitCodeOf(results[0] as VerifyResult)).toBe(1)
    expect(results[0]?.errors[0]?.message).not.toContain('private detail')
  })
})

const BUG_REPORTS = join(import.meta.dirname, '..', 'fixtures', 'bug-reports')
const BUG_CLOCK = new Date('2021-12-01T00:00:00Z')

function bugTrust(): TrustList {
  const pem = join(BUG_REPORTS, 'trust', 'es256-dsc.crt.pem')
  return new TrustList([parseTrustedCertificate(fromPem(readFileSync(pem, 'utf8'), pem), pem)])
}

function verifyBugReport(file: string): VerifyResult {
  return verifyHc1(readFileSync(join(BUG_REPORTS, file), 'utf8').trim(), {
    trust: bugTrust(),
    now: BUG_CLOCK,
  })
}

const raw = (...octets: number[]): Node => ({ k: 'raw', v: Uint8Array.from(octets) })
const messages = (result: VerifyResult): string[] => result.warnings.map((w) => w.message)

describe('text strings are UTF-8 (RFC 8949 §3.1): invalid UTF-8 is malformed CBOR, not replaced', () => {
  it('two keys that differ only in invalid bytes are not merged into one: ERR_CBOR at decode', () => {
    // "fn\xff" and "fn\xfe" would both read as "fn\ufffd", and the second would replace the first
    const { hc1, payload } = certificate((p) =>
      p.dcc.push([raw(0x63, 0x66, 0x6e, 0xff), text('A')], [raw(0x63, 0x66, 0x6e, 0xfe), text('B')]),
    )
    const result = verify(hc1)
    expect(errorOf(result)).toEqual({ check: 'decode', code: 'ERR_CBOR' })
    expect(result.errors[0]?.message).toMatch(
      /the CWT payload has a text string that is not valid UTF-8 at byte \d+/,
    )
    expect(parseClaimsFast(payload)).toBeUndefined()
    expect(() => decodeCertificate({ text: hc1, source: 'x', warnings: [] })).toThrow(/not valid UTF-8/)
  })

  it('an invalid value, a lone surrogate, an overlong form and a chunk of an indefinite string are refused; valid UTF-8 is read', () => {
    for (const bad of [
      raw(0x62, 0xc3, 0x28), // a cut two-byte sequence
      raw(0x63, 0xed, 0xa0, 0x80), // U+D800, a surrogate
      raw(0x62, 0xc0, 0xaf), // an overlong '/'
      raw(0x7f, 0x61, 0x41, 0x61, 0xff, 0xff), // (_ "A", "\xff")
    ]) {
      const result = verify(certificate((p) => (p.entry[8] = [text('is'), bad])).hc1)
      expect(errorOf(result)).toEqual({ check: 'decode', code: 'ERR_CBOR' })
    }
    const good = verify(certificate((p) => (p.entry[8] = [text('is'), text('Bộ Y tế ✓ 𝄞')])).hc1)
    expect(good.checks.decode).toBe('pass')
    expect((good.payload?.v as Array<Record<string, unknown>>)[0]?.is).toBe('Bộ Y tế ✓ 𝄞')
  })
})

describe('every tag is a tag and every simple value a value, whatever cbor-x makes of them', () => {
  // packed-value prefixes and suffixes, records and string bundles, 'Shrd', and the tag hcert itself
  // writes in their place
  const tags = [216, 223, 224, 225, 255, 27647, 28671, 28704, 32767, 57337, 57343, 65535, 999, 0x53687264]
  tags.push(1811940352, 1879052288, 2147483647)
  it.each(tags)('tag %i in the DCC: read, with the warning other tags get', (t) => {
    const { hc1, payload } = certificate((p) => (p.entry[6] = [text('dt'), tag(t, text('2021-06-01'))]))
    const result = verify(hc1)
    expect(result.errors).toEqual([])
    expect(messages(result)).toEqual([
      `the DCC holds tag ${t} at eu_dcc_v1.v[0].dt (HCERT puts tag 0 on date-time text only)`,
    ])
    expect(parseClaimsGeneral(payload).hcert).toEqual(plain().payload)
  })

  it('tags of cbor-x next to each other and nested are each put back in their place', () => {
    const { payload } = certificate((p) => {
      p.entry[6] = [text('dt'), tag(255, tag(999, tag(216, text('2021-06-01'))))]
      p.dcc.push([text('x'), tag(57337, map([text('a'), tag(28704, int(1))]))])
    })
    expect(parseClaimsGeneral(payload).warnings).toEqual([
      // x is the fourth key (ver, nam, dob, x, v)
      'the DCC holds tag 57337 at eu_dcc_v1.<key 4> (HCERT puts tag 0 on date-time text only)',
      'the DCC holds tag 28704 at eu_dcc_v1.<key 4>.<key 1> (HCERT puts tag 0 on date-time text only)',
      'the DCC holds tag 255 at eu_dcc_v1.v[0].dt (HCERT puts tag 0 on date-time text only)',
      'the DCC holds tag 999 at eu_dcc_v1.v[0].dt (HCERT puts tag 0 on date-time text only)',
      'the DCC holds tag 216 at eu_dcc_v1.v[0].dt (HCERT puts tag 0 on date-time text only)',
    ])
  })

  it('tag 55799 (self-described CBOR) is not dropped silently: a warning around the message and in the DCC', () => {
    const around = verify(certificate((p) => (p.tags = [55799, 18])).hc1)
    expect(around.valid).toBe(true)
    expect(messages(around)).toEqual([
      'the COSE message is under tag 55799 (self-described CBOR, RFC 8949 §3.4.6), which HCERT does not write',
    ])
    const inside = verify(certificate((p) => (p.entry[6] = [text('dt'), tag(55799, text('2021-06-01'))])).hc1)
    expect(inside.valid).toBe(true)
    expect(messages(inside)).toEqual([
      'the DCC holds tag 55799 (self-described CBOR) at eu_dcc_v1.v[0].dt, which HCERT does not write',
    ])
  })

  it.each([0, 7, 19, 32, 255])(
    'the unassigned simple value %i: decoded, named in a warning, null in the payload',
    (n) => {
      const value = n < 24 ? raw(0xe0 | n) : raw(0xf8, n)
      const { hc1 } = certificate((p) => p.dcc.push([text('x'), value]))
      const result = verify(hc1)
      expect(result.checks.decode).toBe('pass')
      expect(messages(result)).toContain(
        `the DCC holds the unassigned simple value ${n} at eu_dcc_v1.<key 4>, read as null`,
      )
      expect(result.payload?.x).toBeNull()
      const decoded = decodeCertificate({ text: hc1, source: 'x', warnings: [] }, { layers: true })
      expect(decoded.layers?.diagnostic).toContain(`simple(${n})`)
      // as exp: a coded error at expiration, as other wrong types
      const exp = verify(certificate((p) => (p.claims[1] = [int(4), value])).hc1)
      expect(errorOf(exp)).toEqual({ check: 'expiration', code: 'ERR_CLAIM_INVALID' })
      expect(exp.errors[0]?.message).toMatch(new RegExp(`is simple value ${n}, not a NumericDate`))
    },
  )

  it('a simple value below 32 in the two-byte form is not well-formed (RFC 8949 §3.3): ERR_CBOR', () => {
    const result = verify(certificate((p) => p.dcc.push([text('x'), raw(0xf8, 21)])).hc1)
    expect(errorOf(result)).toEqual({ check: 'decode', code: 'ERR_CBOR' })
  })

  it('exp as CBOR undefined is ERR_CLAIM_INVALID, not a missing exp', () => {
    const result = verify(certificate((p) => (p.claims[1] = [int(4), { k: 'simple', v: 23 }])).hc1)
    expect(errorOf(result)).toEqual({ check: 'expiration', code: 'ERR_CLAIM_INVALID' })
    expect(result.errors[0]?.message).toMatch(/the exp claim \(4\) is undefined, not a NumericDate/)
  })
})

describe('COSE headers: crit, and a label in both buckets (RFC 9052 §3)', () => {
  const withCrit = (crit: Node, where: 'protected' | 'unprotected' = 'protected') =>
    certificate((p) => {
      if (where === 'protected')
        p.protectedHeader = map(
          [int(1), int(-7)],
          [int(2), crit],
          [int(4), bytes(signer.kid)],
          [int(99), int(1)],
        )
      else p.unprotectedHeader = map([int(2), crit])
    }).hc1

  it('a critical label hcert does not understand: ERR_CRITICAL_HEADER at signature; decode shows the payload and says so', () => {
    const hc1 = withCrit({ k: 'array', items: [int(99)] })
    const result = verify(hc1)
    expect(errorOf(result)).toEqual({ check: 'signature', code: 'ERR_CRITICAL_HEADER' })
    expect(result.errors[0]?.message).toMatch(/marks 99 critical .* RFC 9052 §3\.1/)
    expect(exitCodeOf(result)).toBe(4)
    expect(result.payload).not.toBeNull()
    const decoded = decodeCertificate({ text: hc1, source: 'x', warnings: [] })
    expect(decoded.warnings.join('\n')).toMatch(/marks 99 critical.*\(verify refuses it\)/)
  })

  it('crit naming only alg and kid verifies; crit unprotected, empty or not an array is refused', () => {
    expect(verify(withCrit({ k: 'array', items: [int(1), int(4)] })).valid).toBe(true)
    for (const hc1 of [
      withCrit({ k: 'array', items: [int(4)] }, 'unprotected'),
      withCrit({ k: 'array', items: [] }),
      withCrit(int(4)),
      withCrit({ k: 'array', items: [text('x-private')] }),
    ])
      expect(errorOf(verify(hc1))).toEqual({ check: 'signature', code: 'ERR_CRITICAL_HEADER' })
  })

  it('a label in both headers is read (the protected value wins) with a warning', () => {
    const result = verify(
      certificate((p) => (p.unprotectedHeader = map([int(4), bytes(Uint8Array.of(1, 2))]))).hc1,
    )
    expect(result.valid).toBe(true)
    expect(messages(result)).toEqual([
      'the header label 4 (kid) is in both the protected and the unprotected header (RFC 9052 §3 allows one); the protected value is used',
    ])
  })
})

describe('dn and sd are integers: Infinity, NaN and fractions fail the schema', () => {
  it.each([
    ['Infinity', { k: 'float', v: Infinity, size: 2 } as Node],
    ['-Infinity', { k: 'float', v: -Infinity, size: 8 } as Node],
    ['NaN', { k: 'float', v: NaN, size: 2 } as Node],
    ['1.5', { k: 'float', v: 1.5, size: 8 } as Node],
  ])('dn %s: ERR_SCHEMA', (_, value) => {
    const result = verify(certificate((p) => (p.entry[4] = [text('dn'), value])).hc1)
    expect(errorOf(result)).toEqual({ check: 'schema', code: 'ERR_SCHEMA' })
    expect(result.errors[0]?.message).toMatch(/\/v\/0\/dn must be integer/)
  })

  it('2.0 written as a float is the integer 2 (JSON has one number type)', () => {
    expect(
      verify(certificate((p) => (p.entry[4] = [text('dn'), { k: 'float', v: 2, size: 4 }])).hc1).valid,
    ).toBe(true)
  })
})

describe('bytes after the zlib stream', () => {
  it('are ignored as zlib ignores them, with a warning at compression (verify) and in decode', () => {
    const { cose } = certificate()
    const hc1 = `HC1:${encodeBase45(Buffer.concat([deflate(cose), Buffer.from([1, 2, 3])]))}`
    const result = verify(hc1)
    expect(result.valid).toBe(true)
    expect(result.warnings).toEqual([
      {
        check: 'compression',
        message:
          '3 bytes follow the end of the zlib stream and are ignored (as zlib does); HCERT writes none',
      },
    ])
    const decoded = decodeCertificate({ text: hc1, source: 'x', warnings: [] })
    expect(decoded.warnings).toEqual([result.warnings[0]?.message])
  })
})

describe('messages name map keys that are not field names by position: they could be holder text', () => {
  it('a non-JSON value under a holder-text key (ERR_CWT) and a holder-text key twice (ERR_CBOR)', () => {
    const nested = verify(
      certificate((p) => p.dcc.push([text('Nguyen Van A'), map([text('Tran'), bytes(Uint8Array.of(1))])]))
        .hc1,
    )
    expect(errorOf(nested)).toEqual({ check: 'decode', code: 'ERR_CWT' })
    expect(nested.errors[0]?.message).toBe(
      'cwt: eu_dcc_v1.<key 4>.<key 1> holds a byte string, which has no JSON form',
    )
    const twice = verify(certificate((p) => p.dcc.push([text('Tran'), int(1)], [text('Tran'), int(2)])).hc1)
    expect(twice.errors[0]?.message).not.toContain('Tran')
    const known = verify(certificate((p) => p.entry.push([text('tg'), int(1)])).hc1)
    expect(known.errors[0]?.message).toContain('the map key "tg" twice')
  })
})
