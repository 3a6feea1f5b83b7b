/**
 * A document signer whose private key stays in a PKCS#11 token. ES256: CKM_ECDSA over a SHA-256
 * digest computed here (SoftHSM2 and many HSMs have no CKM_ECDSA_SHA256), which PKCS#11 returns as
 * r‖s already (PKCS#11 v2.40 current mechanisms §2.3.1), COSE's form. PS256: CKM_RSA_PKCS_PSS over
 * the digest with CKM_SHA256, CKG_MGF1_SHA256 and a 32-byte salt (RFC 8230 §2).
 *
 * Every signature is checked with the certificate's public key before it is returned: SoftHSM2 on
 * OpenSSL 3 is known to return bad signatures now and then. A bad one is reported on stderr and the
 * digest signed again; after MAX_ATTEMPTS bad ones signing stops with ERR_KEYS. Nothing unchecked is
 * ever issued.
 */
import { constants, createHash, verify, type KeyObject } from 'node:crypto'
import { ALG_ID } from '../../cose/algorithms.js'
import { DccError } from '../../errors.js'
import { parseTrustedCertificate } from '../../trust/trusted-certificate.js'
import { computeKid } from '../kid.js'
import { algFor, signatureBytesOf, type Signer } from '../signer.js'
import type { KeyReference } from './key-reference.js'
import { findTokenKey } from './token-key.js'
import { ckr, openToken, type Handle, type TokenSession } from './token.js'

export const MAX_ATTEMPTS = 3

export interface TokenSigner extends Signer {
  /** signatures the token returned that did not verify (each signed again) */
  badSignatures: () => number
}

/**
 * A signature from `rawSign` that `check` accepts, trying at most MAX_ATTEMPTS times; `report` is
 * told of each bad one. ERR_KEYS when none verifies.
 */
export function verifiedSignature(
  rawSign: () => Uint8Array,
  check: (signature: Uint8Array) => boolean,
  report: (attempt: number) => void,
): Uint8Array {
  for (let attempt = 1; attempt <= MAX_ATTEMPTS; attempt++) {
    const signature = rawSign()
    if (check(signature)) return signature
    report(attempt)
  }
  throw new DccError(
    'ERR_KEYS',
    `keys: the PKCS#11 token returned ${MAX_ATTEMPTS} signatures in a row that do not verify with the DSC's public key; nothing was issued with them. Check the token (and its module's version)`,
  )
}

/** Open the token of `reference` with `pin` (this thread's own session) and find the DSC key in it. */
export function createTokenSigner(
  reference: KeyReference,
  pin: string,
  certificateDer: Uint8Array,
  origin: string,
  options: { pinTyped?: boolean } = {},
): TokenSigner {
  const certificate = parseTrustedCertificate(certificateDer, origin)
  const alg = algFor(certificate.publicKey)
  const t = openToken(reference.module, reference.token, pin, options)
  const key = findTokenKey(t, reference.keyLabel, reference.keyId)
  const publicKey = certificate.publicKey
  const spki = (k: KeyObject): Buffer => k.export({ type: 'spki', format: 'der' })
  if (!spki(publicKey).equals(spki(key.publicKey)))
    throw new DccError(
      'ERR_KEYS',
      `keys: the key '${reference.keyLabel}' in token '${reference.token}' does not belong to the certificate ${origin}`,
    )
  const signatureBytes = signatureBytesOf(publicKey, alg)
  const mechanism =
    alg === 'ES256'
      ? { mechanism: t.p.CKM_ECDSA }
      : {
          mechanism: t.p.CKM_RSA_PKCS_PSS,
          parameter: {
            type: t.p.CK_PARAMS_RSA_PSS,
            hashAlg: t.p.CKM_SHA256,
            mgf: t.p.CKG_MGF1_SHA256,
            saltLen: 32,
          },
        }
  const check =
    alg === 'ES256'
      ? (data: Uint8Array, signature: Uint8Array): boolean =>
          verify('sha256', data, { key: publicKey, dsaEncoding: 'ieee-p1363' }, signature)
      : (data: Uint8Array, signature: Uint8Array): boolean =>
          verify(
            'sha256',
            data,
            { key: publicKey, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: 32 },
            signature,
          )
  let bad = 0
  const where = `token '${reference.token}'`
  const sign = (toBeSigned: Uint8Array): Uint8Array => {
    const digest = createHash('sha256').update(toBeSigned).digest()
    return verifiedSignature(
      () => tokenSign(t, mechanism, key.privateKey, digest, signatureBytes),
      (signature) => {
        try {
          return check(toBeSigned, signature)
        } catch {
          return false // a signature of the wrong length or shape
        }
      },
      (attempt) => {
        bad++
        process.stderr.write(
          `warning: ${where} returned a signature that does not verify (attempt ${attempt} of ${MAX_ATTEMPTS}); signing again\n`,
        )
      },
    )
  }
  return {
    alg,
    algId: ALG_ID[alg],
    kid: computeKid(certificateDer),
    certificate,
    signatureBytes,
    location: { kind: 'pkcs11', ...reference },
    sign,
    threadSafe: t.threadSafe,
    badSignatures: () => bad,
  }
}

function tokenSign(
  t: TokenSession,
  mechanism: Parameters<TokenSession['lib']['C_SignInit']>[1],
  key: Handle,
  digest: Buffer,
  signatureBytes: number,
): Uint8Array {
  try {
    t.lib.C_SignInit(t.session, mechanism, key)
    return t.lib.C_Sign(t.session, digest, Buffer.allocUnsafe(signatureBytes))
  } catch (cause) {
    throw new DccError(
      'ERR_KEYS',
      `keys: token '${t.token}' refused to sign (${ckr(cause) ?? 'error'}); check that it is still connected and logged in`,
      { cause },
    )
  }
}
