/**
 * What testers found in the SMART Health Card read side: a JWS header with `crit` must fail as
 * ERR_CRITICAL_HEADER (as a COSE `crit` does), not as a bad signature; `verify` and `decode` agree on
 * an identical chunk read twice (merged); `.smart-health-card` files (SMART Health Cards 1.4 "Via
 * File Download", `{"verifiableCredential": [jws, …]}`) are read by both, each JWS a card.
 */
import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Readable } from 'node:stream'
import { deflateRawSync } from 'node:zlib'
import { beforeAll, describe, expect, it } from 'vitest'
import { readArgumentItems, readCertificateInput } from '../../src/services/read-input.js'
import { verifyCertificates, type SourcedVerifyResult } from '../../src/services/verify.js'
import { decodeShcInputs } from '../../src/shc/shc-input.js'
import { loadShcTrust, type ShcKeySet } from '../../src/shc/jwks.js'
import { verifyShc } from '../../src/shc/verify-shc.js'
import { TrustList } from '../../src/trust/trust-list.js'
import { runCli } from '../helpers/cli.js'
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

const tmp = mkdtempSync(join(tmpdir(), 'hcert-shc-findings-'))
const NOW = new Date((NBF + 86400) * 1000)
const AT = NOW.toISOString()
let issuer: Issuer
let keys: ShcKeySet
let jwksPath: string
let jws: string

beforeAll(async () => {
  issuer = await makeIssuer()
  jwksPath = writeJwks(join(tmp, 'jwks.json'), issuer.jwk)
  keys = (await loadShcTrust([jwksPath])).keys
  jws = await signCard(cardPayload(), issuer)
})

/** A JWS signed over any header (jose's CompactSign refuses a crit it does not know), ES256 as IEEE P1363 r||s. */
async function signRaw(header: Record<string, unknown>, payload: unknown): Promise<string> {
  const h = Buffer.from(JSON.stringify(header)).toString('base64url')
  const p = deflateRawSync(Buffer.from(JSON.stringify(payload))).toString('base64url')
  const signature = await crypto.subtle.sign(
    { name: 'ECDSA', hash: 'SHA-256' },
    issuer.privateKey,
    Buffer.from(`${h}.${p}`),
  )
  return `${h}.${p}.${Buffer.from(signature).toString('base64url')}`
}

async function verifyAll(args: string[]): Promise<SourcedVerifyResult[]> {
  const out: SourcedVerifyResult[] = []
  for await (const r of verifyCertificates(args, Readable.from([]), {
    trust: new TrustList(),
    shcKeys: keys,
    now: NOW,
  }))
    out.push(r)
  return out
}

describe('a JWS header with crit', () => {
  it('fails signature with ERR_CRITICAL_HEADER, the only failure, whatever crit names', async () => {
    const header = { zip: 'DEF', alg: 'ES256', kid: issuer.kid }
    const plain = await verifyShc([shcOf(await signRaw(header, cardPayload()))], { keys, now: NOW })
    expect(plain.valid).toBe(true) // the raw signer makes good cards: only crit differs below
    for (const crit of [['exp'], ['x-unknown'], [], 'b64']) {
      const result = await verifyShc(
        [shcOf(await signRaw({ ...header, crit, 'x-unknown': true }, cardPayload()))],
        { keys, now: NOW },
      )
      expect(result.errors.map((e) => [e.check, e.code])).toEqual([['signature', 'ERR_CRITICAL_HEADER']])
      expect(result.checks.signature).toBe('fail')
    }
  })
})

describe('an identical chunk read twice', () => {
  it('is merged by verify as by decode: one valid card, not a failed one and a valid one', async () => {
    const [one, two] = chunksOf(jws, 2) as [string, string]
    const results = await verifyAll([one, one, two])
    expect(results.map((r) => [r.source, r.valid])).toEqual([['argument + argument + argument', true]])
    const decoded = decodeShcInputs(
      [one, one, two].map((text) => ({ source: 'argument', text, warnings: [] })),
      {},
    )
    expect(decoded.payload).toEqual(cardPayload())
  })

  it('a chunk with the same index and other digits still starts another card in verify', async () => {
    const other = await signCard({ ...cardPayload(), iss: 'https://other.example.org' }, issuer)
    const [one, two] = chunksOf(jws, 2) as [string, string]
    const [otherOne, otherTwo] = chunksOf(other, 2) as [string, string]
    const results = await verifyAll([one, otherOne, otherTwo, two])
    expect(results.map((r) => r.valid)).toEqual([false, true, false])
    expect(results.map((r) => r.errors[0]?.code)).toEqual(['ERR_SHC_CHUNK', undefined, 'ERR_SHC_CHUNK'])
  })
})

describe('.smart-health-card files', () => {
  const write = (name: string, content: unknown): string => {
    const path = join(tmp, name)
    writeFileSync(path, typeof content === 'string' ? content : JSON.stringify(content, null, 2))
    return path
  }

  it('decode reads the card of a one-card file, and verify each card of a two-card file', async () => {
    const single = write('one.smart-health-card', { verifiableCredential: [jws] })
    const decoded = runCli(['decode', single, '--json'])
    expect(decoded.stderr).toBe('')
    expect(decoded.code).toBe(0)
    expect(JSON.parse(decoded.stdout)).toMatchObject({ kind: 'shc', source: single, payload: cardPayload() })
    const second = await signCard({ ...cardPayload(), exp: NBF + 3600 }, issuer)
    const two = write('two.smart-health-card', { verifiableCredential: [jws, second] })
    const run = runCli(['verify', two, '--trust', jwksPath, '--at', AT, '--json'])
    expect(run.code).toBe(4)
    const results = run.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { source: string; valid: boolean; errors: Array<{ code: string }> })
    expect(results.map((r) => [r.source, r.valid])).toEqual([
      [`${two}#verifiableCredential[0]`, true],
      [`${two}#verifiableCredential[1]`, false],
    ])
    expect(results[1]?.errors.map((e) => e.code)).toEqual(['ERR_EXPIRED'])
    const many = runCli(['decode', two, '--json'])
    expect(many.code).toBe(3)
    expect(JSON.parse(many.stdout)).toMatchObject({ error: { code: 'ERR_INPUT' } })
  })

  it('decode reads one on stdin too', () => {
    const run = runCli(['decode', '-', '--json'], { input: JSON.stringify({ verifiableCredential: [jws] }) })
    expect(run.code).toBe(0)
    expect(JSON.parse(run.stdout)).toMatchObject({ kind: 'shc', payload: cardPayload() })
  })

  it.each([
    ['no array', { verifiableCredential: 'x' }, /no verifiableCredential array/],
    ['an empty array', { verifiableCredential: [] }, /no verifiableCredential array/],
    ['a number for a JWS', { verifiableCredential: [7] }, /verifiableCredential\[0\] is not a JWS/],
    ['a JWS with a space', { verifiableCredential: ['a.b c.d'] }, /verifiableCredential\[0\] is not a JWS/],
    [
      'a JWS too long for a QR code',
      { verifiableCredential: [`${'a'.repeat(4000)}.b.c`] },
      /fit one QR code/,
    ],
    ['JSON cut short', '{"verifiableCredential": ["a.b', /is not JSON/],
  ])('a file with %s is ERR_INPUT for both commands, never a bug', async (_name, content, message) => {
    const path = write('bad.smart-health-card', content)
    const [item] = await readArgumentItems(path) // verify's reading
    expect(item?.error?.code).toBe('ERR_INPUT')
    expect(item?.error?.message).toMatch(message)
    const decoding = readCertificateInput(path, Readable.from([])) // decode's reading
    await expect(decoding).rejects.toMatchObject({ code: 'ERR_INPUT', message })
  })

  it('as the CLI shows it: exit 3 for decode and verify', () => {
    const path = write('bad-cli.smart-health-card', { verifiableCredential: [7] })
    const decoded = runCli(['decode', path, '--json'])
    expect(decoded.code).toBe(3)
    expect(JSON.parse(decoded.stdout)).toMatchObject({ error: { code: 'ERR_INPUT' } })
    const verified = runCli(['verify', path, '--json', '--trust', jwksPath])
    expect(verified.code).toBe(3)
    expect(JSON.parse(verified.stdout)).toMatchObject({ errors: [{ code: 'ERR_INPUT' }] })
  })
})
