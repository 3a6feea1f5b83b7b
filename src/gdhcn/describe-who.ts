/**
 * A WHO payload in words (ICVP, DDCC:VS/TR, the early DDCC, a health link): sections of labelled
 * fields, codes named (src/gdhcn/who-codes.ts). Fields the models do not define are shown under
 * their own key, marked `unknownField`, never dropped. Pure data for renderers.
 */
import type { DescribedField } from '../dcc/describe.js'
import { decodeHealthLink } from './health-link.js'
import type { PayloadKind } from './payload-kind.js'
import { codeName } from './who-codes.js'

export interface WhoField extends DescribedField {
  /** a key the kind's published model does not define */
  unknownField?: true
}

export interface WhoSection {
  title: string
  fields: WhoField[]
}

type Labels = Readonly<Record<string, string>>

/** fields whose value is a code to name */
const CODED = new Set([
  'tg',
  'vp',
  'mp',
  'ma',
  'disease',
  'vaccine',
  'brand',
  'manufacturer',
  'maholder',
  'ma_holder',
  'pathogen',
  'type',
  'result',
  'origin',
])

const ICVP_HOLDER: Labels = {
  n: 'Name',
  dob: 'Date of birth',
  s: 'Sex',
  ntl: 'Nationality',
  nt: 'Nationality',
  nid: 'National id',
  id: 'National id',
  ndt: 'Id document type',
  gn: 'Guardian',
}
const ICVP_VACCINATION: Labels = {
  tg: 'Disease',
  vp: 'Vaccine',
  mp: 'Product',
  ma: 'Manufacturer',
  mid: 'Manufacturer id',
  dn: 'Dose',
  dt: 'Date of vaccination',
  bo: 'Batch',
  cn: 'Clinician',
  is: 'Issuer',
  vls: 'Valid from',
  vle: 'Valid until',
}
const DDCC_PERSON: Labels = { name: 'Name', birthDate: 'Date of birth', identifier: 'Identifier', sex: 'Sex' }
const DDCC_CERTIFICATE: Labels = {
  issuer: 'Issuer',
  kid: 'Key id',
  hcid: 'Certificate id (HCID)',
  ddccid: 'DDCC id',
  version: 'Schema version',
  period: 'Validity',
}
const DDCC_VACCINATION: Labels = {
  disease: 'Disease',
  vaccine: 'Vaccine',
  brand: 'Product',
  manufacturer: 'Manufacturer',
  maholder: 'Authorisation holder',
  lot: 'Batch',
  date: 'Date of vaccination',
  validFrom: 'Valid from',
  dose: 'Dose',
  totalDoses: 'Doses in series',
  country: 'Country',
  centre: 'Centre',
  signature: 'Signature',
  practitioner: 'Practitioner',
  nextDose: 'Next dose',
}
const DDCC_TEST: Labels = {
  pathogen: 'Pathogen',
  type: 'Test type',
  brand: 'Test',
  manufacturer: 'Manufacturer',
  origin: 'Sample origin',
  date: 'Sample collected',
  result: 'Result',
  centre: 'Centre',
  country: 'Country',
}
const EARLY_PERSON: Labels = { ...DDCC_PERSON }
const EARLY_CERTIFICATE: Labels = {
  hcid: 'Certificate id (HCID)',
  valid_from: 'Valid from',
  valid_until: 'Valid until',
  pha: 'Health authority',
}
const EARLY_VACCINATION: Labels = {
  disease: 'Disease',
  vaccine: 'Vaccine',
  brand: 'Product',
  manufacturer: 'Manufacturer',
  ma_holder: 'Authorisation holder',
  lot: 'Batch',
  date: 'Date of vaccination',
  dose: 'Dose',
  total_doses: 'Doses in series',
  due_date: 'Next dose due',
  vaccine_valid: 'Vaccine valid from',
  country: 'Country',
  centre: 'Centre',
  hw: 'Health worker',
}
const LINK: Labels = {
  scheme: 'Scheme',
  viewer: 'Viewer URL',
  url: 'Manifest URL',
  key: 'Decryption key',
  exp: 'Expires',
  flag: 'Flags',
  label: 'Label',
  v: 'Version',
}

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value)

/** The sections of a WHO payload (every kind but `dcc`, which src/dcc/describe.ts words). */
export function describeWhoPayload(kind: PayloadKind, payload: Record<string, unknown>): WhoSection[] {
  switch (kind) {
    case 'icvp':
      return describeIcvp(payload)
    case 'ddcc-vs':
    case 'ddcc-tr':
      return describeDdcc(payload)
    case 'ddcc-early':
      return split(payload, [
        ['Holder', EARLY_PERSON],
        ['Certificate', EARLY_CERTIFICATE],
        ['Vaccination', EARLY_VACCINATION],
      ])
    case 'link':
      return describeLink(payload)
    default:
      return []
  }
}

function describeIcvp(payload: Record<string, unknown>): WhoSection[] {
  // the first generation has v: a vaccination (or a list of them); the newer one vx, and v a version
  const newer = payload.vx !== undefined || typeof payload.v === 'string'
  const listKey = newer ? 'vx' : 'v'
  const holderLabels: Labels = newer
    ? { ...ICVP_HOLDER, dt: 'Id document type', v: 'Template version' }
    : ICVP_HOLDER
  const holder: Record<string, unknown> = {}
  for (const [key, value] of Object.entries(payload)) if (key !== listKey) holder[key] = value
  const sections = [section('Holder', holder, holderLabels)]
  const entries = payload[listKey]
  for (const entry of Array.isArray(entries) ? entries : [entries]) {
    if (isObject(entry)) sections.push(section('Vaccination', entry, ICVP_VACCINATION))
    else if (entry !== undefined)
      sections.push({ title: 'Vaccination', fields: [field(listKey, entry, {}, false)] })
  }
  return sections
}

function describeDdcc(payload: Record<string, unknown>): WhoSection[] {
  const person: Record<string, unknown> = {}
  const sections: WhoSection[] = []
  const nested: Array<[string, string, Labels]> = [
    ['certificate', 'Certificate', DDCC_CERTIFICATE],
    ['vaccination', 'Vaccination', DDCC_VACCINATION],
    ['test', 'Test', DDCC_TEST],
  ]
  for (const [key, value] of Object.entries(payload)) {
    const known = nested.find(([name]) => name === key)
    if (known && isObject(value)) sections.push(section(known[1], value, known[2]))
    else person[key] = value
  }
  return [section('Holder', person, DDCC_PERSON), ...sections]
}

function describeLink(payload: Record<string, unknown>): WhoSection[] {
  const uri = payload.uri
  if (typeof uri !== 'string') return [section('Link', payload, {})]
  const decoded = decodeHealthLink(uri)
  if ('problem' in decoded)
    return [
      {
        title: 'Link',
        fields: [{ key: 'uri', label: 'Link', value: `not readable: it ${decoded.problem}` }],
      },
    ]
  const { other, ...known } = decoded.link
  const fields = section('Link', { ...known, ...other }, LINK).fields
  for (const f of fields)
    if (f.key === 'exp' && typeof known.exp === 'number')
      f.display = new Date(known.exp * 1000).toISOString().replace('.000Z', 'Z')
  fields.push({ key: 'fetched', label: 'Content', value: 'not fetched (hcert reads no network)' })
  return [{ title: 'Link', fields }]
}

/** a flat map split into sections by which labels hold each key; the others go with the last */
function split(payload: Record<string, unknown>, parts: Array<[string, Labels]>): WhoSection[] {
  const buckets = parts.map(() => ({}) as Record<string, unknown>)
  for (const [key, value] of Object.entries(payload)) {
    const i = parts.findIndex(([, labels]) => Object.hasOwn(labels, key))
    ;(buckets[i < 0 ? parts.length - 1 : i] as Record<string, unknown>)[key] = value
  }
  return parts.map(([title, labels], i) => section(title, buckets[i] as Record<string, unknown>, labels))
}

function section(title: string, values: Record<string, unknown>, labels: Labels): WhoSection {
  const order = Object.keys(labels)
  const rank = (key: string): number => (order.includes(key) ? order.indexOf(key) : order.length)
  const keys = Object.keys(values).sort((a, b) => rank(a) - rank(b))
  return { title, fields: keys.map((key) => field(key, values[key], labels, Object.hasOwn(labels, key))) }
}

function field(key: string, raw: unknown, labels: Labels, known: boolean): WhoField {
  const coded = isObject(raw) && typeof raw.code === 'string'
  const value = coded ? String(raw.code) : shown(raw)
  const out: WhoField = { key, label: known ? (labels[key] as string) : key, value }
  if (!known) out.unknownField = true
  if (coded || CODED.has(key)) {
    const display = coded ? codeName(raw.code, raw.system) : codeName(raw)
    if (display !== undefined) out.display = display
    // a code of a system with no table here (a country, a sex, a test code system) is shown as it is
    else if (coded ? /icd|snomed/i.test(String(raw.system)) : typeof raw === 'string') out.unknownCode = true
  }
  return out
}

/** a value as text: objects (which may hold a key named toString) as JSON */
function shown(value: unknown): string {
  return typeof value === 'object' && value !== null ? JSON.stringify(value) : String(value)
}
