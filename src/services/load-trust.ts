/**
 * Loading the certificates a verifier trusts from what users have: a PEM or DER certificate, a
 * folder of them, the trust list JSON `hcert keys generate` writes, or the national-backend shapes
 * `[{kid, country, rawData}]` and `{"certificates": [...]}` (the German list's signature line, if
 * present before the JSON, is skipped; its signature is not checked here).
 */
import { readdirSync, readFileSync, statSync } from 'node:fs'
import { join } from 'node:path'
import { DccError } from '../errors.js'
import { TrustList } from '../trust/trust-list.js'
import { parseTrustedCertificate, type TrustedCertificate } from '../trust/trusted-certificate.js'

const CERT_FILE = /\.(pem|crt|cer|der|json)$/i
const PEM_BLOCK = /-----BEGIN CERTIFICATE-----([\s\S]*?)-----END CERTIFICATE-----/g

/**
 * Only document signer certificates are trusted: there is no chain building, so a CA certificate
 * (a CSCA, say, found in a key directory) is passed over, lest an HCERT signed with the CA's own key
 * verify. A path that holds nothing but CA certificates is an error.
 */
export function loadTrustList(paths: readonly string[]): TrustList {
  const trust = new TrustList()
  for (const path of paths) {
    const certs = loadPath(path)
    const signers = certs.filter((cert) => !cert.ca)
    if (certs.length > 0 && signers.length === 0) {
      throw new DccError(
        'ERR_TRUST',
        `trust: ${path} holds only CA certificates (${certs[0]?.subject}); verify trusts the document signer certificates (DSCs) themselves`,
      )
    }
    for (const cert of signers) trust.add(cert)
  }
  return trust
}

function loadPath(path: string): TrustedCertificate[] {
  let info
  try {
    info = statSync(path)
  } catch {
    throw new DccError('ERR_TRUST', `trust: ${path} does not exist`)
  }
  if (info.isDirectory()) {
    const files = readdirSync(path)
      .filter((name) => CERT_FILE.test(name))
      .sort()
    // a key directory holds private keys next to the certificates: in a folder, files without a
    // certificate are passed over (given by name, they are an error)
    const certs = files.flatMap((name) => loadFile(join(path, name), { skipNonCertificates: true }))
    if (certs.length === 0)
      throw new DccError(
        'ERR_TRUST',
        `trust: ${path} holds no certificate (.pem, .crt, .cer, .der or trust list .json)`,
      )
    return certs
  }
  return loadFile(path)
}

function loadFile(path: string, options: { skipNonCertificates?: boolean } = {}): TrustedCertificate[] {
  const bytes = readFileSync(path)
  const text = bytes.toString('utf8')
  if (text.includes('-----BEGIN CERTIFICATE-----')) {
    return [...text.matchAll(PEM_BLOCK)].map((m, i) =>
      parseTrustedCertificate(
        new Uint8Array(Buffer.from(m[1] ?? '', 'base64')),
        `${path} (certificate ${i + 1})`,
      ),
    )
  }
  const jsonStart = text.search(/[[{]/)
  if (bytes[0] !== 0x30 && jsonStart >= 0) return fromJson(text.slice(jsonStart), path)
  if (text.includes('-----BEGIN')) {
    if (options.skipNonCertificates) return []
    throw new DccError(
      'ERR_TRUST',
      `trust: ${path} holds a PEM block that is not a certificate (a private key? verifiers need the certificate)`,
    )
  }
  return [parseTrustedCertificate(new Uint8Array(bytes), path)]
}

interface TrustEntry {
  kid?: string
  rawData?: string | null
  certificate?: string
  country?: string
  certificateType?: string
}

function fromJson(text: string, path: string): TrustedCertificate[] {
  let json: unknown
  try {
    json = JSON.parse(text)
  } catch (cause) {
    throw new DccError('ERR_TRUST', `trust: ${path} is not valid JSON (${(cause as Error).message})`, {
      cause,
    })
  }
  const list = Array.isArray(json) ? json : (json as { certificates?: unknown }).certificates
  if (!Array.isArray(list))
    throw new DccError(
      'ERR_TRUST',
      `trust: ${path} is neither a list of certificates nor {"certificates": [...]}`,
    )
  const out: TrustedCertificate[] = []
  list.forEach((entry: TrustEntry, i) => {
    if (entry.certificateType && entry.certificateType !== 'DSC') return
    const raw = entry.rawData ?? entry.certificate
    if (raw === null) return // a deleted DSC in a gateway delta
    if (typeof raw !== 'string')
      throw new DccError('ERR_TRUST', `trust: ${path} entry ${i + 1} has no rawData (base64 DER certificate)`)
    const der = raw.includes('-----BEGIN') ? raw.replace(/-----[A-Z ]+-----|\s/g, '') : raw
    const cert = parseTrustedCertificate(
      new Uint8Array(Buffer.from(der, 'base64')),
      `${path} entry ${i + 1}`,
      entry.kid,
    )
    out.push(entry.country && !cert.country ? { ...cert, country: entry.country } : cert)
  })
  return out
}
