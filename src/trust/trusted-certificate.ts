/** A document signer certificate a verifier trusts, parsed once so that verifying is only the signature maths. */
import { X509Certificate, type KeyObject } from 'node:crypto'
import { DccError } from '../errors.js'
import { computeKid } from '../keys/kid.js'
import { certificateExtensions, RECOGNISED_EXTENSIONS } from './certificate-extensions.js'

export interface TrustedCertificate {
  /** base64 kid, as trust lists write it */
  kid: string
  subject: string
  country: string | undefined
  publicKey: KeyObject
  keyType: 'ec' | 'rsa' | 'rsa-pss' | string
  notBefore: Date
  notAfter: Date
  /** Extended Key Usage OIDs; undefined when the certificate has no EKU extension */
  eku: string[] | undefined
  fingerprint256: string
  /** a CA certificate (basicConstraints CA:TRUE), e.g. a CSCA: it signs certificates, not HCERTs */
  ca: boolean
  /** OIDs of critical extensions this tool does not recognise (RFC 5280 §4.2: such a certificate is refused as a signer) */
  unknownCritical: string[]
  der: Uint8Array
  /** from a GDHCN DID trust list: the trust domain (DDCC, ICVP, …) its key signs for */
  domain?: string
  /** from a GDHCN DID trust list: the participant (an ISO 3166 alpha-3 code, or a test code) */
  participant?: string
  /** from a GDHCN DID trust list: the key usage (DSC, SCA, …) */
  usage?: string
}

export function parseTrustedCertificate(
  der: Uint8Array,
  origin: string,
  kidHint?: string,
): TrustedCertificate {
  let cert: X509Certificate
  try {
    cert = new X509Certificate(der)
  } catch (cause) {
    // OpenSSL's reason ('error:0480006C:PEM routines::no start line') tells a user nothing more
    throw new DccError(
      'ERR_TRUST',
      `trust: ${origin} is not an X.509 certificate (not readable as DER or PEM)`,
      {
        cause,
      },
    )
  }
  let unknownCritical: string[]
  try {
    unknownCritical = certificateExtensions(new Uint8Array(cert.raw))
      .filter((e) => e.critical && !RECOGNISED_EXTENSIONS.has(e.oid))
      .map((e) => e.oid)
  } catch (cause) {
    throw new DccError(
      'ERR_TRUST',
      `trust: ${origin} has extensions that cannot be read (${(cause as Error).message})`,
      {
        cause,
      },
    )
  }
  const computed = Buffer.from(computeKid(der)).toString('base64')
  const country = /(?:^|\n)C=([A-Z]{2})/.exec(cert.subject)?.[1]
  return {
    kid: kidHint ?? computed,
    subject: cert.subject.replace(/\n/g, ', '),
    country,
    publicKey: cert.publicKey,
    keyType: cert.publicKey.asymmetricKeyType ?? 'unknown',
    notBefore: new Date(cert.validFrom),
    notAfter: new Date(cert.validTo),
    eku: cert.keyUsage,
    fingerprint256: cert.fingerprint256.replace(/:/g, '').toLowerCase(),
    ca: cert.ca,
    unknownCritical,
    der,
  }
}
