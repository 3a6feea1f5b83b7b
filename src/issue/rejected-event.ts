/**
 * The event an earlier rejects file's row is about, as rejected-holder.ts is for its holder: a row
 * leaves the rejects file only for a record (read in this run) or a certificate (issued since) of
 * its own holder AND its own event, under any id, except in the fields the row's own reason named
 * (README "The rejects file"). Sites number their rows 1, 2, 3 every day, and a person's dose 1,
 * dose 2, PCR test are each a record of their own: the same person's other dose under the row's id
 * is not the row's record, and the row fixed and resent as `2b` is.
 *
 * The event (eHN DCC schema 1.3 fields; the ledger's holder-event key, holder-event.ts, keeps the
 * same ones, and the product besides): a vaccination, its disease (tg), product (mp), dose number
 * (dn) and date (dt); a test, its disease (tg), test type (tt) and sample collection time (sc, as an
 * instant); a recovery, its disease (tg) and first positive result's date (fr); an ICVP, its
 * product (vp) and date (dt). A field the reason named (`vaccine: …`, `date: …`) was wrong and may
 * have been fixed: it may differ; every other field must be equal (a field the row lacks, that its
 * reason did not name, matches nothing).
 */
import { buildDcc, type IssueDefaults } from './build-dcc.js'
import { buildIcvp } from './build-icvp.js'
import type { IssueKind } from './issue-types.js'

/** An event as compared: the certificate type (`v`, `t`, `r`, `icvp`) and its fields, as text. */
export interface RecordEvent {
  type: string
  fields: Readonly<Record<string, string>>
}

/** The event fields of each certificate type. */
const EVENT_FIELDS: Readonly<Record<string, readonly string[]>> = {
  v: ['tg', 'mp', 'dn', 'dt'],
  t: ['tg', 'tt', 'sc'],
  r: ['tg', 'fr'],
  icvp: ['vp', 'dt'],
}

/** The event fields each reason column names (README "Input columns"; `type`: the certificate type). */
export const EVENT_COLUMNS: Readonly<Record<IssueKind, readonly string[]>> = {
  dcc: ['type', 'disease', 'vaccine', 'dose', 'test_type', 'date'],
  icvp: ['product', 'date'],
}
const NAMED_BY: Readonly<Record<string, readonly string[]>> = {
  type: ['type'],
  disease: ['tg'],
  vaccine: ['mp'],
  // checked against the vaccine (check-record.ts): the vaccine may be the wrong one
  manufacturer: ['mp'],
  vaccine_type: ['mp'],
  dose: ['dn'],
  test_type: ['tt'],
  date: ['dt', 'sc', 'fr'],
}
const ICVP_NAMED_BY: Readonly<Record<string, readonly string[]>> = {
  product: ['vp'],
  date: ['dt'],
}

/** The fields a rejection reason names (`vaccine: …; date: …`; a payload's `v/dt: …` by its leaf), in lower case. */
export function fieldsNamedBy(reason: string | undefined): Set<string> {
  const named = new Set<string>()
  for (const part of (reason ?? '').split(/;\s*/u)) {
    const field = /^\s*([A-Za-z_/<> 0-9]+?)\s*:/u.exec(part)?.[1]?.toLowerCase()
    if (field !== undefined) named.add(field.split('/').pop() as string)
  }
  return named
}

/** A payload field's reason column (check-record.ts columnFor), for a reason naming the field itself. */
const COLUMN_OF: Readonly<Record<string, string>> = {
  mp: 'vaccine',
  dn: 'dose',
  dt: 'date',
  sc: 'date',
  fr: 'date',
  tg: 'disease',
  tt: 'test_type',
  vp: 'product',
}

/**
 * A date of birth checked against the event's date (`dob: the date of birth is after the
 * vaccination`, check-record.ts, check-icvp-record.ts): either may be the wrong one.
 */
const DOB_AFTER_EVENT = /^\s*dob\s*:\s*the date of birth is after the/iu

/**
 * The event fields a rejection reason names (fieldsNamedBy, each column as the event fields it
 * fills), and those a reason checked a named field against (the vaccine for `manufacturer`, the
 * date for a date of birth after it).
 */
export function eventFieldsOfReason(kind: string | undefined, reason: string | undefined): Set<string> {
  const table = kind === 'icvp' ? ICVP_NAMED_BY : NAMED_BY
  const named = new Set<string>()
  for (const leaf of fieldsNamedBy(reason))
    for (const f of table[leaf] ?? table[COLUMN_OF[leaf] ?? ''] ?? []) named.add(f)
  if ((reason ?? '').split(/;\s*/u).some((part) => DOB_AFTER_EVENT.test(part)))
    for (const f of table.date ?? []) named.add(f)
  return named
}

const text = (v: unknown): string | undefined =>
  typeof v === 'string' || typeof v === 'number' ? String(v).normalize('NFC').trim() : undefined

/** A sample collection time as an instant (ISO, UTC) when it reads as one, else as typed. */
function instant(v: unknown): string | undefined {
  const t = text(v)
  if (t === undefined || !/^\d{4}-\d{2}-\d{2}T/u.test(t)) return t
  const ms = Date.parse(t)
  return Number.isNaN(ms) ? t : new Date(ms).toISOString()
}

/**
 * The event a payload is about (a certificate's, or a record's as built so far): `type` the ledger's
 * certificate type (`v`, `t`, `r`, `icvp`), else the one the payload holds. Undefined when it holds
 * no entry.
 */
export function eventOfPayload(
  type: string | undefined,
  payload: Record<string, unknown>,
): RecordEvent | undefined {
  const kind = type ?? (['v', 't', 'r'] as const).find((t) => Array.isArray(payload[t]))
  if (kind === undefined || !EVENT_FIELDS[kind]) return undefined
  const list = payload[kind === 'icvp' ? 'v' : kind]
  const entry = Array.isArray(list) ? list[0] : list
  if (!entry || typeof entry !== 'object') return undefined
  const e = entry as Record<string, unknown>
  const fields: Record<string, string> = {}
  for (const f of EVENT_FIELDS[kind] as readonly string[]) {
    const value = f === 'sc' ? instant(e[f]) : text(e[f])
    if (value !== undefined && value !== '') fields[f] = value
  }
  return { type: kind, fields }
}

/**
 * The events an earlier rejects row may stand for, built as issue builds it (its id left out, so
 * that an id that was itself rejected changes nothing): one, or, for a flat row whose reason named
 * its `type` (wrong or missing), one for each certificate type its cells could be.
 */
export function eventsOfRecord(
  kind: IssueKind | undefined,
  raw: Record<string, unknown>,
  defaults: IssueDefaults,
  typeNamed = false,
): RecordEvent[] {
  const { id: _id, ...content } = raw
  const build = (record: Record<string, unknown>): RecordEvent | undefined => {
    try {
      const built = (kind === 'icvp' ? buildIcvp : buildDcc)(record, defaults)
      return eventOfPayload(kind === 'icvp' ? 'icvp' : undefined, built.dcc)
    } catch {
      return undefined
    }
  }
  if (kind !== 'icvp' && typeNamed && !('nam' in content))
    return (['v', 't', 'r'] as const).flatMap((type) => build({ ...content, type }) ?? [])
  const event = build(content)
  return event ? [event] : []
}

/**
 * Whether `other` is the rejected row's event: the same certificate type and every event field
 * equal, but those in `named` (the row's reason named them: they may have been fixed).
 */
export function sameRejectedEvent(
  rejected: RecordEvent,
  other: RecordEvent,
  named: ReadonlySet<string>,
): boolean {
  if (rejected.type !== other.type) return false
  return (EVENT_FIELDS[rejected.type] ?? []).every(
    (f) => named.has(f) || (rejected.fields[f] !== undefined && rejected.fields[f] === other.fields[f]),
  )
}
