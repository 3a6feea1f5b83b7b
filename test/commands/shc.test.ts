/**
 * `hcert decode` and `hcert verify` of SMART Health Cards as a user runs them: the gdhcn-validator
 * sample, cards made by the tests as text, files, chunks (arguments, lines, images) and QR images
 * (byte `shc:/` then numeric segment, drawn with the qrcode library), verified against a JWK Set.
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { inflateRawSync } from 'node:zlib'
import { beforeAll, describe, expect, it } from 'vitest'
import { runCli } from '../helpers/cli.js'
import { grayPng, renderQr } from '../helpers/qr-raster.js'
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

const FIXTURES = join(import.meta.dirname, '..', 'fixtures', 'shc')
const SAMPLE = join(FIXTURES, 'SHCQR1Contents.txt')
const SAMPLE_JWKS = join(FIXTURES, 'example-issuer-jwks.json')
const tmp = mkdtempSync(join(tmpdir(), 'hcert-shc-cli-'))
const AT = new Date((NBF + 86400) * 1000).toISOString()
let issuer: Issuer
let jwks: string
let card: string
let jws: string

beforeAll(async () => {
  issuer = await makeIssuer()
  jwks = writeJwks(join(tmp, 'jwks.json'), issuer.jwk)
  jws = await signCard(cardPayload(), issuer)
  card = shcOf(jws)
})

const json = (stdout: string): Record<string, unknown> => JSON.parse(stdout) as Record<string, unknown>
const lines = (stdout: string): Array<Record<string, unknown>> =>
  stdout
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as Record<string, unknown>)

describe('hcert decode of a SMART Health Card', () => {
  it('shows the sample in words, down to each FHIR resource', () => {
    const { code, stdout } = runCli(['decode', SAMPLE, '--at', '2022-06-01'])
    expect(code).toBe(0)
    expect(stdout).toContain('SMART Health Card')
    expect(stdout).toMatch(/Issuer\s+https:\/\/spec.smarthealth.cards\/examples\/issuer/)
    expect(stdout).toMatch(/Immunization \(resource:2\)/)
    expect(stdout).toMatch(/Vaccine\s+207 \(http:\/\/hl7.org\/fhir\/sid\/cvx\)/)
  })

  it('--json gives kind shc, the JWS payload exactly as signed, and the FHIR bundle', () => {
    const { code, stdout } = runCli(['decode', SAMPLE, '--json', '--layers'])
    expect(code).toBe(0)
    const result = json(stdout)
    const unpacked = readFileSync(join(FIXTURES, 'SHCQR1Unpacked.txt'), 'utf8')
    expect((result.layers as { jws: string }).jws).toBe(unpacked)
    const payload = JSON.parse(
      inflateRawSync(Buffer.from(unpacked.split('.')[1] as string, 'base64url')).toString(),
    )
    expect(result.kind).toBe('shc')
    expect(result.payload).toEqual(payload)
    expect(result.fhirBundle).toEqual(payload.vc.credentialSubject.fhirBundle)
    expect(result.warnings).toEqual([])
  })

  it('reassembles a chunked card from arguments, from the lines of a file, in any order', () => {
    const [one, two, three] = chunksOf(jws, 3) as [string, string, string]
    const fromArgs = runCli(['decode', three, one, two, '--json'])
    expect(fromArgs.code).toBe(0)
    expect(json(fromArgs.stdout).payload).toEqual(cardPayload())
    const file = join(tmp, 'chunks.txt')
    writeFileSync(file, `${two}\n${three}\n${one}\n`)
    const fromFile = runCli(['decode', file, '--json'])
    expect(fromFile.code).toBe(0)
    expect(json(fromFile.stdout)).toMatchObject({ kind: 'shc', source: file, payload: cardPayload() })
  })

  it('a chunk missing, or an HCERT among the inputs, is a coded error, never a bug', () => {
    const [one, , three] = chunksOf(jws, 3) as [string, string, string]
    const missing = runCli(['decode', one, three, '--json'])
    expect(missing.code).toBe(3)
    expect(json(missing.stdout)).toMatchObject({ error: { code: 'ERR_SHC_CHUNK' } })
    const mixed = runCli([
      'decode',
      one,
      join(import.meta.dirname, '..', '..', 'examples', 'vaccination.hc1.txt'),
    ])
    expect(mixed.code).toBe(2)
  })
})

describe('hcert verify of a SMART Health Card', () => {
  it('verifies the sample against the example issuer JWK Set, and an HCERT beside it', () => {
    const hc1 = join(import.meta.dirname, '..', '..', 'examples', 'vaccination.hc1.txt')
    const trust = join(import.meta.dirname, '..', '..', 'keys-example', 'trust-list.json')
    const run = runCli([
      'verify',
      SAMPLE,
      hc1,
      '--trust',
      SAMPLE_JWKS,
      '--trust',
      trust,
      '--at',
      '2021-07-01',
      '--json',
    ])
    expect(run.stderr).toBe('')
    expect(run.code).toBe(0)
    const [shc, dcc] = lines(run.stdout)
    expect(shc).toMatchObject({
      kind: 'shc',
      valid: true,
      kid: '3Kfdg-XwP-7gXyywtUfUADwBumDOPKMQx-iELL11W9s',
    })
    expect(dcc).toMatchObject({ valid: true })
    expect(dcc?.kind).toBe('dcc')
  })

  it('a card made by the test verifies; expired, it is INVALID with exit 4', async () => {
    const ok = runCli(['verify', card, '--trust', jwks, '--at', AT])
    expect(ok.code).toBe(0)
    expect(ok.stdout).toMatch(/^VALID/)
    const expired = shcOf(await signCard({ ...cardPayload(), exp: NBF + 3600 }, issuer))
    const run = runCli(['verify', expired, '--trust', jwks, '--at', AT])
    expect(run.code).toBe(4)
    expect(run.stdout).toMatch(/INVALID[\s\S]*expiration \[ERR_EXPIRED\]/)
  })

  it('chunks on stdin are one card; a card missing a chunk is exit 3', () => {
    const [one, two] = chunksOf(jws, 2) as [string, string]
    const run = runCli(['verify', '--trust', jwks, '--at', AT, '--json'], { input: `${two}\n${one}\n` })
    expect(run.code).toBe(0)
    expect(lines(run.stdout)).toMatchObject([{ source: 'stdin:1 + stdin:2', valid: true }])
    const missing = runCli(['verify', '--trust', jwks, '--at', AT, '--json'], { input: `${two}\n` })
    expect(missing.code).toBe(3)
    expect(lines(missing.stdout)).toMatchObject([{ errors: [{ code: 'ERR_SHC_CHUNK', check: 'unprefix' }] }])
  })

  it('a JWK Set with no usable key is ERR_TRUST (exit 2)', () => {
    const bad = join(tmp, 'bad-jwks.json')
    writeFileSync(bad, JSON.stringify({ keys: [{ kty: 'RSA', n: 'x', e: 'AQAB' }] }))
    const run = runCli(['verify', card, '--trust', bad, '--json'])
    expect(run.code).toBe(2)
    expect(json(run.stdout)).toMatchObject({ error: { code: 'ERR_TRUST' } })
  })
})

describe('QR images of a SMART Health Card', () => {
  it('a code in byte (shc:/) and numeric mode is read, decoded and verified, without a mode warning', async () => {
    const png = join(tmp, 'card.png')
    writeFileSync(png, await grayPng(renderQr(card, { scale: 2, margin: 4, mode: 'shc' })))
    const decoded = runCli(['decode', png, '--json', '--layers'])
    expect(decoded.code).toBe(0)
    const result = json(decoded.stdout)
    expect(result).toMatchObject({ kind: 'shc', payload: cardPayload(), warnings: [] })
    expect((result.layers as { images: Array<{ mode: string }> }).images[0]?.mode).toBe('byte')
    const verified = runCli(['verify', png, '--trust', jwks, '--at', AT, '--json'])
    expect(verified.code).toBe(0)
    expect(lines(verified.stdout)).toMatchObject([{ kind: 'shc', valid: true, warnings: [] }])
  })

  it('the chunks of a card in two images are reassembled', async () => {
    const paths = await Promise.all(
      (chunksOf(jws, 2) as string[]).map(async (chunk, i) => {
        const path = join(tmp, `chunk-${i + 1}.png`)
        writeFileSync(path, await grayPng(renderQr(chunk, { scale: 2, margin: 4, mode: 'shc' })))
        return path
      }),
    )
    const decoded = runCli(['decode', paths[1] as string, paths[0] as string, '--json'])
    expect(decoded.code).toBe(0)
    expect(json(decoded.stdout)).toMatchObject({ kind: 'shc', payload: cardPayload() })
    const verified = runCli(['verify', ...paths, '--trust', jwks, '--at', AT, '--json'])
    expect(verified.code).toBe(0)
    expect(lines(verified.stdout)).toMatchObject([{ valid: true }])
  })
})
