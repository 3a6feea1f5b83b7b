/**
 * The SMART Health Card sample of the WHO gdhcn-validator (test/fixtures/shc): it decodes to exactly
 * its unpacked JWS and down to its FHIR bundle, and verifies with the SMART example issuer's key.
 */
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { decodeShc } from '../../src/shc/decode-shc.js'
import { loadShcTrust } from '../../src/shc/jwks.js'
import { shcToJws } from '../../src/shc/read-shc.js'
import { verifyShc } from '../../src/shc/verify-shc.js'

const FIXTURES = join(import.meta.dirname, '..', 'fixtures', 'shc')
const QR_TEXT = readFileSync(join(FIXTURES, 'SHCQR1Contents.txt'), 'utf8').trim()
const UNPACKED = readFileSync(join(FIXTURES, 'SHCQR1Unpacked.txt'), 'utf8')
const JWKS = join(FIXTURES, 'example-issuer-jwks.json')

describe('the gdhcn-validator SHC sample', () => {
  it('decodes to exactly its unpacked JWS', () => {
    expect(shcToJws([QR_TEXT]).jws).toBe(UNPACKED)
  })

  it('decodes down to its FHIR bundle', () => {
    const result = decodeShc([QR_TEXT], 'sample', { layers: true })
    expect(result.kind).toBe('shc')
    expect(result.header).toEqual({
      zip: 'DEF',
      alg: 'ES256',
      kid: '3Kfdg-XwP-7gXyywtUfUADwBumDOPKMQx-iELL11W9s',
    })
    expect(result.claims).toEqual({
      iss: 'https://spec.smarthealth.cards/examples/issuer',
      nbf: 1622576398.924,
    })
    expect(result.fhirBundle).toMatchObject({ resourceType: 'Bundle', type: 'collection' })
    expect((result.fhirBundle?.entry as unknown[]).length).toBe(3)
    expect(result.payload.vc).toMatchObject({ credentialSubject: { fhirVersion: '4.0.1' } })
    expect(result.warnings).toEqual([])
    expect(result.layers).toMatchObject({ chunks: 1, digits: 2 * UNPACKED.length, jws: UNPACKED })
  })

  it('verifies with the example issuer key, and not before its nbf', async () => {
    const { keys } = await loadShcTrust([JWKS])
    const valid = await verifyShc([QR_TEXT], { keys, now: new Date('2024-01-01T00:00:00Z') })
    expect(valid.errors).toEqual([])
    expect(valid.valid).toBe(true)
    expect(Object.values(valid.checks).every((s) => s === 'pass')).toBe(true)
    expect(valid.signer).toBe(`${JWKS} key at index 0`)
    const early = await verifyShc([QR_TEXT], { keys, now: new Date('2021-06-01T00:00:00Z') })
    expect(early.errors.map((e) => [e.check, e.code])).toEqual([['expiration', 'ERR_NOT_YET_VALID']])
  })
})
