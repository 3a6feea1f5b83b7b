/** The certificates a verifier trusts, by kid. A kid is only a hint: several certificates may share one. */
import type { DidTrustList } from '../gdhcn/did-trust-list.js'
import type { TrustedCertificate } from './trusted-certificate.js'

/** A GDHCN DID trust list that was read: its document (for its proof) and what it gave. */
export interface DidSource {
  path: string
  document: Record<string, unknown>
  list: DidTrustList
}

export class TrustList {
  private readonly byKid = new Map<string, TrustedCertificate[]>()
  private readonly list: TrustedCertificate[] = []
  /** what loading passed over and why (a malformed entry, a refused certificate), for the user to see */
  readonly warnings: string[] = []
  /** the GDHCN DID trust lists among the sources */
  readonly didSources: DidSource[] = []

  constructor(certificates: Iterable<TrustedCertificate> = []) {
    for (const certificate of certificates) this.add(certificate)
  }

  add(certificate: TrustedCertificate): void {
    const same = this.byKid.get(certificate.kid)
    if (same?.some((c) => c.fingerprint256 === certificate.fingerprint256)) return
    if (same) same.push(certificate)
    else this.byKid.set(certificate.kid, [certificate])
    this.list.push(certificate)
  }

  /** Certificates to try for a kid; every certificate when the message carries no kid. */
  candidates(kid: string | undefined): readonly TrustedCertificate[] {
    if (kid === undefined) return this.list
    return this.byKid.get(kid) ?? []
  }

  get size(): number {
    return this.list.length
  }

  all(): readonly TrustedCertificate[] {
    return this.list
  }
}
