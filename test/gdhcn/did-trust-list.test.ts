/**
 * GDHCN DID trust lists made here, with the quirks of published files (DER proof signatures, JWK
 * coordinates of 33 bytes with a leading zero): they load as signers with domain and usage, filter
 * by domain, and their proof verifies with the signer's key; a bad proof fails.
 */
import { generateKeyPairSync, sign, type KeyObject } from 'node:crypto'
import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { beforeAll, describe, expect, it } from 'vitest'
import { encodeBase45 } from '../../src/codec/base45.js'
import { encodeCbor } from '../../src/codec/cbor.js'
import { addPrefix } from '../../src/codec/prefix.js'
import { deflate } from '../../src/codec/zlib.js'
import { checkDidSources } from '../../src/gdhcn/check-did-sources.js'
import { canonicalNQuads } from '../../src/gdhcn/did-canonical.js'
import { normaliseJwk, rawEcdsa, verifyDidProof } from '../../src/gdhcn/did-proof.js'
import { didScope } from '../../src/gdhcn/did-trust-list.js'
import { signPayload } from '../../src/hcert/sign-hc1.js'
import { verifyHc1 } from '../../src/hcert/verify-hc1.js'
import type { Signer } from '../../src/keys/signer.js'
import { loadTrustList } from '../../src/services/load-trust.js'
import { importJWK } from 'jose'
import {
  DID_BASE,
  DID_CONTEXT,
  didMethod,
  kidOf,
  padded,
  proveDid,
  signerDidDocument,
} from '../helpers/did-trust-list.js'
import { freshKeys, type FreshKeys } from '../helpers/keys.js'

const BASE = DID_BASE
const CONTEXT = DID_CONTEXT
const method = didMethod
const prove = proveDid

let icvp: FreshKeys
let ddcc: FreshKeys
let proofKey: { privateKey: KeyObject; publicKey: KeyObject }
let doc: Record<string, unknown>
let dir: string

beforeAll(async () => {
  icvp = await freshKeys()
  ddcc = await freshKeys()
  proofKey = generateKeyPairSync('ec', { namedCurve: 'P-256' })
  const unsigned = {
    '@context': CONTEXT,
    id: `${BASE}:-:XXA`,
    controller: `${BASE}:-`,
    verificationMethod: [
      method('ICVP', 'DSC', icvp),
      method('DDCC', 'DSC', ddcc),
      method('ICVP', 'SCA', icvp, icvp.cscaDer, [icvp.cscaDer]),
      `${BASE}:PH4H:XXA:DSC`,
    ],
  }
  doc = prove(unsigned, proofKey.privateKey)
  dir = mkdtempSync(join(tmpdir(), 'hcert-did-'))
  writeFileSync(join(dir, 'did.json'), JSON.stringify(doc))
  writeFileSync(join(dir, 'signer-did.json'), JSON.stringify(signerDidDocument(proofKey.publicKey)))
})

const hc1For = (signer: Signer, payload: Map<unknown, unknown>): string =>
  addPrefix(encodeBase45(deflate(signPayload(encodeCbor(payload), signer))))
const ICVP = new Map<unknown, unknown>([
  [1, 'XXA'],
  [6, 1733011200],
  [4, 1800000000],
  [
    -260,
    new Map([
      [-6, { n: 'Test', dob: '1990-01-01', v: { vp: 'XM0N24', dt: '2024-12-01', bo: 'B1', is: 'org' } }],
    ]),
  ],
])
const NOW = new Date('2025-01-01T00:00:00Z')

describe('reading a DID trust list', () => {
  it('reads domain, participant and usage from the DID path; - is a wildcard', () => {
    expect(didScope(`${BASE}:ICVP:XXA:DSC#abc`)).toEqual({ domain: 'ICVP', participant: 'XXA', usage: 'DSC' })
    expect(didScope(`${BASE}:-:XXA`)).toEqual({ participant: 'XXA' })
    expect(didScope('did:web:example.org')).toEqual({})
  })

  it('its DSCs become signers with domain and usage; the SCA is left out; references are listed, not fetched', () => {
    const trust = loadTrustList([join(dir, 'did.json')])
    expect(trust.all().map((c) => [c.kid, c.domain, c.usage])).toEqual([
      [kidOf(icvp.signer), 'ICVP', 'DSC'],
      [kidOf(ddcc.signer), 'DDCC', 'DSC'],
    ])
    expect(trust.didSources[0]?.list.references).toEqual([`${BASE}:PH4H:XXA:DSC`])
    expect(trust.didSources[0]?.list.omitted).toBe(1)
  })

  it('--trust-domain keeps one domain', () => {
    const trust = loadTrustList([join(dir, 'did.json')], { domains: ['icvp'] })
    expect(trust.all().map((c) => c.domain)).toEqual(['ICVP'])
  })

  it('an ICVP signed by the ICVP key verifies, naming its GDHCN domain; signed by the DDCC key it fails keyUsage', () => {
    const trust = loadTrustList([join(dir, 'did.json')])
    const good = verifyHc1(hc1For(icvp.signer, ICVP), { trust, now: NOW })
    expect(good.errors).toEqual([])
    expect(good.signerTrust).toEqual({ domain: 'ICVP', participant: 'XXA', usage: 'DSC' })
    const wrongDomain = verifyHc1(hc1For(ddcc.signer, ICVP), { trust, now: NOW })
    expect(wrongDomain.errors.map((e) => [e.check, e.code])).toEqual([['keyUsage', 'ERR_KEY_USAGE']])
  })

  it('a JWK whose key is not its certificate’s is passed over with a warning', () => {
    const bad = method('ICVP', 'DSC', icvp)
    bad.publicKeyJwk.x = method('ICVP', 'DSC', ddcc).publicKeyJwk.x
    const path = join(dir, 'mismatch.json')
    writeFileSync(
      path,
      JSON.stringify({
        '@context': CONTEXT,
        id: `${BASE}:-`,
        verificationMethod: [bad, method('DDCC', 'DSC', ddcc)],
      }),
    )
    const trust = loadTrustList([path])
    expect(trust.size).toBe(1)
    expect(trust.warnings.join()).toContain('not the key of its x5c certificate')
  })

  it('an x5c chain whose DSC is not signed by the SCA after it is passed over', () => {
    const path = join(dir, 'chain.json')
    const broken = method('ICVP', 'DSC', icvp, icvp.dscDer, [icvp.dscDer, ddcc.cscaDer])
    writeFileSync(
      path,
      JSON.stringify({
        '@context': CONTEXT,
        id: `${BASE}:-`,
        verificationMethod: [broken, method('DDCC', 'DSC', ddcc)],
      }),
    )
    expect(loadTrustList([path]).warnings.join()).toContain('chain that does not hold')
  })
})

describe('the proof', () => {
  it('canonicalises to the URDNA2015 N-Quads of the document (no proof), sorted, the JWK as a JSON literal', () => {
    const nquads = canonicalNQuads(
      {
        id: 'did:web:a:trustlist',
        controller: 'did:web:a',
        verificationMethod: [
          { id: 'did:web:a#k', type: 'JsonWebKey2020', publicKeyJwk: { y: '2', kty: 'EC', x: '1' } },
          'did:web:b',
        ],
      },
      CONTEXT,
    )
    expect(nquads).toBe(
      '<did:web:a#k> <http://www.w3.org/1999/02/22-rdf-syntax-ns#type> <https://w3id.org/security#JsonWebKey2020> .\n' +
        '<did:web:a#k> <https://w3id.org/security#publicKeyJwk> "{\\"kty\\":\\"EC\\",\\"x\\":\\"1\\",\\"y\\":\\"2\\"}"^^<http://www.w3.org/1999/02/22-rdf-syntax-ns#JSON> .\n' +
        '<did:web:a:trustlist> <https://w3id.org/security#controller> <did:web:a> .\n' +
        '<did:web:a:trustlist> <https://w3id.org/security#verificationMethod> <did:web:a#k> .\n' +
        '<did:web:a:trustlist> <https://w3id.org/security#verificationMethod> <did:web:b> .\n',
    )
  })

  it('a DER signature becomes raw r‖s', () => {
    const der = sign('sha256', Buffer.from('x'), proofKey.privateKey)
    expect(der[0]).toBe(0x30)
    const raw = rawEcdsa(der)
    expect(raw).toHaveLength(64)
    expect(
      sign('sha256', Buffer.from('x'), { key: proofKey.privateKey, dsaEncoding: 'ieee-p1363' }),
    ).toHaveLength(64)
    expect(rawEcdsa(raw)).toBe(raw)
  })

  it('verifies with the signer key (JWK coordinates of 33 bytes normalised), and fails for a changed document or another key', async () => {
    const jwk = proofKey.publicKey.export({ format: 'jwk' })
    const key = await importJWK(
      normaliseJwk({ ...jwk, x: padded(jwk.x as string), y: padded(jwk.y as string) }),
      'ES256',
    )
    expect((await verifyDidProof(doc, key)).status).toBe('verified')
    const tampered = structuredClone(doc) as { verificationMethod: Array<{ publicKeyJwk: { kid: string } }> }
    ;(tampered.verificationMethod[0] as { publicKeyJwk: { kid: string } }).publicKeyJwk.kid = 'AAAAAAAAAAA='
    expect(await verifyDidProof(tampered as unknown as Record<string, unknown>, key)).toMatchObject({
      status: 'failed',
    })
    const other = await importJWK(
      normaliseJwk(generateKeyPairSync('ec', { namedCurve: 'P-256' }).publicKey.export({ format: 'jwk' })),
      'ES256',
    )
    expect(await verifyDidProof(doc, other)).toMatchObject({ status: 'failed' })
  })

  it('with --trust-proof-key the proof is checked (a DID document as the key); without, a warning says it was not', async () => {
    const trust = loadTrustList([join(dir, 'did.json')])
    const checked = await checkDidSources(trust, join(dir, 'signer-did.json'))
    expect(checked.join('\n')).toContain(
      'proof verified (JsonWebSignature2020, did:web:signer.example.test:WHO:signing:DID)',
    )
    expect(checked[0]).toContain('signers ICVP DSC 1, DDCC DSC 1')
    const unchecked = await checkDidSources(trust, undefined)
    expect(unchecked.join('\n')).toContain('proof not checked')
  })

  it('a DID document or proof key nesting 100,000 objects is ERR_TRUST as it is read, not a stack overflow', async () => {
    const nest = (n: number): string => '{"a":'.repeat(n) + '1' + '}'.repeat(n)
    const text = JSON.stringify(doc).replace('"kty":"EC"', `"deep":${nest(100_000)},"kty":"EC"`)
    expect(text).toContain('"deep"')
    const path = join(dir, 'deep-did.json')
    writeFileSync(path, text)
    expect(() => loadTrustList([path])).toThrow(expect.objectContaining({ code: 'ERR_TRUST' }))
    const key = join(dir, 'deep-key.json')
    writeFileSync(key, `{"kty":"EC","crv":"P-256","x":${nest(100_000)}}`)
    const trust = loadTrustList([join(dir, 'did.json')])
    await expect(checkDidSources(trust, key)).rejects.toMatchObject({ code: 'ERR_TRUST' })
  })

  it("the summary lines escape the document's own control characters (ESC, BEL, C1, RLO)", async () => {
    const evil = '\u001b[31m\u0007\u009b\u202e'
    const unsigned = {
      '@context': CONTEXT,
      id: `${BASE}:-:XXA${evil}`,
      controller: `${BASE}:-`,
      verificationMethod: [method('ICVP', 'DSC', icvp)],
    }
    const signed = prove(unsigned, proofKey.privateKey) as { proof: Record<string, unknown> }
    const path = join(dir, 'evil-did.json')
    writeFileSync(path, JSON.stringify(signed))
    const lines = await checkDidSources(loadTrustList([path]), undefined)
    expect(lines.join('\n')).toContain('XXA\\u001b[31m\\u0007\\u009b\\u202e')
    // eslint-disable-next-line no-control-regex
    for (const line of lines) expect(line).not.toMatch(/[\u0000-\u001f\u007f-\u009f\u202e]/)
  })

  it('--trust-proof-key or --trust-domain without a DID trust list is a usage error', async () => {
    const plain = loadTrustList([join(import.meta.dirname, '..', '..', 'keys-example', 'trust-list.json')])
    await expect(checkDidSources(plain, join(dir, 'signer-did.json'))).rejects.toMatchObject({
      code: 'ERR_USAGE',
    })
    await expect(checkDidSources(plain, undefined, ['ICVP'])).rejects.toMatchObject({ code: 'ERR_USAGE' })
    expect(await checkDidSources(plain, undefined)).toEqual([])
  })

  it('a bad proof refuses the trust list with ERR_TRUST', async () => {
    const path = join(dir, 'bad.json')
    const bad = structuredClone(doc) as { controller: string }
    bad.controller = `${BASE}:ICVP`
    writeFileSync(path, JSON.stringify(bad))
    await expect(checkDidSources(loadTrustList([path]), join(dir, 'signer-did.json'))).rejects.toMatchObject({
      code: 'ERR_TRUST',
      message: expect.stringContaining('does not verify'),
    })
  })
})
