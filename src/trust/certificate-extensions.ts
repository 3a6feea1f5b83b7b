/**
 * The extensions of an X.509 certificate (RFC 5280 §4.1, §4.2) as `{ oid, critical }`, read from
 * the DER that node:crypto has already parsed and accepted. node:crypto does not say which
 * extensions are critical, and @peculiar/asn1-x509 costs ~85 ms to load on every `hcert verify`;
 * this walks only the few DER headers on the way to the extensions.
 */

export interface CertificateExtension {
  /** dotted OID, e.g. `2.5.29.19` */
  oid: string
  critical: boolean
}

/**
 * Extensions a DSC may mark critical that this tool recognises (RFC 5280 §4.2.1 and §4.2.2, plus
 * the qcStatements of eIDAS certificates, RFC 3739): the ones it acts on (basicConstraints,
 * keyUsage, extKeyUsage) and the ones that only matter when a path is built or a certificate is
 * revoked, which a trusted DSC does not need. Any other critical extension makes the certificate
 * unusable (RFC 5280 §4.2: "A certificate-using system MUST reject the certificate if it
 * encounters a critical extension it does not recognize").
 */
export const RECOGNISED_EXTENSIONS: ReadonlySet<string> = new Set([
  '2.5.29.9', // subjectDirectoryAttributes
  '2.5.29.14', // subjectKeyIdentifier
  '2.5.29.15', // keyUsage
  '2.5.29.16', // privateKeyUsagePeriod
  '2.5.29.17', // subjectAltName
  '2.5.29.18', // issuerAltName
  '2.5.29.19', // basicConstraints
  '2.5.29.30', // nameConstraints
  '2.5.29.31', // cRLDistributionPoints
  '2.5.29.32', // certificatePolicies
  '2.5.29.33', // policyMappings
  '2.5.29.35', // authorityKeyIdentifier
  '2.5.29.36', // policyConstraints
  '2.5.29.37', // extKeyUsage
  '2.5.29.46', // freshestCRL
  '2.5.29.54', // inhibitAnyPolicy
  '1.3.6.1.5.5.7.1.1', // authorityInfoAccess
  '1.3.6.1.5.5.7.1.3', // qcStatements
  '1.3.6.1.5.5.7.1.11', // subjectInfoAccess
])

interface Element {
  tag: number
  /** offset of the contents */
  start: number
  /** offset just past the contents */
  end: number
}

function element(der: Uint8Array, at: number, limit: number): Element {
  if (at + 2 > limit) throw new RangeError('truncated DER')
  const tag = der[at] as number
  let length = der[at + 1] as number
  let start = at + 2
  if (length & 0x80) {
    const bytes = length & 0x7f
    if (bytes === 0 || bytes > 4 || start + bytes > limit) throw new RangeError('bad DER length')
    length = 0
    for (let i = 0; i < bytes; i++) length = length * 256 + (der[start + i] as number)
    start += bytes
  }
  const end = start + length
  if (end > limit) throw new RangeError('DER element runs past its parent')
  return { tag, start, end }
}

function oidText(der: Uint8Array, from: number, to: number): string {
  const parts: number[] = []
  let value = 0
  for (let i = from; i < to; i++) {
    const byte = der[i] as number
    value = value * 128 + (byte & 0x7f)
    if (!(byte & 0x80)) {
      if (parts.length === 0)
        parts.push(value < 80 ? Math.floor(value / 40) : 2, value < 80 ? value % 40 : value - 80)
      else parts.push(value)
      value = 0
    }
  }
  return parts.join('.')
}

/** Every extension in order; an empty list for a v1 certificate. Throws RangeError on DER it cannot walk. */
export function certificateExtensions(der: Uint8Array): CertificateExtension[] {
  const certificate = element(der, 0, der.length)
  const tbs = element(der, certificate.start, certificate.end)
  let at = tbs.start
  let extensions: Element | undefined
  while (at < tbs.end) {
    const field = element(der, at, tbs.end)
    if (field.tag === 0xa3) extensions = element(der, field.start, field.end) // [3] EXPLICIT Extensions
    at = field.end
  }
  if (!extensions) return []
  const out: CertificateExtension[] = []
  for (at = extensions.start; at < extensions.end;) {
    const extension = element(der, at, extensions.end)
    const id = element(der, extension.start, extension.end)
    if (id.tag !== 0x06) throw new RangeError('extension without an OID')
    const next = element(der, id.end, extension.end)
    const critical = next.tag === 0x01 && next.end - next.start === 1 && der[next.start] !== 0
    out.push({ oid: oidText(der, id.start, id.end), critical })
    at = extension.end
  }
  return out
}
