/** GDHCN DID trust lists for tests, with the quirks of published files (DER proof signature, 33-byte JWK coordinates). */
import { sign, type KeyObject } from 'node:crypto'
import { proofVerifyData } from '../../src/gdhcn/did-proof.js'
import type { Signer } from '../../src/keys/signer.js'
import type { FreshKeys } from './keys.js'

export const DID_BASE = 'did:web:tng.example.test:v2:trustlist'
export const DID_CONTEXT = ['https://www.w3.org/ns/did/v1', 'https://w3id.org/security/suites/jws-2020/v1']
export const PROOF_SIGNER = 'did:web:signer.example.test:WHO:signing:DID'

const b64 = (der: Uint8Array): string => Buffer.from(der).toString('base64')
export const kidOf = (signer: Signer): string => Buffer.from(signer.kid).toString('base64')

/** a coordinate as Java's BigInteger writes it: 33 bytes with a leading zero */
export const padded = (coordinate: string): string =>
  Buffer.concat([Buffer.of(0), Buffer.from(coordinate, 'base64url')]).toString('base64url')

/** a verificationMethod as DidTrustListServiceV2 writes it: JsonWebKey2020 with x5c [DSC, SCA] */
export function didMethod(
  domain: string,
  usage: string,
  keys: FreshKeys,
  der = keys.dscDer,
  chain = [der, keys.cscaDer],
) {
  const jwk = keys.signer.certificate.publicKey.export({ format: 'jwk' })
  const kid = kidOf(keys.signer)
  return {
    id: `${DID_BASE}:${domain}:XXA:${usage}#${encodeURIComponent(kid)}`,
    type: 'JsonWebKey2020',
    controller: `${DID_BASE}:${domain}:XXA`,
    publicKeyJwk: {
      kty: 'EC',
      crv: 'P-256',
      kid,
      x5c: chain.map(b64),
      x: padded(jwk.x as string),
      y: padded(jwk.y as string),
    },
  }
}

/** A proof as the TNG writes it: JsonWebSignature2020, b64:false, the ECDSA signature DER-encoded. */
export function proveDid(doc: Record<string, unknown>, key: KeyObject): Record<string, unknown> {
  const proof = {
    type: 'JsonWebSignature2020',
    created: '2024-11-10T12:00:21Z',
    nonce: 'Gp3uOuUTNgAFxm31fIjNy7yYt34aOP0g',
    proofPurpose: 'assertionMethod',
    verificationMethod: PROOF_SIGNER,
  }
  const header = Buffer.from(JSON.stringify({ b64: false, crit: ['b64'], alg: 'ES256' })).toString(
    'base64url',
  )
  const data = proofVerifyData({ ...doc, proof })
  const der = sign('sha256', Buffer.concat([Buffer.from(`${header}.`), data]), key) // DER, as published
  return { ...doc, proof: { ...proof, jws: `${header}..${der.toString('base64url')}` } }
}

/** The proof signer's key as WHO publishes it: a DID document, coordinates padded to 33 bytes. */
export function signerDidDocument(publicKey: KeyObject): Record<string, unknown> {
  const jwk = publicKey.export({ format: 'jwk' })
  return {
    '@context': DID_CONTEXT,
    id: PROOF_SIGNER,
    verificationMethod: [
      {
        id: PROOF_SIGNER,
        type: 'JsonWebKey2020',
        publicKeyJwk: { kty: 'EC', crv: 'P-256', x: padded(jwk.x as string), y: padded(jwk.y as string) },
      },
    ],
  }
}
