/**
 * The input columns of an ICVP record (`hcert issue --kind icvp`, README "Issuing ICVP
 * certificates"), and the smart ICVP field each fills (smart-trust-phw DVCMin /
 * DVCMinVaccineDetails v0.1.0, under CWT claim -260 / -6).
 */
import { FLAT_COLUMNS } from './input-columns.js'

/** column → the ICVP field it fills (`v/…`: in the vaccination) */
export const ICVP_FIELDS = {
  name: 'n',
  dob: 'dob',
  sex: 's',
  nationality: 'ntl',
  national_id: 'nid',
  national_id_type: 'ndt',
  guardian: 'gn',
  product: 'v/vp',
  date: 'v/dt',
  batch: 'v/bo',
  clinician: 'v/cn',
  issuer: 'v/is',
  valid_from: 'v/vls',
  valid_until: 'v/vle',
} as const

export type IcvpColumn = keyof typeof ICVP_FIELDS

/** Every column an ICVP certificate is built from (all but `id`), in README order. */
export const ICVP_COLUMNS = Object.keys(ICVP_FIELDS) as readonly IcvpColumn[]

/** The ICVP record's columns: `id` and ICVP_COLUMNS. */
export const ICVP_INPUT_COLUMNS: ReadonlySet<string> = new Set(['id', ...ICVP_COLUMNS])

/**
 * EU DCC columns an ICVP record has no use for (type, fn, gn, vaccine, test_device, country…): a
 * value in one is rejected, not ignored (a DCC export issued as ICVPs, or columns mixed up).
 */
export const DCC_ONLY_COLUMNS: readonly string[] = FLAT_COLUMNS.filter((c) => !ICVP_INPUT_COLUMNS.has(c))

/** What the reader takes without an "unknown column" warning in an ICVP batch. */
export const ICVP_READ_COLUMNS: ReadonlySet<string> = new Set([...ICVP_INPUT_COLUMNS, ...DCC_ONLY_COLUMNS])

/** The column behind an ICVP field path (`/v/bo` → batch), for a reason; `record` when none. */
export function icvpColumnFor(path: string): string {
  const key = path
    .split('/')
    .filter((p) => p !== '' && !/^\d+$/.test(p))
    .join('/')
  for (const [column, field] of Object.entries(ICVP_FIELDS)) if (field === key) return column
  return 'record'
}
