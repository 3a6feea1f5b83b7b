/**
 * One input record (a CSV row, a flat JSON object, or a DCC payload) to a DCC payload, filling in
 * what the issuer need not type: ver, fnt/gnt, vaccine type and manufacturer from the product,
 * recovery validity, country and issuer. The UVCI is assigned later, once the record is accepted.
 * Column names are a contract (README "Input columns").
 */
import { hash } from 'node:crypto'
import { lacksTable, transliterate } from '../dcc/transliterate.js'
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
  /** idempotency key: `id:<id column>` or `sha256:<content hash>` */
  key: string
  type: CertificateType | undefined
  dcc: Record<string, unknown>
  rejections: Rejection[]
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

/** The content hash ignores key order and surrounding whitespace, so a re-exported file keeps its keys. */
export function idempotencyKey(raw: Record<string, unknown>): string {
  const id = raw.id
  if (typeof id === 'string' && id.trim() !== '') return `id:${id.trim()}`
  if (typeof id === 'number') return `id:${id}`
  return `sha256:${hash('sha256', canonical(raw), 'hex')}`
}

function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`
  if (value && typeof value === 'object') {
    return `{${Object.keys(value)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${canonical((value as Record<string, unknown>)[k])}`)
      .join(',')}}`
  }
  return JSON.stringify(typeof value === 'string' ? value.trim() : value)
}

const text = (value: unknown): string | undefined => {
  if (value === undefined || value === null) return undefined
  const s = String(value).trim()
  return s === '' ? undefined : s
}

export function buildDcc(raw: Record<string, unknown>, defaults: IssueDefaults): BuiltRecord {
  const key = idempotencyKey(raw)
  return 'nam' in raw ? fromPayload(raw, key, defaults) : fromFlat(raw, key, defaults)
}

/** A two-letter country code as people type it (`vn`, ` VN `), upper-cased; undefined for anything else. */
export function countryCode(value: string): string | undefined {
  const code = value.trim().toUpperCase()
  return /^[A-Z]{2}$/.test(code) ? code : undefined
}

const COUNTRY_REASON = 'must be an ISO 3166 two-letter country code, such as VN (not the country name)'

/**
 * `fnt`/`gnt` from `fn`/`gn` by ICAO 9303 when not given; a name in a script without a table here
 * is a rejection asking for them (never a standardised name with letters left out).
 */
function standardise(
  names: Record<string, unknown>,
  from: 'fn' | 'gn',
  to: 'fnt' | 'gnt',
  rejections: Rejection[],
): void {
  const given = names[from]
  if (names[to] !== undefined || typeof given !== 'string' || given.trim() === '') return
  if (lacksTable(given)) {
    rejections.push({
      field: to,
      reason: `is needed: ${from} is written in a script hcert has no ICAO 9303 transliteration table for (it has Latin and Cyrillic); give ${to} in capital letters A–Z, with < between names`,
    })
    return
  }
  const standardised = transliterate(given)
  if (standardised !== '') names[to] = standardised
}

function fromPayload(raw: Record<string, unknown>, key: string, defaults: IssueDefaults): BuiltRecord {
  const { id: _id, ...payload } = raw
  const dcc = structuredClone(payload)
  const rejections: Rejection[] = []
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
  return { key, type: types.length === 1 ? types[0] : undefined, dcc, rejections }
}

function fillVaccine(entry: Record<string, unknown>): void {
  const product = findVaccine(entry.mp as string)
  if (!product) return
  entry.mp = product.code
  if (entry.ma === undefined && product.manufacturer) entry.ma = product.manufacturer
  if (entry.vp === undefined && product.vaccineTypes[0]) entry.vp = product.vaccineTypes[0]
}

function toInteger(value: unknown, field: string, rejections: Rejection[]): number | undefined {
  const s = text(value)
  if (s === undefined) return undefined
  if (!/^\d{1,2}$/.test(s)) {
    rejections.push({ field, reason: 'must be a whole number, such as 1 or 2' })
    return undefined
  }
  return Number(s)
}

function fromFlat(raw: Record<string, unknown>, key: string, defaults: IssueDefaults): BuiltRecord {
  const rejections: Rejection[] = []
  const typeText = text(raw.type)?.toLowerCase()
  const type = typeText ? TYPE_NAMES[typeText] : undefined
  if (!typeText) rejections.push({ field: 'type', reason: 'is missing (v, t or r)' })
  else if (!type)
    rejections.push({ field: 'type', reason: 'must be v, t or r (vaccination, test, recovery)' })

  const fn = text(raw.fn)
  const gn = text(raw.gn)
  const names: Record<string, string> = {}
  if (fn) names.fn = fn
  if (gn) names.gn = gn
  const fnt = text(raw.fnt)
  const gnt = text(raw.gnt)
  if (fnt) names.fnt = fnt
  if (gnt) names.gnt = gnt
  standardise(names, 'fn', 'fnt', rejections)
  standardise(names, 'gn', 'gnt', rejections)
  const nam: Record<string, string> = {}
  for (const k of ['fn', 'fnt', 'gn', 'gnt'] as const) if (names[k] !== undefined) nam[k] = names[k]
  const dcc: Record<string, unknown> = { ver: SCHEMA_VERSION, nam, dob: text(raw.dob) ?? '' }
  if (text(raw.dob) === undefined)
    rejections.push({ field: 'dob', reason: 'is missing (YYYY-MM-DD, YYYY-MM or YYYY)' })

  const country = text(raw.country)
  const co = country === undefined ? undefined : countryCode(country)
  if (country !== undefined && co === undefined) rejections.push({ field: 'country', reason: COUNTRY_REASON })
  const common = {
    tg: text(raw.disease) ?? COVID_19,
    // a country that is not a code is rejected above, and left out, so that the UVCI never reads it
    co: co ?? defaults.country,
    is: text(raw.issuer) ?? defaults.issuer,
  }
  if (type === 'v') {
    const vaccine = text(raw.vaccine)
    const product = vaccine ? findVaccine(vaccine) : undefined
    const entry: Record<string, unknown> = {
      tg: common.tg,
      vp: text(raw.vaccine_type) ?? product?.vaccineTypes[0],
      mp: product?.code ?? vaccine,
      ma: text(raw.manufacturer) ?? product?.manufacturer,
      dn: toInteger(raw.dose, 'dose', rejections),
      sd: toInteger(raw.doses, 'doses', rejections),
      dt: text(raw.date),
      co: common.co,
      is: common.is,
    }
    dcc.v = [prune(entry)]
  } else if (type === 't') {
    const tt = text(raw.test_type)
    const tr = text(raw.result)
    dcc.t = [
      prune({
        tg: common.tg,
        tt: tt ? (TEST_TYPES[tt.toLowerCase()] ?? tt) : undefined,
        nm: text(raw.test_name),
        ma: text(raw.test_device),
        sc: text(raw.date),
        tr: tr ? (TEST_RESULTS[tr.toLowerCase()] ?? tr) : undefined,
        tc: text(raw.centre),
        co: common.co,
        is: common.is,
      }),
    ]
  } else if (type === 'r') {
    const fr = text(raw.date)
    dcc.r = [
      prune({
        tg: common.tg,
        fr,
        co: common.co,
        is: common.is,
        df: text(raw.valid_from) ?? (fr ? addDays(fr, 11) : undefined),
        du: text(raw.valid_until) ?? (fr ? addDays(fr, 180) : undefined),
      }),
    ]
  }
  return { key, type, dcc, rejections }
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
