/** Checking a COSE_Sign1 signature: ES256 (raw r‖s, 64 bytes) and PS256 (RSASSA-PSS, SHA-256, salt 32). */
import { constants, verify, type KeyObject } from 'node:crypto'
import { ALG_ID } from './algorithms.js'
import { buildSigStructure, type Sign1 } from './sign1.js'

export type SignatureOutcome = 'valid' | 'invalid' | 'unsupported-alg' | 'key-mismatch'

export function verifySign1(sign1: Sign1, key: KeyObject, sigStructure?: Uint8Array): SignatureOutcome {
  const toBeSigned = sigStructure ?? buildSigStructure(sign1.protectedBytes, sign1.payload)
  const type = key.asymmetricKeyType
  if (sign1.alg === ALG_ID.ES256) {
    if (type !== 'ec') return 'key-mismatch'
    if (sign1.signature.length !== 64) return 'invalid'
    return verify('sha256', toBeSigned, { key, dsaEncoding: 'ieee-p1363' }, sign1.signature)
      ? 'valid'
      : 'invalid'
  }
  if (sign1.alg === ALG_ID.PS256) {
    if (type !== 'rsa' && type !== 'rsa-pss') return 'key-mismatch'
    const ok = verify(
      'sha256',
      toBeSigned,
      { key, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: 32 },
      sign1.signature,
    )
    return ok ? 'valid' : 'invalid'
  }
  return 'unsupported-alg'
}
