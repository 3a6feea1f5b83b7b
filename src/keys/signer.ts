/**
 * A document signer ready to sign: algorithm, kid and certificate parsed once, and a `sign` that
 * returns COSE's raw signature. Two kinds: a private key on disk (node:crypto, this module) and a key
 * inside a PKCS#11 token (keys/pkcs11/token-signer.ts).
 */
import { constants, createPrivateKey, createPublicKey, sign, type KeyObject } from 'node:crypto'
import { ALG_ID, type SupportedAlg } from '../cose/algorithms.js'
import { rawSignature } from '../cose/verify-signature.js'
import { DccError } from '../errors.js'
import { parseTrustedCertificate, type TrustedCertificate } from '../trust/trusted-certificate.js'
import { computeKid } from './kid.js'

/** Where a signer's private key lives: a file, or a PKCS#11 token (never the PIN). */
export type KeyLocation =
  { kind: 'file' } | { kind: 'pkcs11'; module: string; token: string; keyLabel: string; keyId: string }

export interface Signer {
  alg: SupportedAlg
  algId: number
  kid: Uint8Array
  certificate: TrustedCertificate
  /** bytes of a signature: 64 for ES256 (r‖s), the modulus length for PS256 */
  signatureBytes: number
  location: KeyLocation
  /** false when the key's PKCS#11 module cannot be used from several threads: sign on one */
  threadSafe: boolean
  /**
   * The COSE signature of a Sig_structure (RFC 9052 §4.4): ES256 as r‖s of 32 bytes each (RFC 9053
   * §2.1), PS256 as RSASSA-PSS with SHA-256, MGF1-SHA-256 and a 32-byte salt (RFC 8230 §2).
   * Throws ERR_KEYS when a token refuses to sign.
   */
  sign(toBeSigned: Uint8Array): Uint8Array
}

export function algFor(key: KeyObject): SupportedAlg {
  const type = key.asymmetricKeyType
  if (type === 'ec') {
    const curve = key.asymmetricKeyDetails?.namedCurve
    if (curve !== 'prime256v1' && curve !== 'P-256') {
      throw new DccError(
        'ERR_KEYS',
        `keys: EC keys must be on P-256 for ES256 (this one is on ${curve ?? 'an unknown curve'})`,
      )
    }
    return 'ES256'
  }
  if (type === 'rsa' || type === 'rsa-pss') {
    const bits = key.asymmetricKeyDetails?.modulusLength ?? 0
    if (bits < 2048 || bits > 4096)
      throw new DccError(
        'ERR_KEYS',
        `keys: RSA keys for PS256 must have 2048 to 4096 bits (this one has ${bits})`,
      )
    return 'PS256'
  }
  throw new DccError(
    'ERR_KEYS',
    `keys: ${type ?? 'this'} keys are not supported; HCERT signs with ES256 (P-256) or PS256 (RSA)`,
  )
}

/**
 * Read a private key in PEM (PKCS#8, PKCS#1 or SEC1, optionally encrypted) or DER (PKCS#8, PKCS#1 or SEC1).
 * The passphrase is needed only for an encrypted key.
 */
export function readPrivateKey(bytes: Uint8Array, origin: string, passphrase?: string): KeyObject {
  const text = Buffer.from(bytes).toString('utf8')
  const isPem = text.includes('-----BEGIN')
  const encrypted = text.includes('ENCRYPTED')
  if (isPem && encrypted && !passphrase) {
    throw new DccError(
      'ERR_KEYS',
      `keys: ${origin} is encrypted; give its passphrase in HCERT_KEY_PASSPHRASE (or at the prompt)`,
    )
  }
  const attempts: Array<Parameters<typeof createPrivateKey>[0]> = isPem
    ? [{ key: text, format: 'pem', ...(passphrase ? { passphrase } : {}) }]
    : (['pkcs8', 'pkcs1', 'sec1'] as const).map((type) => ({
        key: Buffer.from(bytes),
        format: 'der' as const,
        type,
      }))
  for (const attempt of attempts) {
    try {
      return createPrivateKey(attempt)
    } catch (cause) {
      if (isPem) {
        const wrongPass = encrypted && /decrypt|bad/i.test((cause as Error).message)
        throw new DccError(
          'ERR_KEYS',
          wrongPass
            ? `keys: the passphrase for ${origin} is wrong`
            : `keys: ${origin} is not a private key this tool can read (PKCS#8, PKCS#1 or SEC1)`,
          { cause },
        )
      }
    }
  }
  throw new DccError('ERR_KEYS', `keys: ${origin} is not a DER private key (PKCS#8, PKCS#1 or SEC1)`)
}

export function createSigner(privateKey: KeyObject, certificateDer: Uint8Array, origin: string): Signer {
  const alg = algFor(privateKey)
  const certificate = parseTrustedCertificate(certificateDer, origin)
  const publicDer = certificate.publicKey.export({ type: 'spki', format: 'der' })
  if (!publicDer.equals(createPublicKey(privateKey).export({ type: 'spki', format: 'der' }))) {
    throw new DccError('ERR_KEYS', `keys: the private key does not belong to the certificate ${origin}`)
  }
  return {
    alg,
    algId: ALG_ID[alg],
    kid: computeKid(certificateDer),
    certificate,
    signatureBytes: signatureBytesOf(privateKey, alg),
    location: { kind: 'file' },
    threadSafe: true,
    sign:
      alg === 'ES256'
        ? (toBeSigned) => rawSignature(sign('sha256', toBeSigned, privateKey))
        : (toBeSigned) =>
            sign('sha256', toBeSigned, {
              key: privateKey,
              padding: constants.RSA_PKCS1_PSS_PADDING,
              saltLength: 32,
            }),
  }
}

/**
 * A signer with the DSC's certificate and no private key, for dry runs: kid, algorithm, usage and
 * validity come from the certificate, so neither the PIN nor the passphrase is asked and no token is
 * opened. `sign` throws ERR_INTERNAL: a dry run that signs is a bug.
 */
export function certificateOnlySigner(
  certificateDer: Uint8Array,
  origin: string,
  location: KeyLocation,
): Signer {
  const certificate = parseTrustedCertificate(certificateDer, origin)
  const alg = algFor(certificate.publicKey)
  return {
    alg,
    algId: ALG_ID[alg],
    kid: computeKid(certificateDer),
    certificate,
    signatureBytes: signatureBytesOf(certificate.publicKey, alg),
    location,
    threadSafe: false,
    sign: () => {
      throw new DccError('ERR_INTERNAL', 'a dry run signs nothing, yet something asked to sign')
    },
  }
}

/** 64 for ES256, the modulus length in bytes for PS256 */
export function signatureBytesOf(key: KeyObject, alg: SupportedAlg): number {
  return alg === 'ES256' ? 64 : Math.ceil((key.asymmetricKeyDetails?.modulusLength ?? 4096) / 8)
}
