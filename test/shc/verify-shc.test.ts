/**
 * SMART Health Cards made here (jose, a generated P-256 key) verify against a JWK Set file and fail
 * each planted fault with the check and code health-cards-dev-tools would name.
 */
import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Readable } from 'node:stream'
import { deflateRawSync } from 'node:zlib'
import { beforeAll, describe, expect, it } from 'vitest'
import { DccError } from '../../src/errors.js'
import { exitCodeOf, verifyCertificates, type SourcedVerifyResult } from '../../src/services/verify.js'
import { loadShcTrust, type ShcKeySet } from '../../src/shc/jwks.js'
import { decodeShc } from '../../src/shc/decode-shc.js'
import { verifyShc, type ShcVerifyResult } from '../../src/shc/verify-shc.js'
import { TrustList } from '../../src/trust/trust-list.js'
import {
  cardPayload,
  chunksOf,
  makeIssuer,
  NBF,
  shcOf,
  signCard,
  writeJwks,
  type Issuer,
} from '../helpers/shc.js'

const tmp = mkdtempSync(join(tmpdir(), 'hcert-shc-'))
const NOW = new Date((NBF + 86400) * 1000)
let issuer: Issuer
let other: Issuer
let keys: ShcKeySet

beforeAll(async () => {
  issuer = await makeIssuer()
  other = await makeIssuer()
  keys = (await loadShcTrust([writeJwks(join(tmp, 'jwks.json'), issuer.jwk)])).keys
})

const verify = async (texts: string[], now = NOW, with_ = keys): Promise<ShcVerifyResult> =>
  verifyShc(texts, { keys: with_, now })
const failures = (r: ShcVerifyResult): string[][] => r.errors.map((e) => [e.check, e.code])

type Mutable = Record<string, unknown> & {
  vc: { credentialSubject: { fhirBundle: Record<string, unknown> } }
}
const payload = (): Mutable => cardPayload() as Mutable

describe('verify a SMART Health Card', () => {
  it('a card made with the key verifies, every check passing', async () => {
    const result = await verify([shcOf(await signCard(cardPayload(), issuer))])
    expect(result.errors).toEqual([])
    expect(result.valid).toBe(true)
    expect(result.checks).toEqual({
      unprefix: 'pass',
      numeric: 'pass',
      decode: 'pass',
      compression: 'pass',
      signature: 'pass',
      expiration: 'pass',
      schema: 'pass',
    })
    expect(result.kid).toBe(issuer.kid)
    expect(result.claims).toEqual({ iss: 'https://issuer.example.org', nbf: NBF })
    expect(result.fhirBundle).toMatchObject({ resourceType: 'Bundle' })
    expect(exitCodeOf(result)).toBe(0)
  })

  it('a chunked card is reassembled from its chunks in any order', async () => {
    const jws = await signCard(cardPayload(), issuer)
    const chunks = chunksOf(jws, 3)
    const result = await verify([chunks[2], chunks[0], chunks[1]] as string[])
    expect(result.errors).toEqual([])
    expect(result.valid).toBe(true)
  })

  const faults: Array<[string, () => Promise<string>, string[][]]> = [
    [
      'a signature by another key under the trusted kid',
      () => signCard(cardPayload(), { ...other, kid: issuer.kid }),
      [['signature', 'ERR_SIGNATURE']],
    ],
    ['a kid not in the JWK Set', () => signCard(cardPayload(), other), [['signature', 'ERR_KID_UNKNOWN']]],
    [
      'no kid',
      () => signCard(cardPayload(), issuer, { header: { kid: undefined } }),
      [['signature', 'ERR_KID_UNKNOWN']],
    ],
    [
      'exp before the clock',
      () => signCard({ ...payload(), exp: NBF + 3600 }, issuer),
      [['expiration', 'ERR_EXPIRED']],
    ],
    [
      'nbf after the clock',
      () => signCard({ ...payload(), nbf: NBF + 10 * 86400 }, issuer),
      [['expiration', 'ERR_NOT_YET_VALID']],
    ],
    [
      'no nbf',
      () => signCard({ ...payload(), nbf: undefined }, issuer),
      [['expiration', 'ERR_CLAIM_MISSING']],
    ],
    [
      'nbf in milliseconds',
      () => signCard({ ...payload(), nbf: NBF * 1000 }, issuer),
      [['expiration', 'ERR_CLAIM_INVALID']],
    ],
    [
      'a bundle that is not a Bundle',
      () => {
        const p = payload()
        p.vc.credentialSubject.fhirBundle.resourceType = 'Patient'
        return signCard(p, issuer)
      },
      [['schema', 'ERR_SCHEMA']],
    ],
    [
      'an entry whose fullUrl is not resource:N',
      () => {
        const p = payload()
        ;(p.vc.credentialSubject.fhirBundle.entry as Array<Record<string, unknown>>)[1]!.fullUrl =
          'urn:uuid:1'
        return signCard(p, issuer)
      },
      [['schema', 'ERR_SCHEMA']],
    ],
    [
      'an entry without its resource',
      () => {
        const p = payload()
        delete (p.vc.credentialSubject.fhirBundle.entry as Array<Record<string, unknown>>)[0]!.resource
        return signCard(p, issuer)
      },
      [['schema', 'ERR_SCHEMA']],
    ],
    [
      'no health-card type',
      () => {
        const p = payload() as Mutable & { vc: { type: string[] } }
        p.vc.type = ['https://smarthealth.cards#immunization']
        return signCard(p, issuer)
      },
      [['schema', 'ERR_SCHEMA']],
    ],
    ['no iss', () => signCard({ ...payload(), iss: undefined }, issuer), [['schema', 'ERR_SCHEMA']]],
    [
      'a payload not compressed (no zip: DEF)',
      () => signCard(cardPayload(), issuer, { header: { zip: undefined } }),
      [['compression', 'ERR_INFLATE']],
    ],
    [
      'zip: DEF over bytes that are not raw DEFLATE',
      () => signCard(cardPayload(), issuer, { payloadBytes: Buffer.from(JSON.stringify(cardPayload())) }),
      [['compression', 'ERR_INFLATE']],
    ],
    [
      'a zlib stream instead of raw DEFLATE',
      async () => {
        const { deflateSync } = await import('node:zlib')
        return signCard(cardPayload(), issuer, { payloadBytes: deflateSync(JSON.stringify(cardPayload())) })
      },
      [['compression', 'ERR_INFLATE']],
    ],
    [
      'a payload that inflates beyond the cap',
      () =>
        signCard(cardPayload(), issuer, {
          payloadBytes: deflateRawSync(Buffer.from(`{"x":"${'a'.repeat(2 * 1024 * 1024)}"}`)),
        }),
      [['compression', 'ERR_INFLATE']],
    ],
    [
      'a payload that is not JSON',
      () => signCard(cardPayload(), issuer, { payloadBytes: deflateRawSync(Buffer.from('not json')) }),
      [['decode', 'ERR_JWS']],
    ],
  ]

  it.each(faults)('%s fails with the right check', async (_, make, expected) => {
    const result = await verify([shcOf(await make())])
    expect(failures(result)).toEqual(expected)
    expect(result.valid).toBe(false)
    expect(exitCodeOf(result)).toBe(
      expected[0]?.[0] === 'decode' || expected[0]?.[0] === 'compression' ? 3 : 4,
    )
  })

  it('a kid that is not the key thumbprint fails signature with ERR_KID_THUMBPRINT', async () => {
    const renamed = { ...issuer, kid: 'my-key-1' }
    const jwks = (
      await loadShcTrust([writeJwks(join(tmp, 'renamed.json'), { ...issuer.jwk, kid: 'my-key-1' })])
    ).keys
    const result = await verify([shcOf(await signCard(cardPayload(), renamed))], NOW, jwks)
    expect(failures(result)).toEqual([['signature', 'ERR_KID_THUMBPRINT']])
    expect(result.errors[0]?.message).toContain(issuer.kid)
  })

  it('an alg other than ES256 fails signature with ERR_ALG_UNSUPPORTED', async () => {
    const [, body, sig] = (await signCard(cardPayload(), issuer)).split('.')
    const header = Buffer.from(JSON.stringify({ zip: 'DEF', alg: 'HS256', kid: issuer.kid })).toString(
      'base64url',
    )
    const result = await verify([shcOf(`${header}.${body}.${sig}`)])
    expect(failures(result)).toEqual([['signature', 'ERR_ALG_UNSUPPORTED']])
  })

  it.each([
    ['two parts', 'eyJh.eyJh'],
    ['an empty signature', 'eyJh.eyJh.'],
    ['a header that is not JSON', 'bm90.eyJh.c2ln'],
    ['a character outside base64url', 'eyJh.ey=h.c2ln'],
  ])('a JWS with %s fails decode with ERR_JWS (exit 3)', async (_, jws) => {
    const result = await verify([shcOf(jws)])
    expect(failures(result)).toEqual([['decode', 'ERR_JWS']])
    expect(exitCodeOf(result)).toBe(3)
  })

  it('a payload nested 6,000 levels deep or a header 200 fails decode with ERR_JWS, in verify and decode', async () => {
    const deep = '{"a":'.repeat(6000) + '1' + '}'.repeat(6000)
    const text = `{"iss":"https://example.org/issuer","nbf":${NBF},"x":${deep}}`
    const card = shcOf(await signCard(undefined, issuer, { payloadBytes: deflateRawSync(Buffer.from(text)) }))
    const result = await verify([card])
    expect(failures(result)).toEqual([['decode', 'ERR_JWS']])
    expect(result.errors[0]?.message).toMatch(/nests more than 64 levels/)
    expect(() => JSON.stringify(result)).not.toThrow()
    expect(() => decodeShc([card], 'card')).toThrow(/nests more than 64 levels/)
    const header = Buffer.from(`{"alg":"ES256","x":${'['.repeat(200)}${']'.repeat(200)}}`).toString(
      'base64url',
    )
    const deepHeader = await verify([shcOf(`${header}.eyJh.c2ln`)])
    expect(failures(deepHeader)).toEqual([['decode', 'ERR_JWS']])
  })

  it('never quotes the holder data in its messages', async () => {
    const p = payload()
    p.vc.credentialSubject.fhirBundle.resourceType = 'Testperson'
    const result = await verify([shcOf(await signCard({ ...p, exp: NBF + 1 }, issuer))])
    expect(result.errors.length).toBe(2)
    for (const e of result.errors) expect(e.message).not.toMatch(/Testperson|Jane|1970-02-03/)
  })
})

describe('the JWK Set given with --trust', () => {
  it('passes over a private key, another curve and garbage, with a warning each', async () => {
    const path = join(tmp, 'mixed.json')
    writeFileSync(
      path,
      JSON.stringify({
        keys: [{ ...issuer.jwk, d: 'secret' }, { kty: 'EC', crv: 'P-384', x: 'a', y: 'b' }, 7, issuer.jwk],
      }),
    )
    const { keys: loaded, others } = await loadShcTrust([path])
    expect(others).toEqual([])
    expect(loaded.size).toBe(1)
    expect(loaded.warnings.map((w) => w.replace(/.*index (\d).*/, '$1'))).toEqual(['0', '1', '2'])
    expect(loaded.warnings.join('\n')).not.toContain('secret')
  })

  it('a JWK Set with no usable key is ERR_TRUST; other sources are left to the HCERT trust list', async () => {
    const empty = join(tmp, 'empty-jwks.json')
    writeFileSync(empty, '{"keys": []}')
    await expect(loadShcTrust([empty])).rejects.toThrow(DccError)
    await expect(loadShcTrust([empty])).rejects.toMatchObject({ code: 'ERR_TRUST' })
    const list = join(tmp, 'list.json')
    writeFileSync(list, '{"certificates": []}')
    expect((await loadShcTrust([list, tmp])).others).toEqual([list, tmp])
  })
})

describe('cards among the inputs of hcert verify', () => {
  const run = async (args: string[]): Promise<SourcedVerifyResult[]> => {
    const out: SourcedVerifyResult[] = []
    for await (const r of verifyCertificates(args, Readable.from([]), {
      trust: new TrustList(),
      now: NOW,
      shcKeys: keys,
    }))
      out.push(r)
    return out
  }

  it('chunks given as separate inputs are one card; an incomplete card is ERR_SHC_CHUNK at the end', async () => {
    const chunks = chunksOf(await signCard(cardPayload(), issuer), 2)
    const lone = chunksOf(await signCard(cardPayload(), issuer), 3)
    const results = await run([chunks[1] as string, lone[0] as string, chunks[0] as string])
    expect(results.map((r) => [r.source, r.valid, r.errors[0]?.code])).toEqual([
      ['argument + argument', true, undefined],
      ['argument', false, 'ERR_SHC_CHUNK'],
    ])
    expect(exitCodeOf(results[1] as SourcedVerifyResult)).toBe(3)
  })

  it('a chunk given again with other digits starts another card (an identical one is merged: tester-findings.test.ts)', async () => {
    const a = chunksOf(await signCard(cardPayload(), issuer), 2)
    const b = chunksOf(await signCard({ ...cardPayload(), iss: 'https://other.example.org' }, issuer), 2)
    const results = await run([a[0], b[0], b[1]] as string[])
    expect(results.map((r) => [r.valid, r.errors[0]?.code])).toEqual([
      [false, 'ERR_SHC_CHUNK'],
      [true, undefined],
    ])
  })
})
