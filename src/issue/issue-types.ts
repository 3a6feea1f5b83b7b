/**
 * What `hcert issue` signs: the payload kinds (`--kind`) and the certificate types the ledger's
 * `type` column holds (`v`, `t`, `r` for the EU DCC; `icvp` for the smart ICVP), with the rule of
 * which a document signer may sign.
 *
 * EKU rule (README "Issuing ICVP certificates"): the GDHCN keeps the EU's Extended Key Usage OIDs
 * (smart-trust `concepts_certificate_governance.md`) and defines none for the ICVP, which is a
 * vaccination (or prophylaxis) record; so a DSC may sign ICVPs when it may sign vaccinations: one
 * with no HCERT EKU OID, or with the vaccination OID 1.3.6.1.4.1.1847.2021.1.2 (or its pre-2021-05
 * form). A DSC restricted to tests or recoveries may not.
 */
import { allowedTypes } from '../dcc/key-usage.js'
import { CERTIFICATE_TYPE_NAMES, type CertificateType } from '../dcc/types.js'

/** The payload kinds `hcert issue --kind` takes (a closed set). */
export const ISSUE_KINDS = ['dcc', 'icvp'] as const
export type IssueKind = (typeof ISSUE_KINDS)[number]

/** A ledger certificate type: an EU DCC entry type, or `icvp`. */
export type IssueType = CertificateType | 'icvp'

export const ISSUE_TYPE_NAMES: Readonly<Record<IssueType, string>> = {
  ...CERTIFICATE_TYPE_NAMES,
  icvp: 'ICVP (vaccination or prophylaxis)',
}

/** The types a DSC with this EKU list may sign: allowedTypes, and `icvp` when vaccinations are allowed. */
export function issuableTypes(eku: readonly string[] | undefined): readonly IssueType[] {
  const allowed = allowedTypes(eku)
  return allowed.includes('v') ? [...allowed, 'icvp'] : allowed
}
