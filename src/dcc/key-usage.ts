/**
 * Extended Key Usage OIDs that restrict what a document signer may sign (HCERT App. A.4). Both the
 * current OIDs and the pre-2021-05 form with an extra `.0` are honoured, as deployed DSCs carry both.
 */
import type { CertificateType } from './types.js'

export const EKU_OIDS: Readonly<Record<CertificateType, readonly string[]>> = {
  t: ['1.3.6.1.4.1.1847.2021.1.1', '1.3.6.1.4.1.0.1847.2021.1.1'],
  v: ['1.3.6.1.4.1.1847.2021.1.2', '1.3.6.1.4.1.0.1847.2021.1.2'],
  r: ['1.3.6.1.4.1.1847.2021.1.3', '1.3.6.1.4.1.0.1847.2021.1.3'],
}

const ALL_TYPES: readonly CertificateType[] = ['v', 't', 'r']
/** per EKU list (a certificate's own array): verify asks once per certificate verified */
const allowedByEku = new WeakMap<readonly string[], readonly CertificateType[]>()

/** The certificate types an EKU list allows; all three when the DSC carries none of the HCERT OIDs. */
export function allowedTypes(eku: readonly string[] | undefined): readonly CertificateType[] {
  if (!eku) return ALL_TYPES
  let allowed = allowedByEku.get(eku)
  if (!allowed) {
    const found = ALL_TYPES.filter((type) => EKU_OIDS[type].some((oid) => eku.includes(oid)))
    allowed = found.length > 0 ? found : ALL_TYPES
    allowedByEku.set(eku, allowed)
  }
  return allowed
}

export function ekuOidsFor(types: readonly CertificateType[]): string[] {
  return types.map((type) => EKU_OIDS[type][0] as string)
}
