/**
 * Data cleaning before anything is signed: the DCC schema, value-set membership of every coded field,
 * sanity across fields, and the length of the certificate against a QR code's capacity. Each problem
 * names the input column and says what is wrong in words that a vaccination site can act on.
 *
 * Reasons never quote the input (they go to stderr, --json, the ledger and stats' top reasons): the
 * column, and the kind of problem, in words; the record itself, in the rejects file, shows the value.
 * One wrong value gives one reason: a column gets at most one, and a column filled in from another
 * (vaccine type and manufacturer from the vaccine, fnt from fn, validity from the date) gets none
 * when the one it comes from is wrong, whichever of the two is found first (reasons.ts). An ICVP
 * record given to a DCC batch is one reason (build-dcc.ts LOOKS_LIKE_ICVP).
 */
import { isKnownSchemaVersion, validateSchema, type SchemaIssue } from '../dcc/schema.js'
import { isNotCalendarDate, isRfc3339DateTime } from '../dcc/schema-formats.js'
import type { CertificateType } from '../dcc/types.js'
import { isWellFormedUvci, MAX_UVCI_LENGTH } from '../dcc/uvci.js'
import { CODED_FIELDS, isInValueSet } from '../dcc/valuesets.js'
import { parseInstant } from '../time/parse-instant.js'
import { LOOKS_LIKE_ICVP, type Rejection } from './build-dcc.js'
import { DOSE_RANGE } from './input-columns.js'
import { hc1LengthBound, QR_CAPACITY_Q, type SignedShape } from './hc1-size.js'
import { findVaccine } from './vaccines.js'
import { Reasons } from './reasons.js'

/** The input column (README "Input columns") behind each DCC field. */
const COLUMNS: Readonly<Record<string, string>> = {
  'nam/fn': 'fn',
  'nam/gn': 'gn',
  'nam/fnt': 'fnt',
  'nam/gnt': 'gnt',
  nam: 'fn',
  dob: 'dob',
  v: 'type',
  t: 'type',
  r: 'type',
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
  if (last === 'ci') return 'ci'
  return key || 'record'
}

/**
 * A reason's field for a record given as a DCC payload: the payload field the site typed
 * (`t/sc`, `v/mp`, `nam/fn`), not the flat column hcert reads it from (`date`, `vaccine`, `fn`);
 * `dob`, `ver`, `id`, `type` and `record` are the same in both forms. `type`: the entry's.
 */
export function payloadFieldFor(column: string, type: CertificateType | undefined): string {
  if (column === 'fn' || column === 'gn' || column === 'fnt' || column === 'gnt') return `nam/${column}`
  if (!type) return column
  if (column === 'country') return `${type}/co`
  if (column === 'issuer') return `${type}/is`
  if (column === 'ci') return `${type}/ci`
  const path = Object.keys(COLUMNS).find((key) => key.startsWith(`${type}/`) && COLUMNS[key] === column)
  return path ?? column
}

/** Fields the DCC schema 1.3 gives as `date` (not `date-time`), per certificate type. */
const DATE_FIELDS: Readonly<Record<CertificateType, readonly string[]>> = {
  v: ['dt'],
  t: [],
  r: ['fr', 'df', 'du'],
}
const FULL_DATE = /^\d{4}-\d{2}-\d{2}$/
/**
 * Fields the DCC schema 1.3 gives as `date-time`: a test's sample collection time (the only one;
 * 1.0.x's result time `dr` is no field of 1.3, refused as such). hcert signs RFC 3339 there, every
 * part in range (schema-formats.ts isRfc3339DateTime), before any comparison reads it.
 */
const DATE_TIME_FIELDS: Readonly<Record<CertificateType, readonly string[]>> = {
  v: [],
  t: ['sc'],
  r: [],
}

const MAX_FUTURE_SKEW_MS = 60 * 60 * 1000 // an hour, for clocks that disagree a little

/**
 * The earliest day an event of a disease may be dated (the vaccination, the test's sample, the first
 * positive test): COVID-19 (SNOMED CT 840539006) was first reported in December 2019, so a date
 * before 2019-12-01 is a typo (1900, 2012), never a certificate.
 */
export const DISEASE_FLOOR: Readonly<Record<string, { day: string; name: string }>> = {
  '840539006': { day: '2019-12-01', name: 'COVID-19' },
}

/** Columns filled in from another column: no reason of their own when that one is wrong. */
const FILLED_FROM: Readonly<Record<string, readonly string[]>> = {
  vaccine_type: ['vaccine'],
  manufacturer: ['vaccine'],
  fnt: ['fn'],
  gnt: ['gn'],
  valid_from: ['date'],
  valid_until: ['date'],
  ci: ['country', 'type'],
}

/** What a value set holds, for the column it is typed in. */
const VALUE_SET_WORDS: Readonly<Record<string, string>> = {
  vaccine:
    'is not a vaccine the EU value set lists: give its name (such as Comirnaty) or its EU code (such as EU/1/20/1528)',
  vaccine_type:
    'is not a vaccine type code of the EU value set (leave it empty: it is derived from the vaccine)',
  manufacturer:
    'is not a manufacturer code of the EU value set, ORG-… (leave it empty: it is derived from the vaccine)',
  disease: 'is not a disease code of the EU value set (leave it empty for COVID-19)',
  test_type: 'is not a test type: give PCR, NAAT, RAT or antigen, or a LOINC code of the EU value set',
  test_device: 'is not a rapid antigen test device id of the EU list (the number, such as 1232)',
  result: 'is not a test result: give negative or positive, or a SNOMED code of the EU value set',
  country: 'is not a country code of the EU value set (ISO 3166 two letters, such as VN)',
}

/** How a column must be written, for a value the schema's pattern or format refused. */
const FORM_WORDS: Readonly<Record<string, string>> = {
  dob: 'must be a date of birth written YYYY-MM-DD, YYYY-MM or YYYY, from 1900 on',
  fnt: 'must be the standardised surname: capital letters A–Z and < only (leave it empty to derive it from fn)',
  gnt: 'must be the standardised forename: capital letters A–Z and < only (leave it empty to derive it from gn)',
  ci: 'must be a UVCI, URN:UVCI:01:<country>:… (leave it out: hcert assigns one)',
  country: 'must be an ISO 3166 two-letter country code, such as VN',
}

/** A payload's `ver` that is no DCC schema version (isKnownSchemaVersion). */
export const VER_REASON =
  'is not a DCC schema version: hcert signs versions 1.x.y of the schema (1.0.0 to 1.3.2 are published; such as 1.3.0); leave ver out and hcert writes 1.3.0'

/** A date-time field (DATE_TIME_FIELDS) that is not RFC 3339, or not a time that exists. */
const DATE_TIME_REASON =
  'must be a date and time written YYYY-MM-DDThh:mm:ss with Z or an offset, such as 2021-06-01T08:00:00+07:00'

/** A schema issue in words: the kind of problem, never the value. */
function schemaReason(issue: SchemaIssue, column: string): string {
  const p = issue.params
  switch (issue.keyword) {
    case 'pattern':
    case 'format':
      if (FORM_WORDS[column]) return FORM_WORDS[column] as string
      if (p.format === 'date') return 'must be a date written YYYY-MM-DD'
      if (p.format === 'date-time') return DATE_TIME_REASON
      return 'is not written in the form the DCC schema asks for'
    case 'maxLength':
      return `is longer than ${String(p.limit)} characters`
    case 'minLength':
      return p.limit === 1 ? 'is empty' : `is shorter than ${String(p.limit)} characters`
    case 'type':
      return p.type === 'integer'
        ? 'must be a whole number'
        : p.type === 'string'
          ? 'must be text'
          : p.type === 'number'
            ? 'must be a number'
            : `must be ${p.type === 'array' ? 'a list' : p.type === 'object' ? 'an object' : String(p.type)}`
    case 'minimum':
    case 'exclusiveMinimum':
      return `must be ${String(issue.keyword === 'minimum' ? p.limit : Number(p.limit) + 1)} or more`
    case 'maximum':
    case 'exclusiveMaximum':
      return `must be at most ${String(issue.keyword === 'maximum' ? p.limit : Number(p.limit) - 1)}`
    case 'minItems':
      return `must hold at least ${String(p.limit)} ${p.limit === 1 ? 'entry' : 'entries'}`
    case 'maxItems':
      return `must hold at most ${String(p.limit)} ${p.limit === 1 ? 'entry' : 'entries'}`
    case 'enum':
    case 'const':
      return 'is not one of the values the DCC schema allows'
    case 'additionalProperties':
      return 'is not a field of the DCC schema'
    default:
      return `is not valid (DCC schema: ${issue.keyword})`
  }
}

/**
 * The reasons to reject a record, after `earlier` (those found while building it, which come
 * first and take the column); [] when it may be signed. With `signedShape`, a certificate too
 * long for a QR code (QR_CAPACITY_Q) is rejected too.
 */
export function checkRecord(
  dcc: Record<string, unknown>,
  type: CertificateType | undefined,
  now: Date,
  earlier: readonly Rejection[] = [],
  signedShape?: SignedShape,
): Rejection[] {
  // an ICVP record: its one reason says so, without the DCC fields it lacks
  if (earlier.some((r) => r.reason === LOOKS_LIKE_ICVP)) return [...earlier]
  const out = new Reasons(earlier, FILLED_FROM)
  const entry = type ? (dcc[type] as Array<Record<string, unknown>> | undefined)?.[0] : undefined
  if (type && entry && typeof entry === 'object') {
    // a UVCI given in the input (a DCC payload's ci) is kept: it must be one, or it would make a
    // certificate no verifier can revoke by it, and a QR image named by nothing
    if (typeof entry.ci === 'string' && !isWellFormedUvci(entry.ci))
      out.add(
        'ci',
        entry.ci.trim() === ''
          ? 'is empty: leave ci out, and hcert assigns a UVCI'
          : `is not a UVCI: it must read URN:UVCI:01:<country code>:<letters and digits, up to three parts separated by />, optionally # and a check character, at most ${MAX_UVCI_LENGTH} characters (or leave ci out, and hcert assigns one)`,
      )
    for (const [field, set] of Object.entries(CODED_FIELDS[type])) {
      const value = entry[field]
      if (value === undefined || value === '') continue
      if (type === 't' && field === 'ma' && entry.tt !== 'LP217198-3') continue
      if (!isInValueSet(set, value)) {
        const column = columnFor(`${type}/${field}`)
        out.add(column, VALUE_SET_WORDS[column] ?? `is not in the EU value set ${set}`)
      }
    }
    if (type === 't') {
      // fields of one test type only (DCC schema 1.3: nm "NAA Test Name", ma "RAT Test name and
      // manufacturer"): a PCR certificate with a rapid test's device, or the reverse, is refused,
      // not silently changed
      if (entry.tt === 'LP6464-4' && entry.ma !== undefined)
        out.add(
          'test_device',
          'belongs to rapid antigen tests only; a NAAT/PCR test has no device id: leave test_device empty (or correct test_type)',
        )
      if (entry.tt === 'LP217198-3' && entry.nm !== undefined)
        out.add(
          'test_name',
          'belongs to NAAT/PCR tests only; a rapid antigen test is named by its device id in test_device: leave test_name empty (or correct test_type)',
        )
    }
  }
  // the schema's pattern takes any x.y.z: a version no schema has (9.9.9) would be signed as one
  if (typeof dcc.ver === 'string' && !isKnownSchemaVersion(dcc.ver)) out.add('ver', VER_REASON)
  const issues = validateSchema(dcc)
  // an entry list longer than the schema allows is one reason: the entries past it (which hcert
  // gives no UVCI) are not checked one by one
  const tooMany = issues.filter((i) => i.keyword === 'maxItems').map((i) => i.path)
  const pastLimit = (path: string): boolean =>
    tooMany.some(
      (list) => path.startsWith(`${list}/`) && !path.startsWith(`${list}/0/`) && path !== `${list}/0`,
    )
  for (const issue of issues) {
    if (pastLimit(issue.path)) continue
    // `nam` given as text: say what form it takes, not the type of one of its fields
    if (issue.path === '/nam' && issue.keyword === 'type') {
      out.add(
        'fn',
        'nam must be an object with the names, {"fn": …, "gn": …} (the DCC payload form); or give the flat columns fn and gn instead of nam',
      )
      continue
    }
    const missing = issue.keyword === 'required' ? String(issue.params.missingProperty) : undefined
    if (missing === 'fnt' || missing === 'gnt') {
      if (!out.covers('fnt') && !out.covers('fn'))
        out.add('fn', 'is missing: a surname or a forename is needed')
    } else if (missing) out.add(columnFor(`${issue.path}/${missing}`), 'is missing')
    else if (issue.keyword === 'additionalProperties')
      out.add(columnFor(`${issue.path}/${String(issue.params.additionalProperty)}`), schemaReason(issue, ''))
    else {
      const column = columnFor(issue.path)
      out.add(column, schemaReason(issue, column))
    }
  }
  // ICAO 9303: `<` stands for one space or hyphen between names: `LE<<X`, `<LE`, `LE<` are no names
  const nam = dcc.nam && typeof dcc.nam === 'object' ? (dcc.nam as Record<string, unknown>) : {}
  for (const field of ['fnt', 'gnt'] as const) {
    const value = nam[field]
    if (typeof value === 'string' && /^[A-Z<]+$/.test(value) && /<<|^<|<$/.test(value))
      out.add(
        field,
        `has a < at its start or end, or two < together: in a standardised name, < stands for one space or hyphen between two names (ICAO 9303), such as VAN<ANH; leave ${field} empty to derive it from ${field === 'fnt' ? 'fn' : 'gn'}`,
      )
  }
  if (!type || !entry) return out.list
  // the DCC schema gives these as dates; its reader here (schema-formats.ts) lets a time through,
  // as verify must read what others issued, but hcert signs a date only: a time would be signed as
  // written in a field verifiers read as a day
  for (const field of DATE_FIELDS[type]) {
    const value = entry[field]
    if (typeof value === 'string' && !FULL_DATE.test(value))
      out.add(columnFor(`${type}/${field}`), 'must be a date written YYYY-MM-DD')
  }
  // the schema's reader lets `+07`, `+0700` and a space through (verify reads what others issued);
  // a time JavaScript cannot read (an offset +99:99) is refused here, or "in the future" below
  // would never see it
  for (const field of DATE_TIME_FIELDS[type]) {
    const value = entry[field]
    if (typeof value === 'string' && !(isRfc3339DateTime(value) && parseInstant(value)))
      out.add(columnFor(`${type}/${field}`), DATE_TIME_REASON)
  }
  const when = (field: string): Date | undefined =>
    typeof entry[field] === 'string' ? parseInstant(entry[field] as string) : undefined
  const future = (field: string, what: string): void => {
    const date = when(field)
    if (date && date.getTime() > now.getTime() + MAX_FUTURE_SKEW_MS)
      out.add(columnFor(`${type}/${field}`), `${what} is in the future`)
  }
  const dob =
    typeof dcc.dob === 'string' && dcc.dob !== ''
      ? parseInstant(
          dcc.dob.length === 4 ? `${dcc.dob}-01-01` : dcc.dob.length === 7 ? `${dcc.dob}-01` : dcc.dob,
        )
      : undefined
  if (typeof dcc.dob === 'string' && isNotCalendarDate(dcc.dob)) out.add('dob', 'is not a calendar date')
  if (dob && dob.getTime() > now.getTime()) out.add('dob', 'the date of birth is in the future')
  const eventField = type === 'v' ? 'dt' : type === 't' ? 'sc' : 'fr'
  const event = when(eventField)
  // an event before the disease was known (a vaccination dated 1900): named by its rule, never its value
  const floor = typeof entry.tg === 'string' ? DISEASE_FLOOR[entry.tg] : undefined
  const floorTime = floor ? parseInstant(floor.day) : undefined
  const beforeDisease =
    floor !== undefined &&
    floorTime !== undefined &&
    event !== undefined &&
    event.getTime() < floorTime.getTime()
  if (floor && beforeDisease)
    out.add(
      columnFor(`${type}/${eventField}`),
      `is before ${floor.day}: a ${floor.name} ${type === 'v' ? 'vaccination' : type === 't' ? 'test' : 'first positive test'} cannot be dated before the disease was first reported (check the year)`,
    )
  // (an event dated before its disease is the date's fault, not the date of birth's)
  if (dob && event && !beforeDisease && dob.getTime() > event.getTime()) {
    out.add(
      'dob',
      `the date of birth is after the ${type === 'v' ? 'vaccination' : type === 't' ? 'test' : 'first positive test'}`,
    )
  }

  if (type === 'v') {
    future('dt', 'the vaccination date')
    const dn = entry.dn
    const sd = entry.sd
    // the schema sets no upper bound; a flat record's dose columns stop at DOSE_RANGE.max, and so
    // does a payload's
    if (typeof dn === 'number' && dn > DOSE_RANGE.max) out.add('dose', `must be at most ${DOSE_RANGE.max}`)
    if (typeof sd === 'number' && sd > DOSE_RANGE.max) out.add('doses', `must be at most ${DOSE_RANGE.max}`)
    if (typeof dn === 'number' && typeof sd === 'number' && dn > sd && !(dn === 2 && sd === 1)) {
      out.add(
        'dose',
        'the dose number exceeds the doses in the series (the EU rules encode a booster as 3/3, 4/4…, or 2/1 after a one-dose vaccine)',
      )
    }
    const product = typeof entry.mp === 'string' ? findVaccine(entry.mp) : undefined
    if (product?.manufacturer && typeof entry.ma === 'string' && entry.ma !== product.manufacturer) {
      out.add(
        'manufacturer',
        `is not the maker of ${product.name} (${product.code}); the EU encoding instructions pair it with ${product.manufacturer} (leave manufacturer empty to derive it)`,
      )
    }
    if (
      product &&
      product.vaccineTypes.length > 0 &&
      typeof entry.vp === 'string' &&
      !product.vaccineTypes.includes(entry.vp) &&
      entry.vp !== 'J07BX03'
    ) {
      out.add(
        'vaccine_type',
        `is not a vaccine type of ${product.name}; expected ${product.vaccineTypes.join(' or ')} (leave vaccine_type empty to derive it)`,
      )
    }
  } else if (type === 't') {
    future('sc', 'the sample collection time')
    if (entry.tt === 'LP217198-3' && entry.ma === undefined)
      out.add(
        'test_device',
        'a rapid antigen test needs the device identifier (test_device, from the EU list)',
      )
  } else {
    future('fr', 'the first positive test')
    const fr = when('fr')
    const df = when('df')
    const du = when('du')
    if (fr && df && df.getTime() < fr.getTime() + 11 * 86_400_000)
      out.add('valid_from', 'is earlier than 11 days after the first positive test')
    if (fr && du && du.getTime() > fr.getTime() + 180 * 86_400_000)
      out.add('valid_until', 'is more than 180 days after the first positive test')
    if (df && du && df.getTime() > du.getTime()) out.add('valid_until', 'is before valid_from')
  }
  if (signedShape && out.list.length === 0) {
    const length = hc1LengthBound(dcc, typeof entry.co === 'string' ? entry.co : undefined, signedShape)
    if (length > QR_CAPACITY_Q)
      out.add(
        'record',
        `the certificate would be about ${length} characters long; a QR code (error correction Q) holds at most ${QR_CAPACITY_Q}: shorten the longest fields`,
      )
  }
  return out.list
}
