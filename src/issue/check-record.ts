/**
 * Data cleaning before anything is signed: the DCC schema, value-set membership of every coded field,
 * and sanity across fields. Each problem names the input column and says what is wrong in words that a
 * vaccination site can act on. Reasons quote codes, never names or dates (they are stored in the
 * ledger and grouped by stats): the record itself, in the rejects file, shows the value.
 */
import { validateSchema } from '../dcc/schema.js'
import { isNotCalendarDate } from '../dcc/schema-formats.js'
import type { CertificateType } from '../dcc/types.js'
import { CODED_FIELDS, isInValueSet } from '../dcc/valuesets.js'
import { parseInstant } from '../time/parse-instant.js'
import type { Rejection } from './build-dcc.js'
import { findVaccine } from './vaccines.js'

/** The input column (README "Input columns") behind each DCC field. */
const COLUMNS: Readonly<Record<string, string>> = {
  'nam/fn': 'fn',
  'nam/gn': 'gn',
  'nam/fnt': 'fnt',
  'nam/gnt': 'gnt',
  nam: 'fn',
  dob: 'dob',
  'v/tg': 'disease',
  'v/vp': 'vaccine_type',
  'v/mp': 'vaccine',
  'v/ma': 'manufacturer',
  'v/dn': 'dose',
  'v/sd': 'doses',
  'v/dt': 'date',
  't/tg': 'disease',
  't/tt': 'test_type',
  't/nm': 'test_name',
  't/ma': 'test_device',
  't/sc': 'date',
  't/tr': 'result',
  't/tc': 'centre',
  'r/tg': 'disease',
  'r/fr': 'date',
  'r/df': 'valid_from',
  'r/du': 'valid_until',
}

/** `/v/0/dn` → `dose`; fields without a column keep their DCC name (`co` → `country`). */
export function columnFor(path: string): string {
  const parts = path.split('/').filter((p) => p !== '' && !/^\d+$/.test(p))
  const key = parts.join('/')
  const last = parts[parts.length - 1] ?? ''
  if (COLUMNS[key]) return COLUMNS[key] as string
  if (last === 'co') return 'country'
  if (last === 'is') return 'issuer'
  return key || 'record'
}

const MAX_FUTURE_SKEW_MS = 60 * 60 * 1000 // an hour, for clocks that disagree a little

export function checkRecord(
  dcc: Record<string, unknown>,
  type: CertificateType | undefined,
  now: Date,
): Rejection[] {
  const out: Rejection[] = []
  for (const issue of validateSchema(dcc)) {
    const missing = /must have required property '(\w+)'/.exec(issue.message)?.[1]
    if (missing === 'fnt' || missing === 'gnt')
      out.push({ field: 'fn', reason: 'is missing: a surname or a forename is needed' })
    else if (missing) out.push({ field: columnFor(`${issue.path}/${missing}`), reason: 'is missing' })
    else
      out.push({
        field: columnFor(issue.path),
        reason: issue.message.slice(issue.path.length).trim() || issue.message,
      })
  }
  if (!type) return dedupe(out)
  const entry = (dcc[type] as Array<Record<string, unknown>> | undefined)?.[0]
  if (!entry) return dedupe(out)
  for (const [field, set] of Object.entries(CODED_FIELDS[type])) {
    const value = entry[field]
    if (value === undefined || value === '') continue
    if (type === 't' && field === 'ma' && entry.tt !== 'LP217198-3') continue
    if (!isInValueSet(set, value)) {
      out.push({
        field: columnFor(`${type}/${field}`),
        reason: `'${String(value)}' is not in the EU value set ${set}`,
      })
    }
  }
  const when = (field: string): Date | undefined =>
    typeof entry[field] === 'string' ? parseInstant(entry[field] as string) : undefined
  const future = (field: string, what: string): void => {
    const date = when(field)
    if (date && date.getTime() > now.getTime() + MAX_FUTURE_SKEW_MS) {
      out.push({
        field: columnFor(`${type}/${field}`),
        reason: `${what} is in the future`,
      })
    }
  }
  const dob =
    typeof dcc.dob === 'string' && dcc.dob !== ''
      ? parseInstant(
          dcc.dob.length === 4 ? `${dcc.dob}-01-01` : dcc.dob.length === 7 ? `${dcc.dob}-01` : dcc.dob,
        )
      : undefined
  if (typeof dcc.dob === 'string' && isNotCalendarDate(dcc.dob)) {
    out.push({ field: 'dob', reason: 'is not a calendar date' })
  }
  if (dob && dob.getTime() > now.getTime())
    out.push({ field: 'dob', reason: 'the date of birth is in the future' })
  const eventField = type === 'v' ? 'dt' : type === 't' ? 'sc' : 'fr'
  const event = when(eventField)
  if (dob && event && dob.getTime() > event.getTime()) {
    out.push({
      field: 'dob',
      reason: `the date of birth is after the ${type === 'v' ? 'vaccination' : type === 't' ? 'test' : 'first positive test'}`,
    })
  }

  if (type === 'v') {
    future('dt', 'the vaccination date')
    const dn = entry.dn
    const sd = entry.sd
    if (typeof dn === 'number' && typeof sd === 'number' && dn > sd && !(dn === 2 && sd === 1)) {
      out.push({
        field: 'dose',
        reason: `dose ${dn} of ${sd}: the dose number exceeds the doses in the series (the EU rules encode a booster as 3/3, 4/4…, or 2/1 after a one-dose vaccine)`,
      })
    }
    const product = typeof entry.mp === 'string' ? findVaccine(entry.mp) : undefined
    if (product?.manufacturer && typeof entry.ma === 'string' && entry.ma !== product.manufacturer) {
      out.push({
        field: 'manufacturer',
        reason: `'${entry.ma}' does not make ${product.name} (${product.code}); the EU encoding instructions pair it with ${product.manufacturer}`,
      })
    }
    if (
      product &&
      product.vaccineTypes.length > 0 &&
      typeof entry.vp === 'string' &&
      !product.vaccineTypes.includes(entry.vp) &&
      entry.vp !== 'J07BX03'
    ) {
      out.push({
        field: 'vaccine_type',
        reason: `'${entry.vp}' is not a vaccine type of ${product.name}; expected ${product.vaccineTypes.join(' or ')}`,
      })
    }
  } else if (type === 't') {
    future('sc', 'the sample collection time')
    if (entry.tt === 'LP217198-3' && entry.ma === undefined) {
      out.push({
        field: 'test_device',
        reason: 'a rapid antigen test needs the device identifier (test_device, from the EU list)',
      })
    }
  } else {
    future('fr', 'the first positive test')
    const fr = when('fr')
    const df = when('df')
    const du = when('du')
    if (fr && df && df.getTime() < fr.getTime() + 11 * 86_400_000) {
      out.push({
        field: 'valid_from',
        reason: 'is earlier than 11 days after the first positive test',
      })
    }
    if (fr && du && du.getTime() > fr.getTime() + 180 * 86_400_000) {
      out.push({
        field: 'valid_until',
        reason: 'is more than 180 days after the first positive test',
      })
    }
    if (df && du && df.getTime() > du.getTime())
      out.push({
        field: 'valid_until',
        reason: 'is before valid_from',
      })
  }
  return dedupe(out)
}

function dedupe(list: Rejection[]): Rejection[] {
  const seen = new Set<string>()
  return list.filter((r) => {
    const k = `${r.field}\u0000${r.reason}`
    if (seen.has(k)) return false
    seen.add(k)
    return true
  })
}
