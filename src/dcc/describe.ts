/**
 * A certificate in words: every coded field with its display name from the official value sets.
 * Pure data for renderers; no colours, no printing.
 */
import { CERTIFICATE_TYPE_NAMES, certificateTypes, type CertificateType } from './types.js'
import { CODED_FIELDS, displayName } from './valuesets.js'

export interface DescribedField {
  key: string
  label: string
  value: string
  /** display name from the value set, when the field is coded */
  display?: string
  /** true when a coded field's value is not in the official value set */
  unknownCode?: boolean
}

export interface DescribedEntry {
  type: CertificateType
  typeName: string
  fields: DescribedField[]
}

const LABELS: Readonly<Record<string, string>> = {
  tg: 'Disease',
  vp: 'Vaccine type',
  mp: 'Product',
  ma: 'Manufacturer',
  dn: 'Dose',
  sd: 'Doses in series',
  dt: 'Date of vaccination',
  tt: 'Test type',
  nm: 'Test name',
  sc: 'Sample collected',
  dr: 'Result date',
  tr: 'Result',
  tc: 'Testing centre',
  fr: 'First positive test',
  df: 'Valid from',
  du: 'Valid until',
  co: 'Country',
  is: 'Issuer',
  ci: 'Certificate id (UVCI)',
}

export function describeEntries(dcc: Record<string, unknown>): DescribedEntry[] {
  const out: DescribedEntry[] = []
  for (const type of certificateTypes(dcc)) {
    for (const entry of dcc[type] as unknown[]) {
      if (typeof entry !== 'object' || entry === null) continue
      out.push({
        type,
        typeName: CERTIFICATE_TYPE_NAMES[type],
        fields: describeEntry(type, entry as Record<string, unknown>),
      })
    }
  }
  return out
}

function describeEntry(type: CertificateType, entry: Record<string, unknown>): DescribedField[] {
  const coded = CODED_FIELDS[type]
  const fields: DescribedField[] = []
  const keys = Object.keys(entry).sort((a, b) => order(a) - order(b))
  for (const key of keys) {
    const raw = entry[key]
    if (type === 'v' && key === 'sd') continue // shown with dn as "n/m"
    const value = type === 'v' && key === 'dn' ? `${shown(raw)}/${shown(entry.sd)}` : shown(raw)
    // own properties only: a payload key such as toString or __proto__ is no label and no value set
    const field: DescribedField = { key, label: (Object.hasOwn(LABELS, key) && LABELS[key]) || key, value }
    const set = Object.hasOwn(coded, key) ? coded[key] : undefined
    if (set) {
      const display = displayName(set, raw)
      if (display === undefined) field.unknownCode = true
      else field.display = display
    }
    fields.push(field)
  }
  return fields
}

const SCHEMA_KEYS = new Set(['ver', 'nam', 'dob', 'v', 't', 'r'])
const NAME_KEYS = new Set(['fn', 'fnt', 'gn', 'gnt'])

/**
 * The payload's fields the DCC schema (1.3.0, DCC.combined-schema.json) does not define, at the top
 * level and in `nam`, as `{ key, value }` with `key` a path (`extra`, `nam.title`): shown so that
 * nothing a certificate carries is hidden from its reader. Fields inside a v/t/r entry are listed
 * with that entry (describeEntries) already.
 */
export function fieldsOutsideSchema(dcc: Record<string, unknown>): Array<{ key: string; value: string }> {
  const out: Array<{ key: string; value: string }> = []
  for (const key of Object.keys(dcc)) {
    if (!SCHEMA_KEYS.has(key)) out.push({ key, value: shown(dcc[key]) })
  }
  const nam = dcc.nam
  if (typeof nam === 'object' && nam !== null && !Array.isArray(nam)) {
    for (const [key, value] of Object.entries(nam)) {
      if (!NAME_KEYS.has(key)) out.push({ key: `nam.${key}`, value: shown(value) })
    }
  }
  return out
}

const FIELD_ORDER = Object.keys(LABELS)
/** a payload value as text: objects (which may hold a key named toString) as JSON */
function shown(value: unknown): string {
  return typeof value === 'object' && value !== null ? JSON.stringify(value) : String(value)
}

function order(key: string): number {
  const i = FIELD_ORDER.indexOf(key)
  return i < 0 ? FIELD_ORDER.length : i
}

/** "expired 40 days ago" / "expires in 200 days" / "issued 3 hours ago". */
export function relativeTime(seconds: number, now: Date): string {
  const delta = seconds * 1000 - now.getTime()
  const abs = Math.abs(delta)
  const units: Array<[number, string]> = [
    [86_400_000, 'day'],
    [3_600_000, 'hour'],
    [60_000, 'minute'],
  ]
  for (const [size, unit] of units) {
    if (abs >= size) {
      const n = Math.floor(abs / size)
      const span = `${n} ${unit}${n === 1 ? '' : 's'}`
      return delta < 0 ? `${span} ago` : `in ${span}`
    }
  }
  return 'now'
}
