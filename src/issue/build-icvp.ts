/**
 * One ICVP input record (a CSV row, a JSON object: README "Issuing ICVP certificates") to a smart
 * ICVP payload (smart-trust-phw DVCMin v0.1.0, signed under CWT claim -260 / -6):
 * `{n, dob, s?, ntl?, nid?, ndt?, gn?, v: {vp, dt, bo, cn?, is?, vls?, vle?}}`, one vaccination
 * per certificate. Cells are cleaned as for the DCC (clean-text.ts: NFC, spaces, no control or
 * invisible character, text only); codes typed in words are mapped (sex, the document type, the
 * product by name). What is wrong is a rejection naming the column, never the value; the checks
 * across fields are in check-icvp-record.ts.
 */
import { recordFingerprint } from '../ledger/content-fingerprint.js'
import { isInValueSet } from '../dcc/valuesets.js'
import { countryCode, keyOf, type BuiltRecord, type IssueDefaults, type Rejection } from './build-dcc.js'
import { cleanText } from './clean-text.js'
import { DCC_ONLY_COLUMNS, ICVP_COLUMNS, type IcvpColumn } from './icvp-columns.js'
import { findIcvpProduct } from './icvp-products.js'
import { lengthProblem, nameProblem, numberProblem, wordsProblem } from './name-text.js'

/** FHIR administrative-gender codes, and the words and letters taken for them. */
const SEXES: Readonly<Record<string, string>> = {
  male: 'male',
  m: 'male',
  female: 'female',
  f: 'female',
  other: 'other',
  o: 'other',
  unknown: 'unknown',
  u: 'unknown',
}

/** HL7 v2 table 0203 identifier types an ICVP holder's document may have, and words for some. */
export const DOCUMENT_TYPES: Readonly<Record<string, string>> = {
  PPN: 'PPN',
  PASSPORT: 'PPN',
  NI: 'NI',
  'NATIONAL ID': 'NI',
  NN: 'NN',
  DL: 'DL',
  "DRIVER'S LICENSE": 'DL',
  BCT: 'BCT',
  'BIRTH CERTIFICATE': 'BCT',
  CZ: 'CZ',
  PRC: 'PRC',
  MR: 'MR',
}

/**
 * The idempotency fingerprint of an ICVP payload: the record without the issuer (which --issuer
 * may fill in), as the DCC's record fingerprint leaves out co and is.
 */
function icvpRecordFingerprint(payload: Record<string, unknown>): string {
  const v = payload.v as Record<string, unknown> | undefined
  const { is: _is, ...rest } = v ?? {}
  return recordFingerprint({ ...payload, v: rest })
}

/**
 * Why an EU DCC payload given to `--kind icvp` is not issued: one reason for the record (the fields
 * an ICVP needs are all absent, and saying so field by field would hide what happened).
 */
export const LOOKS_LIKE_DCC =
  'looks like an EU DCC payload (it has nam, ver, or v/t/r entries), and this batch is --kind icvp: issue DCC records without --kind icvp; an ICVP record has the columns name, dob, product, date, batch… (README "Issuing ICVP certificates")'

/** Whether `raw` has a DCC payload's own keys: `nam`, `ver`, or an entry list `v`, `t`, `r`. */
function isDccPayload(raw: Record<string, unknown>): boolean {
  return 'nam' in raw || 'ver' in raw || ['v', 't', 'r'].some((k) => Array.isArray(raw[k]))
}

/**
 * The longest text each ICVP column takes. The ICVP logical model (smart-trust-phw DVCMin v0.1.0)
 * gives no lengths: names and free text take the DCC schema 1.3's limit for its names and issuer
 * (80); a document number 32, longer than any passport or national id number in use (an ICAO 9303
 * document number has 9 characters, national ids up to about 20).
 */
export const ICVP_LIMITS = {
  name: 80,
  guardian: 80,
  national_id: 32,
  batch: 80,
  clinician: 80,
  issuer: 80,
} as const

const limited =
  (column: keyof typeof ICVP_LIMITS, then: (value: string) => string | undefined) =>
  (value: string): string | undefined =>
    lengthProblem(value, ICVP_LIMITS[column]) ?? then(value)

/** The checks of the text columns, in column order: one reason each, the first found. */
const TEXT_CHECKS: ReadonlyArray<readonly [IcvpColumn, (value: string) => string | undefined]> = [
  ['name', limited('name', nameProblem)],
  ['national_id', limited('national_id', (v) => numberProblem(v, 'a document number'))],
  ['guardian', limited('guardian', nameProblem)],
  ['batch', limited('batch', (v) => numberProblem(v, 'a batch (lot) number'))],
  ['clinician', limited('clinician', wordsProblem)],
  ['issuer', limited('issuer', wordsProblem)],
]

export function buildIcvp(raw: Record<string, unknown>, defaults: IssueDefaults): BuiltRecord {
  if (isDccPayload(raw)) {
    const rejections: Rejection[] = [{ field: 'record', reason: LOOKS_LIKE_DCC }]
    return { key: keyOf(raw, raw, rejections, recordFingerprint), type: 'icvp', dcc: {}, rejections }
  }
  const rejections: Rejection[] = []
  const cells: Partial<Record<IcvpColumn, string>> = {}
  for (const column of ICVP_COLUMNS) {
    if (!(column in raw)) continue
    const { text, rejection } = cleanText(raw[column], column)
    if (rejection) rejections.push(rejection)
    else if (text !== undefined) cells[column] = text
  }
  const reject = (field: string, reason: string): void => {
    if (!rejections.some((r) => r.field === field)) rejections.push({ field, reason })
  }
  // what each text column may hold (the DCC's kinds of checks): a length, letters in a name…
  for (const [column, check] of TEXT_CHECKS) {
    const value = cells[column]
    if (value === undefined || rejections.some((r) => r.field === column)) continue
    const problem = check(value)
    if (problem) {
      rejections.push({ field: column, reason: problem })
      delete cells[column]
    }
  }
  for (const column of DCC_ONLY_COLUMNS) {
    const { text, rejection } = cleanText(raw[column], column, true)
    if (text !== undefined || rejection)
      reject(
        column,
        'is a column of EU DCC records; an ICVP record has none: leave it empty (or issue the file with --kind dcc)',
      )
  }

  const payload: Record<string, unknown> = {}
  const put = (field: string, value: string | undefined): void => {
    if (value !== undefined) payload[field] = value
  }
  put('n', cells.name)
  put('dob', cells.dob)
  if (cells.sex !== undefined) {
    const s = SEXES[cells.sex.toLowerCase()]
    if (s) payload.s = s
    else reject('sex', 'must be male, female, other or unknown (or M, F, O, U)')
  }
  if (cells.nationality !== undefined) {
    const code = countryCode(cells.nationality)
    if (code && isInValueSet('country-2-codes', code)) payload.ntl = code
    else
      reject(
        'nationality',
        code
          ? "is no country: two letters ISO 3166 assigns to no country; give the holder's nationality as a code in use, such as VN"
          : 'must be an ISO 3166 two-letter country code, such as VN (not the country name)',
      )
  }
  put('nid', cells.national_id)
  if (cells.national_id_type !== undefined) {
    const ndt = DOCUMENT_TYPES[cells.national_id_type.toUpperCase()]
    if (ndt) payload.ndt = ndt
    else
      reject(
        'national_id_type',
        `must be a document type of HL7 table 0203: ${[...new Set(Object.values(DOCUMENT_TYPES))].join(', ')} (or passport, national id, birth certificate)`,
      )
  }
  put('gn', cells.guardian)

  const v: Record<string, unknown> = {}
  let productId: string | undefined
  if (cells.product !== undefined) {
    const match = findIcvpProduct(cells.product)
    if (match && 'id' in match) productId = match.id
    else if (match)
      reject(
        'product',
        'names several vaccines of the ICVP product list (pack sizes or makers): give its catalogue id, such as YellowFeverProductd8a09f80301dc05e124f99ffe7711fc0',
      )
    else
      reject(
        'product',
        'is not a vaccine of the ICVP product list (WHO prequalified yellow fever and polio vaccines): give its name, such as STAMARIL, or its catalogue id',
      )
  }
  // an unknown product stays out of the payload: rejected above, never signed
  if (productId !== undefined) v.vp = productId
  if (cells.date !== undefined) v.dt = cells.date
  if (cells.batch !== undefined) v.bo = cells.batch
  if (cells.clinician !== undefined) v.cn = cells.clinician
  const issuer = cells.issuer ?? defaults.issuer
  if (issuer !== undefined) v.is = issuer
  if (cells.valid_from !== undefined) v.vls = cells.valid_from
  if (cells.valid_until !== undefined) v.vle = cells.valid_until
  payload.v = v

  const ledgerEntry: Record<string, unknown> = {}
  if (defaults.country !== undefined) ledgerEntry.co = defaults.country
  ledgerEntry.is = issuer ?? ''
  if (productId !== undefined) ledgerEntry.mp = productId
  const key = keyOf(raw, payload, rejections, icvpRecordFingerprint)
  return { key, type: 'icvp', dcc: payload, rejections, ledgerEntry }
}
