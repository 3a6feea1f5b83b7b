/** What a person or a script needs to know about a certificate: never key material. */
import { X509Certificate } from 'node:crypto'
import type { CertificateType } from '../dcc/types.js'
import { allowedTypes } from '../dcc/key-usage.js'
import type { TrustedCertificate } from '../trust/trusted-certificate.js'
import { algFor } from './signer.js'

export interface CertificateInfo {
  kid: string
  alg: string
  subject: string
  country: string | null
  notBefore: string
  notAfter: string
  /** HCERT EKU OIDs present, [] when there is no EKU extension */
  eku: string[]
  /** what the certificate may sign as a DSC */
  mayIssue: CertificateType[]
  sha256: string
}

export function certificateInfo(cert: TrustedCertificate): CertificateInfo {
  let alg: string
  try {
    alg = algFor(cert.publicKey)
  } catch {
    alg = cert.keyType
  }
  return {
    kid: cert.kid,
    alg,
    subject: subjectAsGiven(cert.subject),
    country: cert.country ?? null,
    notBefore: cert.notBefore.toISOString(),
    notAfter: cert.notAfter.toISOString(),
    eku: cert.eku ?? [],
    mayIssue: [...allowedTypes(cert.eku)],
    sha256: cert.fingerprint256,
  }
}

/**
 * A subject as Node prints it (`C=VN, O=\#MoH\, Hà Nội`: RFC 4514 escapes, `\XX` for a control
 * character) with each attribute value as the certificate holds it (`C=VN, O=#MoH, Hà Nội`), as
 * organisationOf reads the issuer: escapes are for a parser, and a person reads the name. The
 * separators stay (`, ` between attributes, ` + ` within one RDN); a control character comes back
 * as itself, for the renderer to make visible.
 */
export function subjectAsGiven(subject: string): string {
  return subject.replace(
    /\\(?:([0-9A-Fa-f]{2})|(.))/gsu,
    (_, hex: string | undefined, char: string | undefined) =>
      hex === undefined ? (char as string) : String.fromCharCode(parseInt(hex, 16)),
  )
}

/**
 * The subject's organisation (O, RFC 5280 id-at-organizationName) exactly as the certificate holds
 * it: no RFC 4514 escapes (`\,` `\+` `\"` `\;`), not cut at a comma. Node parses the name
 * attribute by attribute (toLegacyObject); the first O when there are several; undefined without one.
 */
export function organisationOf(der: Uint8Array): string | undefined {
  const subject = new X509Certificate(der).toLegacyObject().subject as unknown as Record<
    string,
    string | string[] | undefined
  >
  const o = subject.O
  return Array.isArray(o) ? o[0] : o
}
