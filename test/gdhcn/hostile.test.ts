/** Malformed WHO payloads and DID trust lists: a coded result or warning, never a crash. */
import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { encodeCbor } from '../../src/codec/cbor.js'
import { DccError } from '../../src/errors.js'
import { describeWhoPayload } from '../../src/gdhcn/describe-who.js'
import { verifyDidProof } from '../../src/gdhcn/did-proof.js'
import { parseClaims } from '../../src/cwt/claims.js'
import { loadTrustList } from '../../src/services/load-trust.js'
import { checkWhoSchema } from '../../src/gdhcn/check-who-schema.js'
import { generateKeyPairSync } from 'node:crypto'
import { importJWK } from 'jose'

const ODD: unknown[] = [
  null,
  0,
  -1,
  1.5,
  '',
  'x',
  [],
  [1, 'a'],
  { v: null },
  { vx: 3 },
  { code: 5 },
  { toString: 1 },
  true,
]

describe('malformed WHO payloads', () => {
  it.each([
    [-6, 'icvp'],
    [3, 'ddcc-vs'],
    [4, 'ddcc-tr'],
    [5, 'link'],
  ] as const)(
    'under -260 / %s: decode gives ERR_CWT or a payload; describe and schema never throw',
    (key, kind) => {
      for (const value of ODD) {
        for (const payload of [
          value,
          { n: value, v: value, vx: value, vaccination: value, test: value, uri: value },
        ]) {
          const bytes = encodeCbor(new Map<unknown, unknown>([[-260, new Map([[key, payload]])]]))
          let claims
          try {
            claims = parseClaims(bytes)
          } catch (err) {
            expect(err).toBeInstanceOf(DccError)
            continue
          }
          expect(claims.kind).toBe(kind)
          expect(() => describeWhoPayload(kind, claims.hcert)).not.toThrow()
          expect(Array.isArray(checkWhoSchema(kind, claims.hcert))).toBe(true)
        }
      }
    },
  )
})

describe('malformed DID trust lists', () => {
  const dir = mkdtempSync(join(tmpdir(), 'hcert-did-bad-'))
  const write = (name: string, json: unknown): string => {
    const path = join(dir, name)
    writeFileSync(path, JSON.stringify(json))
    return path
  }

  it('a verificationMethod that is not a list is ERR_TRUST', () => {
    const path = write('a.json', { id: 'did:web:x', verificationMethod: 5 })
    expect(() => loadTrustList([path])).toThrow(expect.objectContaining({ code: 'ERR_TRUST' }))
  })

  it('entries without a usable key are passed over with warnings; nothing usable is ERR_TRUST', () => {
    const entries = [
      null,
      7,
      {},
      { publicKeyJwk: { kty: 'EC' } },
      { publicKeyJwk: { x5c: ['not base64 !!'] } },
      { publicKeyJwk: { x5c: [42] } },
      {
        id: 'did:web:x:trustlist:ICVP:XXA:DSC#%E0%A4%A',
        publicKeyJwk: { kty: 'RSA', n: '!!', e: 1, x5c: ['AAAA'] },
      },
    ]
    const path = write('b.json', { id: 'did:web:x', verificationMethod: entries })
    expect(() => loadTrustList([path])).toThrow(expect.objectContaining({ code: 'ERR_TRUST' }))
  })

  it('a proof of any shape is failed or unchecked, never a crash', async () => {
    const key = await importJWK(
      generateKeyPairSync('ec', { namedCurve: 'P-256' }).publicKey.export({ format: 'jwk' }),
      'ES256',
    )
    const base = { '@context': ['https://www.w3.org/ns/did/v1'], id: 'did:web:x', verificationMethod: [] }
    for (const proof of [
      undefined,
      1,
      {},
      { type: 'JsonWebSignature2020' },
      { type: 'JsonWebSignature2020', jws: 'a..b' },
      { type: 'JsonWebSignature2020', jws: 'a.b.c' },
      { type: 'Ed25519Signature2020' },
    ]) {
      const outcome = await verifyDidProof({ ...base, proof }, key)
      expect(['failed', 'unchecked']).toContain(outcome.status)
    }
    const odd = await verifyDidProof(
      {
        ...base,
        '@context': ['https://example.org/ctx'],
        proof: { type: 'JsonWebSignature2020', jws: 'e30..AA' },
      },
      key,
    )
    expect(odd).toMatchObject({ status: 'unchecked' })
  })
})
