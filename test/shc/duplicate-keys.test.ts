/**
 * Duplicate JSON keys in a SMART Health Card (tester finding 3): JSON.parse keeps the last of two
 * `name`s, so a card could show "Mallory" to one verifier and "Alice" to another. A repeated member
 * name in the JWS header or payload is refused (ERR_JWS, naming the key path, never a value), as a
 * CBOR map with a repeated key is.
 */
import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { deflateRawSync } from 'node:zlib'
import { beforeAll, describe, expect, it } from 'vitest'
import { duplicateJsonKey } from '../../src/codec/json-duplicate-key.js'
import { loadShcTrust, type ShcKeySet } from '../../src/shc/jwks.js'
import { readJws } from '../../src/shc/jws.js'
import { verifyShc } from '../../src/shc/verify-shc.js'
import { cardPayload, makeIssuer, NBF, shcOf, writeJwks, type Issuer } from '../helpers/shc.js'

const NOW = new Date((NBF + 86400) * 1000)
let issuer: Issuer
let keys: ShcKeySet

beforeAll(async () => {
  issuer = await makeIssuer()
  const jwksPath = writeJwks(join(mkdtempSync(join(tmpdir(), 'hcert-shc-dup-')), 'jwks.json'), issuer.jwk)
  keys = (await loadShcTrust([jwksPath])).keys
})

/** A JWS signed over header and payload given as JSON text (so that a key can repeat). */
async function signText(header: string, payload: string): Promise<string> {
  const h = Buffer.from(header).toString('base64url')
  const p = deflateRawSync(Buffer.from(payload)).toString('base64url')
  const signature = await crypto.subtle.sign(
    { name: 'ECDSA', hash: 'SHA-256' },
    issuer.privateKey,
    Buffer.from(`${h}.${p}`),
  )
  return `${h}.${p}.${Buffer.from(signature).toString('base64url')}`
}

const header = (): string => JSON.stringify({ alg: 'ES256', zip: 'DEF', kid: issuer.jwk.kid })

describe('duplicateJsonKey', () => {
  it.each([
    ['{"a":1,"b":2}', undefined],
    ['{"a":{"x":1},"b":{"x":1}}', undefined],
    ['[{"a":1},{"a":1}]', undefined],
    ['{"a":1,"a":2}', '/a'],
    ['{"a":1,"n\\u0061me":1,"name":2}', '/name'],
    ['{"v":[{"k":"x"},{"k":"y","k":"z"}]}', '/v/1/k'],
    ['{"s":"{\\"a\\":1,\\"a\\":2}"}', undefined],
    ['{"o":{},"p":[],"q":"a","q":"b"}', '/q'],
    ['{"Alice Smith":1,"Alice Smith":2}', '/(a name of 11 characters)'],
  ])('%s', (text, path) => {
    expect(duplicateJsonKey(text)).toBe(path)
  })
})

describe('verify and decode refuse a card with a repeated key', () => {
  it('two names in the Patient: ERR_JWS naming the path, not a name', async () => {
    const text = JSON.stringify(cardPayload()).replace('"name":[', '"name":[{"family":"Mallory"}],"name":[')
    expect(text).toContain('Mallory')
    const jws = await signText(header(), text)
    const result = await verifyShc([shcOf(jws)], { keys, now: NOW })
    expect(result.valid).toBe(false)
    expect(result.errors[0]?.code).toBe('ERR_JWS')
    expect(result.errors[0]?.message).toBe(
      "decode: the JWS payload has the key /vc/credentialSubject/fhirBundle/entry/0/resource/name twice; a signed JSON object's keys must differ (readers disagree on which one counts)",
    )
    expect(JSON.stringify(result.errors)).not.toContain('Mallory')
    expect(() => readJws(jws)).toThrow(/the JWS payload has the key .*\/name twice/)
  })

  it('a repeated nbf in the payload, a repeated alg in the header', async () => {
    const nbf = await signText(header(), JSON.stringify(cardPayload()).replace('{', `{"nbf":1,`))
    expect((await verifyShc([shcOf(nbf)], { keys, now: NOW })).errors[0]?.message).toContain('/nbf twice')
    const alg = await signText(
      `{"alg":"none","zip":"DEF","kid":"${String(issuer.jwk.kid)}","alg":"ES256"}`,
      JSON.stringify(cardPayload()),
    )
    const result = await verifyShc([shcOf(alg)], { keys, now: NOW })
    expect(result.errors[0]?.code).toBe('ERR_JWS')
    expect(result.errors[0]?.message).toContain('the JWS header has the key /alg twice')
  })
})
