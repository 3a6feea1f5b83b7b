/**
 * SMART Health Cards made by the tests: a P-256 issuer key as a JWK (kid its RFC 7638 thumbprint),
 * a card payload with a FHIR bundle, the JWS signed with jose over the raw-DEFLATE payload, and its
 * `shc:/` text, whole or in chunks.
 */
import { writeFileSync } from 'node:fs'
import { deflateRawSync } from 'node:zlib'
import {
  calculateJwkThumbprint,
  CompactSign,
  exportJWK,
  generateKeyPair,
  type CryptoKey,
  type JWK,
} from 'jose'
import { encodeNumeric } from '../../src/shc/numeric.js'

export interface Issuer {
  privateKey: CryptoKey
  /** the public JWK as a JWK Set holds it */
  jwk: JWK
  kid: string
}

export async function makeIssuer(): Promise<Issuer> {
  const { privateKey, publicKey } = await generateKeyPair('ES256', { extractable: true })
  const { kty, crv, x, y } = await exportJWK(publicKey)
  const kid = await calculateJwkThumbprint({ kty, crv, x, y })
  return { privateKey, kid, jwk: { kty, crv, x, y, kid, use: 'sig', alg: 'ES256' } }
}

export function writeJwks(path: string, ...jwks: JWK[]): string {
  writeFileSync(path, JSON.stringify({ keys: jwks }))
  return path
}

/** 2021-06-01T00:00:00Z */
export const NBF = 1622505600

export function cardPayload(): Record<string, unknown> {
  return {
    iss: 'https://issuer.example.org',
    nbf: NBF,
    vc: {
      type: ['https://smarthealth.cards#health-card'],
      credentialSubject: {
        fhirVersion: '4.0.1',
        fhirBundle: {
          resourceType: 'Bundle',
          type: 'collection',
          entry: [
            {
              fullUrl: 'resource:0',
              resource: {
                resourceType: 'Patient',
                name: [{ family: 'Testperson', given: ['Jane'] }],
                birthDate: '1970-02-03',
              },
            },
            {
              fullUrl: 'resource:1',
              resource: {
                resourceType: 'Immunization',
                status: 'completed',
                vaccineCode: { coding: [{ system: 'http://hl7.org/fhir/sid/cvx', code: '207' }] },
                patient: { reference: 'resource:0' },
                occurrenceDateTime: '2021-05-01',
                lotNumber: 'LOT-1',
              },
            },
          ],
        },
      },
    },
  }
}

export interface SignOptions {
  /** header fields to set or, when undefined, to drop (default alg ES256, zip DEF, kid the issuer's) */
  header?: Record<string, unknown>
  /** the payload bytes as signed, instead of the raw DEFLATE of the JSON */
  payloadBytes?: Uint8Array
}

export async function signCard(payload: unknown, issuer: Issuer, options: SignOptions = {}): Promise<string> {
  const header: Record<string, unknown> = { zip: 'DEF', alg: 'ES256', kid: issuer.kid, ...options.header }
  for (const [name, value] of Object.entries(header)) if (value === undefined) delete header[name]
  const bytes =
    options.payloadBytes ??
    (header.zip === 'DEF'
      ? deflateRawSync(Buffer.from(JSON.stringify(payload)))
      : Buffer.from(JSON.stringify(payload)))
  return new CompactSign(bytes).setProtectedHeader(header as { alg: string }).sign(issuer.privateKey)
}

export const shcOf = (jws: string): string => `shc:/${encodeNumeric(jws)}`

/** The card in `n` chunks `shc:/i/n/…`, in order (each an even number of digits). */
export function chunksOf(jws: string, n: number): string[] {
  const per = Math.ceil(jws.length / n)
  return Array.from(
    { length: n },
    (_, i) => `shc:/${i + 1}/${n}/${encodeNumeric(jws.slice(i * per, (i + 1) * per))}`,
  )
}
