/**
 * The columns of an `hcert issue` record (README "Input columns"), in one place: what the reader
 * accepts without a warning, and what building the DCC reads and cleans.
 */
import type { CertificateType } from '../dcc/types.js'

/** The columns of one certificate type; the others are common to all. */
export const TYPE_COLUMNS: ReadonlyArray<readonly [CertificateType, readonly string[]]> = [
  ['v', ['vaccine', 'vaccine_type', 'manufacturer', 'dose', 'doses']],
  ['t', ['test_type', 'test_name', 'test_device', 'result', 'centre']],
  ['r', ['valid_from', 'valid_until']],
]

/** Every column a flat record's certificate is built from (all but `id`). */
export const FLAT_COLUMNS: readonly string[] = [
  'type',
  'fn',
  'gn',
  'fnt',
  'gnt',
  'dob',
  'disease',
  'date',
  'country',
  'issuer',
  // the certificate's UVCI, when the site assigns it (as a payload's v/ci); empty: hcert assigns one
  'ci',
  ...TYPE_COLUMNS.flatMap(([, columns]) => columns),
]

/** The input columns: the record's `id` and FLAT_COLUMNS; others are ignored, with a warning. */
export const INPUT_COLUMNS: ReadonlySet<string> = new Set(['id', ...FLAT_COLUMNS])

/**
 * The range of `dose` and `doses` (DCC dn, sd): the DCC schema's dose_posint is 1 or more; hcert
 * stops at 99, which no vaccination series reaches.
 */
export const DOSE_RANGE = { min: 1, max: 99 } as const
