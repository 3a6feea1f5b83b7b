/**
 * Which payload a CWT carries (WHO HCERT spec v1.1.1 §3.2.7.1, smart-trust `input/fsh/models/hcert.fsh`):
 * under claim -260, key 1 is the EU DCC, -6 the smart ICVP (DVC), 3 and 4 the WHO DDCC core data
 * set (vaccination status, test result), 5 a SMART / Verifiable Health Link URI; early DDCC codes
 * (the gdhcn-validator `WHOQR*` samples) put the DDCC core data set directly in the CWT, not under -260.
 */
import { Tag } from '../codec/cbor.js'

/** The kinds hcert reads; `dcc` is the EU DCC (-260 / 1), the others come from the WHO's GDHCN. */
export const PAYLOAD_KINDS = ['dcc', 'icvp', 'ddcc-vs', 'ddcc-tr', 'link', 'ddcc-early'] as const
export type PayloadKind = (typeof PAYLOAD_KINDS)[number]

/** the key under -260 of each kind that lives there */
export const HCERT_KEY = { dcc: 1, icvp: -6, 'ddcc-vs': 3, 'ddcc-tr': 4, link: 5 } as const

export const KIND_NAMES: Readonly<Record<PayloadKind, string>> = {
  dcc: 'EU Digital COVID Certificate',
  icvp: 'International Certificate of Vaccination or Prophylaxis (smart ICVP)',
  'ddcc-vs': 'WHO DDCC vaccination status (DDCC:VS)',
  'ddcc-tr': 'WHO DDCC test result (DDCC:TR)',
  link: 'health link (SMART Health Link / Verifiable Health Link)',
  'ddcc-early': 'WHO DDCC, early form (the core data set as the CWT)',
}

/**
 * The GDHCN trust domains whose signers may sign each kind (smart-trust `trust_domains.md` and the
 * DID trust-list examples: the EU DCC under DCC or DDCC, the DDCC under DDCC, the smart ICVP under
 * ICVP); a link may come from any domain.
 */
export const KIND_DOMAINS: Readonly<Record<PayloadKind, readonly string[] | undefined>> = {
  dcc: ['DCC', 'DDCC'],
  icvp: ['ICVP'],
  'ddcc-vs': ['DDCC'],
  'ddcc-tr': ['DDCC'],
  link: undefined,
  'ddcc-early': ['DDCC'],
}

/** A payload other than the EU DCC, found in a CWT claims map, as the value cbor-x decoded. */
export interface WhoPayload {
  kind: Exclude<PayloadKind, 'dcc'>
  /** what `toJson` converts: the -260 entry, or the whole claims map for the early DDCC */
  value: unknown
  /** where it sits, for messages: `-260 / -6` */
  where: string
}

const UNDER_HCERT: ReadonlyArray<[Exclude<PayloadKind, 'dcc' | 'ddcc-early'>, number]> = [
  ['icvp', HCERT_KEY.icvp],
  ['ddcc-vs', HCERT_KEY['ddcc-vs']],
  ['ddcc-tr', HCERT_KEY['ddcc-tr']],
  ['link', HCERT_KEY.link],
]

/** fields of the DDCC core data set, one of which an early DDCC claims map holds */
const EARLY_DDCC_FIELDS = ['hcid', 'vaccine', 'disease', 'birthDate', 'pathogen']

/**
 * The WHO payload of a claims map whose -260 has no EU DCC (key 1), or undefined when there is
 * none that hcert knows (the caller then fails as for a missing DCC). Pure; no copying.
 */
export function findWhoPayload(claims: Map<unknown, unknown>, hcert: unknown): WhoPayload | undefined {
  if (hcert instanceof Map) {
    for (const [kind, key] of UNDER_HCERT) {
      const value = hcert.get(key)
      if (value !== undefined) return { kind, value: unwrap(value), where: `-260 / ${key}` }
    }
    return undefined
  }
  if (hcert !== undefined) return undefined
  let textKeys = 0
  for (const key of claims.keys()) if (typeof key === 'string') textKeys++
  if (textKeys > 0 && EARLY_DDCC_FIELDS.some((field) => claims.has(field)))
    return { kind: 'ddcc-early', value: earlyFields(claims), where: 'the CWT' }
  return undefined
}

function unwrap(value: unknown): unknown {
  return value instanceof Tag ? value.value : value
}

/** the text-keyed entries of an early DDCC claims map (integer claims such as iss, iat, exp stay claims) */
function earlyFields(claims: Map<unknown, unknown>): Map<string, unknown> {
  const out = new Map<string, unknown>()
  for (const [key, value] of claims) if (typeof key === 'string') out.set(key, value)
  return out
}
