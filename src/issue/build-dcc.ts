/**
 * One input record (a CSV row, a flat JSON object, or a DCC payload) to a DCC payload, filling in
 * what the issuer need not type: ver, fnt/gnt, vaccine type and manufacturer from the product,
 * recovery validity, country and issuer. The UVCI is assigned later, once the record is accepted.
 * Column names are a contract (README "Input columns").
 */
import { transliterate, untabledLetter } from '../dcc/transliterate.js'
import { typedStandardRejection } from './typed-standard-name.js'
import { isWellFormedUvci } from '../dcc/uvci.js'
import { recordFingerprint } from '../ledger/content-fingerprint.js'
import { cleanText, normalisePayloadText } from './clean-text.js'
import { nameProblem } from './name-text.js'
import { columnFor } from './check-record.js'
import { ICVP_INPUT_COLUMNS } from './icvp-columns.js'
import { DOSE_RANGE, FLAT_COLUMNS, INPUT_COLUMNS, TYPE_COLUMNS } from './input-columns.js'
import type { IssueType } from './issue-types.js'
import type { CertificateType } from '../dcc/types.js'
import { findVaccine } from './vaccines.js'

export const SCHEMA_VERSION = '1.3.0'
export const COVID_19 = '840539006'

export interface IssueDefaults {
  country?: string
  issuer?: string
}

export interface Rejection {
  field: string
  reason: string
}

export interface BuiltRecord {
  /** idempotency key: `id:<id column>` or `record:<record fingerprint>` (see keyOf) */
  key: string
  type: IssueType | undefined
  dcc: Record<string, unknown>
  rejections: Rejection[]
  /**
   * for a payload without DCC entries (an ICVP): what the ledger records of it, as a DCC entry
   * would hold it (co the issuing country, is the issuer, mp the product; ci once assigned)
   */
  ledgerEntry?: Record<string, unknown>
}

const TYPE_NAMES: Readonly<Record<string, CertificateType>> = {
  v: 'v',
  vaccination: 'v',
  t: 't',
  test: 't',
  r: 'r',
  recovery: 'r',
}

const TEST_TYPES: Readonly<Record<string, string>> = {
  pcr: 'LP6464-4',
  naat: 'LP6464-4',
  rat: 'LP217198-3',
  antigen: 'LP217198-3',
}
const TEST_RESULTS: Readonly<Record<string, string>> = {
  negative: '260415000',
  'not detected': '260415000',
  positive: '260373001',
  detected: '260373001',
}

/** An `id` longer than this is refused: an office's reference, not a document. */
export const MAX_ID_LENGTH = 128

/** An id as a spreadsheet shows a long number (1.23457E+11): its last digits are lost. */
const SCIENTIFIC_ID = /^\d(?:[.,]\d+)?E\+\d+$/i

const SCIENTIFIC_ID_REASON =
  "looks like a number a spreadsheet wrote in scientific notation (such as 1.2E+11), which drops the id's last digits (two ids may become one): format the id column as text and export the file again"

/**
 * The idempotency key of a built record: `id:<id>` (its `id` cleaned: NFC, trimmed; a JSON number
 * as its digits), else `record:<recordFingerprint>` of the payload as built, so that the same
 * certificate content has one key whatever form the input took (CSV or JSON, `"2"` or `2`,
 * `Comirnaty` or `EU/1/20/1528`, NFD or NFC). An id that cannot be one is rejected (`id`), and the
 * record keyed by its content meanwhile (the rejections table needs a key).
 */
export function keyOf(
  raw: Record<string, unknown>,
  dcc: Record<string, unknown>,
  rejections: Rejection[],
  fingerprint: (payload: Record<string, unknown>) => string = recordFingerprint,
): string {
  const { text: id, rejection } = cleanText(raw.id, 'id', true)
  if (rejection) rejections.push(rejection)
  else if (id !== undefined && [...id].length > MAX_ID_LENGTH)
    rejections.push({
      field: 'id',
      reason: `is longer than ${MAX_ID_LENGTH} characters; an id is a short reference (such as the office's record number)`,
    })
  else if (id !== undefined && SCIENTIFIC_ID.test(id))
    rejections.push({ field: 'id', reason: SCIENTIFIC_ID_REASON })
  else if (id !== undefined) return `id:${id}`
  return `record:${fingerprint(dcc)}`
}

/**
 * Why an ICVP record given to an EU DCC batch is not issued: one reason for the record (it has none
 * of the DCC's type and names, and saying so column by column would hide what happened), as the
 * reverse mistake gets build-icvp's LOOKS_LIKE_DCC.
 */
export const LOOKS_LIKE_ICVP =
  'looks like an ICVP record (it has ICVP columns such as name, product, batch, and no type, fn or gn), and this batch is EU DCC: issue ICVP records with --kind icvp; a DCC record has the columns type, fn, gn, dob, vaccine… (README "Input columns")'

/** The columns only an ICVP record has (name, product, batch…; not id, dob, date…). */
const ICVP_ONLY_COLUMNS = [...ICVP_INPUT_COLUMNS].filter((c) => !INPUT_COLUMNS.has(c))

/** Whether a flat record is an ICVP record: a value in an ICVP-only column, and no DCC type or name. */
function isIcvpRecord(raw: Record<string, unknown>): boolean {
  const given = (column: string): boolean =>
    raw[column] !== undefined &&
    raw[column] !== null &&
    !(typeof raw[column] === 'string' && raw[column].trim() === '')
  return ICVP_ONLY_COLUMNS.some(given) && !['type', 'fn', 'gn', 'fnt', 'gnt'].some(given)
}

export function buildDcc(raw: Record<string, unknown>, defaults: IssueDefaults): BuiltRecord {
  if (!('nam' in raw) && isIcvpRecord(raw)) {
    const rejections: Rejection[] = [{ field: 'record', reason: LOOKS_LIKE_ICVP }]
    return { key: keyOf(raw, raw, rejections, recordFingerprint), type: undefined, dcc: {}, rejections }
  }
  const built = 'nam' in raw ? fromPayload(raw, defaults) : fromFlat(raw, defaults)
  canonicalUvcis(built.dcc)
  return { key: keyOf(raw, built.dcc, built.rejections), ...built }
}

/**
 * A UVCI given in the input, in capitals: the UVCI grammar is upper-case and compares
 * case-insensitively (eHN guidelines Annex 2), so `urn:uvci:01:vn:abc` and `URN:UVCI:01:VN:ABC`
 * are one UVCI, for the ledger's uniqueness and the content alike. One that is not well formed is
 * left as it is, for check-record to reject.
 */
function canonicalUvcis(dcc: Record<string, unknown>): void {
  for (const t of ['v', 't', 'r'] as const) {
    const list = dcc[t]
    if (!Array.isArray(list)) continue
    for (const entry of list as unknown[]) {
      const e = entry as Record<string, unknown> | null
      if (e && typeof e === 'object' && typeof e.ci === 'string' && isWellFormedUvci(e.ci))
        e.ci = e.ci.toUpperCase()
    }
  }
}

/** A two-letter country code as people type it (`vn`, ` VN `), upper-cased; undefined for anything else. */
export function countryCode(value: string): string | undefined {
  const code = value.trim().toUpperCase()
  return /^[A-Z]{2}$/.test(code) ? code : undefined
}

const COUNTRY_REASON = 'must be an ISO 3166 two-letter country code, such as VN (not the country name)'

/**
 * `fnt`/`gnt` from `fn`/`gn` by ICAO 9303 when not given; when given, checked against them
 * (typed-standard-name.ts); a name in a script without a table here
 * is a rejection asking for them (never a standardised name with letters left out).
 */
function standardise(
  names: Record<string, unknown>,
  from: 'fn' | 'gn',
  to: 'fnt' | 'gnt',
  rejections: Rejection[],
): void {
  const given = names[from]
  if (typeof given !== 'string' || given.trim() === '') return
  // a name with no letter, or with digits, symbols or emoji: rejected as such, and never made a
  // standardised name with the characters no table has left out (`123` is no name, `Lê😀` not `LE`)
  const problem = nameProblem(given)
  if (problem && rejections.some((r) => r.field === from)) return
  if (problem) {
    rejections.push({ field: from, reason: problem })
    return
  }
  if (names[to] !== undefined) {
    const contradiction = typedStandardRejection(given, names[to], from, to)
    if (contradiction) rejections.push(contradiction)
    return
  }
  const untabled = untabledLetter(given)
  if (untabled) {
    // the letter's own script, honestly: a Latin letter the table lacks (Ʉ) is no other script
    rejections.push({
      field: to,
      reason:
        untabled.script === 'Latin' || untabled.script === 'Cyrillic'
          ? `is needed: ${from} has a ${untabled.script} letter at character ${untabled.at} that the ICAO 9303 transliteration table hcert follows does not list; give ${to} in capital letters A–Z, with < between names`
          : `is needed: ${from} is written in a script hcert has no ICAO 9303 transliteration table for (${untabled.script}, at character ${untabled.at}); give ${to} in capital letters A–Z, with < between names`,
    })
    return
  }
  const standardised = transliterate(given)
  if (standardised !== '') names[to] = standardised
}

/** The fields of each entry of a DCC payload (DCC schema 1.3), and of `nam`. */
const ENTRY_FIELDS: Readonly<Record<CertificateType, ReadonlySet<string>>> = {
  v: new Set(['tg', 'vp', 'mp', 'ma', 'dn', 'sd', 'dt', 'co', 'is', 'ci']),
  t: new Set(['tg', 'tt', 'nm', 'ma', 'sc', 'tr', 'tc', 'co', 'is', 'ci']),
  r: new Set(['tg', 'fr', 'co', 'is', 'df', 'du', 'ci']),
}
const PAYLOAD_FIELDS = new Set(['ver', 'nam', 'dob', 'v', 't', 'r'])
const NAME_FIELDS = new Set(['fn', 'fnt', 'gn', 'gnt'])
const TYPE_WORDS: Readonly<Record<CertificateType, string>> = { v: 'vaccination', t: 'test', r: 'recovery' }

/**
 * An unknown key as a reason's field: itself when it is a field name of some certificate type
 * (or payload, or name), else its 1-based position, `<key 3>`: an unknown key may be a holder's
 * data (a shifted export) or a secret, and reasons never quote the input.
 */
function keyName(key: string, index: number): string {
  return isDccFieldName(key) ? key : `<key ${index + 1}>`
}

/** Whether `key` is a field name of a DCC payload, its `nam`, or one of its entries (schema 1.3). */
export function isDccFieldName(key: string): boolean {
  return (
    PAYLOAD_FIELDS.has(key) ||
    NAME_FIELDS.has(key) ||
    (['v', 't', 'r'] as const).some((t) => ENTRY_FIELDS[t].has(key))
  )
}

/**
 * A payload's fields that the DCC schema does not have there: the schema itself lets them through
 * (it sets no additionalProperties), and they would be signed. A field of another certificate
 * type (a test's `tt` in a vaccination entry) is named as such, like the flat columns of another type.
 */
function unknownPayloadFields(dcc: Record<string, unknown>, rejections: Rejection[]): void {
  for (const [i, key] of Object.keys(dcc).entries())
    if (!PAYLOAD_FIELDS.has(key) && key !== 'id')
      rejections.push({
        field: keyName(key, i),
        reason: 'is not a field of a DCC payload (DCC schema 1.3); remove it',
      })
  const nam = dcc.nam
  if (nam && typeof nam === 'object' && !Array.isArray(nam))
    for (const [i, key] of Object.keys(nam).entries())
      if (!NAME_FIELDS.has(key))
        rejections.push({
          field: `nam/${keyName(key, i)}`,
          reason: 'is not a name field (fn, fnt, gn, gnt); remove it',
        })
  for (const t of ['v', 't', 'r'] as const) {
    const entries = dcc[t]
    if (!Array.isArray(entries)) continue
    for (const entry of entries) {
      if (!entry || typeof entry !== 'object' || Array.isArray(entry)) continue
      for (const [i, key] of Object.keys(entry as object).entries()) {
        if (ENTRY_FIELDS[t].has(key)) continue
        const owner = (['v', 't', 'r'] as const).find((o) => ENTRY_FIELDS[o].has(key))
        rejections.push({
          field: `${t}/${keyName(key, i)}`,
          reason: owner
            ? `belongs to ${TYPE_WORDS[owner]} entries, not ${TYPE_WORDS[t]} ones; remove it (or correct the entry)`
            : `is not a field of a ${TYPE_WORDS[t]} entry (DCC schema 1.3); remove it`,
        })
      }
    }
  }
}

function fromPayload(raw: Record<string, unknown>, defaults: IssueDefaults): Omit<BuiltRecord, 'key'> {
  const { id: _id, ...payload } = raw
  const dcc = structuredClone(payload)
  const rejections: Rejection[] = []
  normalisePayloadText(dcc, (path, reason) => rejections.push({ field: columnFor(path), reason }))
  unknownPayloadFields(dcc, rejections)
  dcc.ver ??= SCHEMA_VERSION
  const nam = dcc.nam
  if (nam && typeof nam === 'object') {
    const names = nam as Record<string, unknown>
    standardise(names, 'fn', 'fnt', rejections)
    standardise(names, 'gn', 'gnt', rejections)
  }
  const types = (['v', 't', 'r'] as const).filter((t) => Array.isArray(dcc[t]))
  for (const t of types) {
    for (const entry of dcc[t] as Array<Record<string, unknown>>) {
      if (entry && typeof entry === 'object') {
        entry.tg ??= COVID_19
        if (entry.co !== undefined && entry.co !== null) {
          const co = typeof entry.co === 'string' ? countryCode(entry.co) : undefined
          if (co) entry.co = co
          else {
            // not a code: rejected here, and left out, so that nothing downstream (the UVCI) reads it
            rejections.push({ field: 'country', reason: COUNTRY_REASON })
            delete entry.co
          }
        }
        if (defaults.country) entry.co ??= defaults.country
        if (defaults.issuer) entry.is ??= defaults.issuer
        if (t === 'v' && typeof entry.mp === 'string') fillVaccine(entry)
      }
    }
  }
  // v and t both given (one of them empty, `t: []`, as an export writes its unused lists): one reason
  // that says so, not the UVCI's "is missing" (hcert assigns one to the one entry of one type)
  if (types.length > 1) {
    const empty = types.filter((t) => (dcc[t] as unknown[]).length === 0)
    rejections.push({
      field: 'type',
      reason: `holds ${types.length} certificate types (${types.join(', ')}${empty.length > 0 ? `; ${empty.join(', ')} empty` : ''}): a DCC holds one, v (vaccination), t (test) or r (recovery); leave the others out`,
    })
  }
  return { type: types.length === 1 ? types[0] : undefined, dcc, rejections }
}

function fillVaccine(entry: Record<string, unknown>): void {
  const product = findVaccine(entry.mp as string)
  if (!product) return
  entry.mp = product.code
  if (entry.ma === undefined && product.manufacturer) entry.ma = product.manufacturer
  if (entry.vp === undefined && product.vaccineTypes[0]) entry.vp = product.vaccineTypes[0]
}

/**
 * A dose column as a number: a whole number from DOSE_RANGE.min to DOSE_RANGE.max, else a reason
 * saying which of the two it is not (`-1`: `must be 1 or more`, not `must be a whole number`).
 */
function toInteger(s: string | undefined, field: string, rejections: Rejection[]): number | undefined {
  if (s === undefined) return undefined
  const reason = !/^-?\d+$/.test(s)
    ? 'must be a whole number, such as 1 or 2'
    : Number(s) < DOSE_RANGE.min
      ? `must be ${DOSE_RANGE.min} or more`
      : Number(s) > DOSE_RANGE.max
        ? `must be at most ${DOSE_RANGE.max}`
        : undefined
  if (reason) {
    rejections.push({ field, reason })
    return undefined
  }
  return Number(s)
}

const NUMBER_COLUMNS = new Set(['dose', 'doses'])

function fromFlat(raw: Record<string, unknown>, defaults: IssueDefaults): Omit<BuiltRecord, 'key'> {
  const rejections: Rejection[] = []
  // every column as text (NFC, trimmed, of the right JSON type, no control character), once
  const cells: Record<string, string | undefined> = {}
  for (const column of FLAT_COLUMNS) {
    if (!(column in raw)) continue
    const { text, rejection } = cleanText(raw[column], column, NUMBER_COLUMNS.has(column))
    if (rejection) rejections.push(rejection)
    else cells[column] = text
  }
  const text = (column: string): string | undefined => cells[column]
  const typeText = text('type')?.toLowerCase()
  const type = typeText ? TYPE_NAMES[typeText] : undefined
  if (!typeText) {
    if (!rejections.some((r) => r.field === 'type'))
      rejections.push({ field: 'type', reason: 'is missing (v, t or r)' })
  } else if (!type)
    rejections.push({ field: 'type', reason: 'must be v, t or r (vaccination, test, recovery)' })
  // a value in another type's column is refused, not dropped: as for a PCR test's device id, the
  // site learns that its export mixes up columns, and no certificate states less than the record
  if (type) {
    for (const [owner, columns] of TYPE_COLUMNS) {
      if (owner === type) continue
      for (const column of columns)
        if (cells[column] !== undefined)
          rejections.push({
            field: column,
            reason: `belongs to ${TYPE_WORDS[owner]} certificates; this record is a ${TYPE_WORDS[type]} (type ${type}): leave ${column} empty (or correct type)`,
          })
    }
  }

  const fn = text('fn')
  const gn = text('gn')
  const names: Record<string, string> = {}
  if (fn) names.fn = fn
  if (gn) names.gn = gn
  const fnt = text('fnt')
  const gnt = text('gnt')
  if (fnt) names.fnt = fnt
  if (gnt) names.gnt = gnt
  standardise(names, 'fn', 'fnt', rejections)
  standardise(names, 'gn', 'gnt', rejections)
  const nam: Record<string, string> = {}
  for (const k of ['fn', 'fnt', 'gn', 'gnt'] as const) if (names[k] !== undefined) nam[k] = names[k]
  const dcc: Record<string, unknown> = { ver: SCHEMA_VERSION, nam, dob: text('dob') ?? '' }
  if (text('dob') === undefined && !rejections.some((r) => r.field === 'dob'))
    rejections.push({ field: 'dob', reason: 'is missing (YYYY-MM-DD, YYYY-MM or YYYY)' })

  const country = text('country')
  const co = country === undefined ? undefined : countryCode(country)
  if (country !== undefined && co === undefined) rejections.push({ field: 'country', reason: COUNTRY_REASON })
  const common = {
    tg: text('disease') ?? COVID_19,
    // a country that is not a code is rejected above, and left out, so that the UVCI never reads it
    co: co ?? defaults.country,
    is: text('issuer') ?? defaults.issuer,
    ci: text('ci'),
  }
  if (type === 'v') {
    const vaccine = text('vaccine')
    const product = vaccine ? findVaccine(vaccine) : undefined
    const entry: Record<string, unknown> = {
      tg: common.tg,
      vp: text('vaccine_type') ?? product?.vaccineTypes[0],
      mp: product?.code ?? vaccine,
      ma: text('manufacturer') ?? product?.manufacturer,
      dn: toInteger(text('dose'), 'dose', rejections),
      sd: toInteger(text('doses'), 'doses', rejections),
      dt: text('date'),
      co: common.co,
      is: common.is,
      ci: common.ci,
    }
    dcc.v = [prune(entry)]
  } else if (type === 't') {
    const tt = text('test_type')
    const tr = text('result')
    dcc.t = [
      prune({
        tg: common.tg,
        tt: tt ? (TEST_TYPES[tt.toLowerCase()] ?? tt) : undefined,
        nm: text('test_name'),
        ma: text('test_device'),
        sc: text('date'),
        tr: tr ? (TEST_RESULTS[tr.toLowerCase()] ?? tr) : undefined,
        tc: text('centre'),
        co: common.co,
        is: common.is,
        ci: common.ci,
      }),
    ]
  } else if (type === 'r') {
    const fr = text('date')
    dcc.r = [
      prune({
        tg: common.tg,
        fr,
        co: common.co,
        is: common.is,
        df: text('valid_from') ?? (fr ? addDays(fr, 11) : undefined),
        du: text('valid_until') ?? (fr ? addDays(fr, 180) : undefined),
        ci: common.ci,
      }),
    ]
  }
  return { type, dcc, rejections }
}

/** The entry without its undefined fields, in the same order (a loop: this runs for every record) */
function prune(entry: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {}
  for (const key in entry) {
    const value = entry[key]
    if (value !== undefined) out[key] = value
  }
  return out
}

/** Recovery validity per Regulation 2021/953: from day 11 after the first positive test, for 180 days. */
function addDays(date: string, days: number): string | undefined {
  const parsed = Date.parse(`${date.slice(0, 10)}T00:00:00Z`)
  if (Number.isNaN(parsed)) return undefined
  return new Date(parsed + days * 86_400_000).toISOString().slice(0, 10)
}
