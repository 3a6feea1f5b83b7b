/**
 * `hcert conformance` over WHO payloads: the tests write, in the EU dgc-testdata vector format, a
 * vector for each kind (ICVP -6 in both field generations, DDCC:VS 3, DDCC:TR 4, health link 5,
 * early DDCC) and each case (valid, wrong signature, wrong kid, expired, schema fault), plus the two
 * HCERT samples of the WHO gdhcn-validator (test/fixtures/gdhcn). Each planted fault fails exactly
 * its check, and the runner agrees with every EXPECTED* result. (SMART Health Cards are JWS, not
 * COSE: their vectors live in test/shc, see README "Conformance for the WHO kinds".)
 */
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { beforeAll, describe, expect, it } from 'vitest'
import { encodeBase45 } from '../../src/codec/base45.js'
import { encodeCbor } from '../../src/codec/cbor.js'
import { deflate } from '../../src/codec/zlib.js'
import { EXPECTATIONS, type TestVector } from '../../src/conformance/vector.js'
import { signPayload } from '../../src/hcert/sign-hc1.js'
import { verifyHc1 } from '../../src/hcert/verify-hc1.js'
import type { Signer } from '../../src/keys/signer.js'
import { runConformance } from '../../src/services/conformance.js'
import { TrustList } from '../../src/trust/trust-list.js'
import { parseTrustedCertificate } from '../../src/trust/trusted-certificate.js'
import { runCli } from '../helpers/cli.js'
import { freshKeys, type FreshKeys } from '../helpers/keys.js'
import { DDCC_TR, DDCC_VS, EARLY, ICVP_V1, ICVP_V2 } from '../helpers/who-payloads.js'

const IAT = Date.parse('2024-12-01T00:00:00Z') / 1000
const EXP = Date.parse('2026-12-01T00:00:00Z') / 1000
const CLOCK = '2025-01-01T00:00:00Z'

const link = (content: object): string =>
  `shlink:/${Buffer.from(JSON.stringify(content)).toString('base64url')}`
const LINK = link({ url: 'https://example.org/m/abc', key: 'k'.repeat(43), flag: 'L' })

const without = <T extends object>(value: T, key: keyof T): T => {
  const copy = { ...value }
  delete copy[key]
  return copy
}

/** kind, folder, -260 key (undefined: the early DDCC, in the CWT itself), a valid payload, one with a schema fault */
const KINDS: ReadonlyArray<[string, string, number | undefined, unknown, unknown]> = [
  ['icvp', 'icvp-v1', -6, ICVP_V1, { ...ICVP_V1, v: without(ICVP_V1.v, 'cn') }],
  ['icvp', 'icvp-v2', -6, ICVP_V2, { ...ICVP_V2, vx: without(ICVP_V2.vx, 'bo') }],
  ['ddcc-vs', 'ddcc-vs', 3, DDCC_VS, { ...DDCC_VS, vaccination: without(DDCC_VS.vaccination, 'lot') }],
  ['ddcc-tr', 'ddcc-tr', 4, DDCC_TR, { name: 'Test Person' }],
  ['link', 'link', 5, LINK, link({ url: 'https://example.org/x' })],
  ['ddcc-early', 'ddcc-early', undefined, EARLY, without(EARLY, 'lot')],
]

const CASES = ['valid', 'wrong-signature', 'wrong-kid', 'expired', 'schema-fault'] as const
type Case = (typeof CASES)[number]

/**
 * The one check each case fails (none when valid), its code, and the EXPECTED* results it sets
 * false; without a verified signer keyUsage cannot be judged, so signature faults leave it unset
 * (as the dgc-testdata vectors do).
 */
const PLANTED: Record<Case, { check?: string; code?: string; expectations: string[]; unset?: string[] }> = {
  valid: { expectations: [] },
  'wrong-signature': {
    check: 'signature',
    code: 'ERR_SIGNATURE',
    expectations: ['EXPECTEDVERIFY'],
    unset: ['EXPECTEDKEYUSAGE'],
  },
  'wrong-kid': {
    check: 'signature',
    code: 'ERR_KID_UNKNOWN',
    expectations: ['EXPECTEDVERIFY'],
    unset: ['EXPECTEDKEYUSAGE'],
  },
  expired: { check: 'expiration', code: 'ERR_EXPIRED', expectations: ['EXPECTEDEXPIRATIONCHECK'] },
  'schema-fault': {
    check: 'schema',
    code: 'ERR_SCHEMA',
    expectations: ['EXPECTEDSCHEMAVALIDATION', 'EXPECTEDVALIDOBJECT'],
  },
}

/** every expectation a WHO vector can hold: all but the picture's (these vectors carry no image) */
const ALWAYS = EXPECTATIONS.filter((e) => e !== 'EXPECTEDPICTUREDECODE')

function claimsMap(key: number | undefined, payload: unknown, exp: number): Map<unknown, unknown> {
  const map = new Map<unknown, unknown>([
    [1, 'NZL'],
    [4, exp],
    [6, IAT],
  ])
  if (key !== undefined) map.set(-260, new Map([[key, payload]]))
  else for (const [k, v] of Object.entries(payload as object)) map.set(k, v)
  return map
}

const hex = (bytes: Uint8Array): string => Buffer.from(bytes).toString('hex')

/** A vector in the dgc-testdata format, every layer filled in from the COSE bytes. */
function vectorOf(
  cose: Uint8Array,
  json: unknown,
  cbor: Uint8Array,
  certificate: Uint8Array,
  falses: string[],
): TestVector {
  const compressed = deflate(cose)
  const base45 = encodeBase45(compressed)
  return {
    JSON: json,
    CBOR: hex(cbor),
    COSE: hex(cose),
    COMPRESSED: hex(compressed),
    BASE45: base45,
    PREFIX: `HC1:${base45}`,
    TESTCTX: {
      VERSION: 1,
      CERTIFICATE: Buffer.from(certificate).toString('base64'),
      VALIDATIONCLOCK: CLOCK,
      DESCRIPTION: 'made by test/conformance/who-vectors.test.ts',
    },
    EXPECTEDRESULTS: Object.fromEntries(ALWAYS.map((e) => [e, !falses.includes(e)])),
  }
}

function makeVector(
  kind: (typeof KINDS)[number],
  fault: Case,
  keys: FreshKeys,
  other: FreshKeys,
): TestVector {
  const [, , key, valid, broken] = kind
  const payload = JSON.parse(JSON.stringify(fault === 'schema-fault' ? broken : valid)) as unknown
  const claims = claimsMap(key, payload, fault === 'expired' ? IAT + 3600 : EXP)
  const signer: Signer = fault === 'wrong-kid' ? other.signer : keys.signer
  const cose = signPayload(encodeCbor(claims), signer)
  // the signature is the last bytes of the COSE_Sign1
  if (fault === 'wrong-signature') cose[cose.length - 1] = (cose[cose.length - 1] as number) ^ 0x01
  const json = typeof payload === 'string' ? { uri: payload } : payload
  const vector = vectorOf(cose, json, encodeCbor(claims), keys.dscDer, PLANTED[fault].expectations)
  for (const e of PLANTED[fault].unset ?? []) delete (vector.EXPECTEDRESULTS as Record<string, boolean>)[e]
  return vector
}

/** every EXPECTED* result the folder sets: the generated vectors' and the samples' (3 each) */
const EXPECTATIONS_SET = (): number =>
  vectors.reduce((n, v) => n + Object.keys(v.vector.EXPECTEDRESULTS ?? {}).length, 0) + 2 * 3

const tmp = mkdtempSync(join(tmpdir(), 'hcert-who-vectors-'))
let keys: FreshKeys
let other: FreshKeys
const vectors: Array<{ folder: string; fault: Case; kind: string; vector: TestVector }> = []

beforeAll(async () => {
  keys = await freshKeys()
  other = await freshKeys()
  for (const kind of KINDS)
    for (const fault of CASES) {
      const vector = makeVector(kind, fault, keys, other)
      vectors.push({ folder: kind[1], fault, kind: kind[0], vector })
      mkdirSync(join(tmp, kind[1]), { recursive: true })
      writeFileSync(join(tmp, kind[1], `${fault}.json`), JSON.stringify(vector, null, 2))
    }
  // the WHO gdhcn-validator samples: no key is published for them, so decoding expectations only
  const fixtures = join(import.meta.dirname, '..', 'fixtures', 'gdhcn')
  const read = (name: string): string => readFileSync(join(fixtures, name), 'utf8').trim()
  const icvp = JSON.parse(read('DVCTestQRUnpacked.json')) as { contents: { '-260': { '-6': unknown } } }
  const early = JSON.parse(read('WHOQR1Unpacked.json')) as { contents: Record<string, unknown> }
  const samples: Array<[string, string, unknown]> = [
    ['DVCTestQR.json', read('DVCTestQR.txt'), icvp.contents['-260']['-6']],
    ['WHOQR1.json', read('WHOQR1Contents.txt'), early.contents],
  ]
  mkdirSync(join(tmp, 'samples'))
  for (const [name, prefix, json] of samples) {
    const sample: TestVector = {
      JSON: json,
      PREFIX: prefix,
      EXPECTEDRESULTS: { EXPECTEDUNPREFIX: true, EXPECTEDDECODE: true, EXPECTEDVALIDJSON: true },
    }
    writeFileSync(join(tmp, 'samples', name), JSON.stringify(sample))
  }
})

describe.each(KINDS.map((k) => [k[1], k[0]] as const))('%s (kind %s)', (folder, kind) => {
  it.each(CASES)('%s: fails exactly the planted check, with its code', (fault) => {
    const entry = vectors.find((v) => v.folder === folder && v.fault === fault)
    const vector = entry?.vector as TestVector
    const trust = new TrustList([
      parseTrustedCertificate(
        new Uint8Array(Buffer.from(vector.TESTCTX?.CERTIFICATE ?? '', 'base64')),
        'ctx',
      ),
    ])
    const result = verifyHc1(vector.PREFIX as string, { trust, now: new Date(CLOCK) })
    expect(result.kind).toBe(kind)
    const failed = Object.entries(result.checks)
      .filter(([, status]) => status === 'fail')
      .map(([name]) => name)
    const planted = PLANTED[fault]
    expect(failed).toEqual(planted.check ? [planted.check] : [])
    expect(result.errors.map((e) => e.code)).toEqual(planted.code ? [planted.code] : [])
    expect(result.valid).toBe(fault === 'valid')
  })
})

describe('hcert conformance over a folder of WHO vectors', () => {
  it('every EXPECTED* result of every vector agrees, samples included (none skipped, none known)', async () => {
    const result = await runConformance(tmp, { now: new Date() })
    expect(result.outcomes).toEqual([])
    expect(result).toMatchObject({
      vectors: KINDS.length * CASES.length + 2,
      failed: 0,
      known: 0,
      skipped: 0,
    })
    expect(result.passed).toBe(EXPECTATIONS_SET())
  })

  it('a vector whose expectation is wrong is reported, with the planted check in the reason', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'hcert-who-vectors-wrong-'))
    for (const fault of ['wrong-kid', 'schema-fault', 'expired'] as const) {
      const entry = vectors.find((v) => v.folder === 'icvp-v1' && v.fault === fault)
      const vector = structuredClone(entry?.vector as TestVector)
      for (const e of PLANTED[fault].expectations)
        (vector.EXPECTEDRESULTS as Record<string, boolean>)[e] = true
      writeFileSync(join(dir, `${fault}.json`), JSON.stringify(vector))
    }
    const result = await runConformance(dir, { now: new Date() })
    const got = result.outcomes.map((o) => [o.file, o.expectation, o.status])
    expect(got).toEqual([
      ['expired.json', 'EXPECTEDEXPIRATIONCHECK', 'fail'],
      ['schema-fault.json', 'EXPECTEDSCHEMAVALIDATION', 'fail'],
      ['schema-fault.json', 'EXPECTEDVALIDOBJECT', 'fail'],
      ['wrong-kid.json', 'EXPECTEDVERIFY', 'fail'],
    ])
    const reasons = result.outcomes.map((o) => o.reason)
    expect(reasons[0]).toMatch(/expired/)
    expect(reasons[1]).toMatch(/issuer \(is\) or the clinician \(cn\)/)
    expect(reasons[3]).toMatch(/kid/)
    for (const reason of reasons) expect(reason).not.toContain('Test Person')
  })

  it('as the CLI runs it: exit 0, the closing line counting every expectation', () => {
    const run = runCli(['conformance', tmp])
    expect(run.stderr).toBe('')
    expect(run.code).toBe(0)
    expect(run.stdout).toContain(`${EXPECTATIONS_SET()} passed, 0 failed, 0 skipped`)
  })
})
