/**
 * Nothing lost when a run replaces the rejects file an earlier run left at the same path (issue 11).
 * The earlier file is read before this run reads a record; once the run has committed, each of its
 * records is accounted for when ITS OWN record was issued since (by this run, or by any run after
 * the file was written) or this run read it (issued now, or in the new file with this run's
 * reason): the same text as read; else its own holder and event under any id (rejected-holder.ts,
 * rejected-event.ts), the fields its reason named let differ. Sites number their rows 1, 2, 3 every
 * day, and one person's doses and tests are records of their own, so neither the id nor the holder
 * alone says it. The others are carried into the new file unchanged, with their reasons, and the
 * run says how many (counts only, never data): those with an id were neither issued since nor in
 * this input; of those without one hcert cannot tell whether this input held them fixed beyond the
 * fields their reasons named.
 * A rejects file holds one kind of record: one that holds the other kind's (an ICVP run's rejects
 * at a DCC run's --rejects) is refused, as no one header or run could lay out or resend both.
 */
import { existsSync, statSync } from 'node:fs'
import { DccError } from '../errors.js'
import { describeDestination } from '../fs/destination-content.js'
import type { LedgerStore } from '../ledger/store.js'
import {
  comparableName,
  holderOfPayload,
  holderOfRecord,
  holderUnknown,
  type Holder,
} from './holder-match.js'
import { fieldsOfReason, sameRejectedHolder } from './rejected-holder.js'
import { eventFieldsOfReason, eventsOfRecord, sameRejectedEvent, type RecordEvent } from './rejected-event.js'
import { textDigest, typeOfFields, type HolderEvents, type RunReads } from './run-reads.js'
import { findIssuedSince, type WaitingRow } from './issued-since.js'
import { fieldsLineUp, readableFields, readFromText, textAsRead, textClues } from './text-as-read.js'
import type { StoredCertificate } from '../ledger/ledger.js'
import { buildDcc, type IssueDefaults } from './build-dcc.js'
import { buildIcvp } from './build-icvp.js'
import { ICVP_INPUT_COLUMNS, ICVP_READ_COLUMNS } from './icvp-columns.js'
import { INPUT_COLUMNS } from './input-columns.js'
import type { IssueKind } from './issue-types.js'
import { readRecords, type InputFormat, type InputRecord } from './read-records.js'

/**
 * The records of the rejects file at `path` (none when there is no file). ERR_USAGE when it cannot
 * be read as rejects of `format` (it would be replaced by a file that loses them).
 */
export async function readEarlierRejects(
  path: string,
  format: InputFormat,
  kind: IssueKind | undefined,
): Promise<InputRecord[]> {
  if (!existsSync(path)) return []
  // its header row only (whatever saved it): no record to lose
  if (describeDestination(path).headerOnly) return []
  const records: InputRecord[] = []
  try {
    for await (const record of readRecords(
      path,
      format,
      kind === 'icvp' ? { columns: ICVP_READ_COLUMNS } : {},
    ))
      records.push(record)
  } catch (cause) {
    // what the reader found (its messages name no data: a separator, an encoding, a line number)
    const found =
      cause instanceof DccError
        ? `: ${cause.message.replace(/^input: /, '').replace(/^the file /, 'it ')}`
        : ''
    throw new DccError(
      'ERR_USAGE',
      `--rejects ${path} cannot be read as a rejects file of this input's format (${format})${found}; replacing it could lose its records: fix the file as that says and run again, or give another path`,
      { cause },
    )
  }
  refuseOtherKind(path, records, kind ?? 'dcc')
  return records
}

const KIND_WORDS: Readonly<Record<IssueKind, string>> = { dcc: 'EU DCC', icvp: 'ICVP' }

/** The columns only one kind of record has (ICVP: name, product, batch…; DCC: type, fn, gn, vaccine…). */
const ONLY_COLUMNS: Readonly<Record<IssueKind, readonly string[]>> = {
  icvp: [...ICVP_INPUT_COLUMNS].filter((c) => !INPUT_COLUMNS.has(c)),
  dcc: [...INPUT_COLUMNS].filter((c) => !ICVP_INPUT_COLUMNS.has(c)),
}

/** The reasons a run of each kind gives a record of the other kind (build-dcc, build-icvp). */
const WRONG_KIND_REASON: Readonly<Record<IssueKind, RegExp>> = {
  dcc: /looks like an ICVP record/,
  icvp: /looks like an EU DCC payload|is a column of EU DCC records/,
}

/** The kind of record `raw` is, when its keys say: a DCC payload's, or values in one kind's own columns only. */
function kindOf(raw: Record<string, unknown>): IssueKind | undefined {
  if ('nam' in raw || 'ver' in raw || ['v', 't', 'r'].some((k) => Array.isArray(raw[k]))) return 'dcc'
  const given = (column: string): boolean =>
    raw[column] !== undefined &&
    raw[column] !== null &&
    !(typeof raw[column] === 'string' && raw[column].trim() === '')
  const icvp = ONLY_COLUMNS.icvp.some(given)
  const dcc = ONLY_COLUMNS.dcc.some(given)
  return icvp === dcc ? undefined : icvp ? 'icvp' : 'dcc'
}

/** The kind a CSV header row is of, when only one kind's own columns are among its names. */
function kindOfHeader(header: readonly string[] | undefined): IssueKind | undefined {
  if (!header) return undefined
  const names = new Set(
    header.map((h) =>
      h
        .replace(/^\uFEFF/, '')
        .trim()
        .toLowerCase(),
    ),
  )
  const icvp = ONLY_COLUMNS.icvp.some((c) => names.has(c))
  const dcc = ONLY_COLUMNS.dcc.some((c) => names.has(c))
  return icvp === dcc ? undefined : icvp ? 'icvp' : 'dcc'
}

/**
 * Throws ERR_USAGE when the earlier rejects file holds records of the other kind than this run's
 * (an ICVP run's rejects at a DCC run's --rejects, or the reverse): carried under this run's header
 * their cells would lose their column names, and no run could resend the file. A record this kind's
 * run rejected for being of the other kind (`looks like an ICVP record …`) is this kind's. A record
 * whose cells say no kind (a row that could not be split, or blank in each kind's own columns) is
 * judged by its header row.
 */
function refuseOtherKind(path: string, records: readonly InputRecord[], kind: IssueKind): void {
  const other: IssueKind = kind === 'dcc' ? 'icvp' : 'dcc'
  // a row that could not be split (`has 8 fields`) has no cells to judge by: its header says
  const foreign = records.some(
    (record) =>
      ((!record.error && kindOf(record.raw)) || kindOfHeader(record.header)) === other &&
      !WRONG_KIND_REASON[kind].test(record.resentReason ?? ''),
  )
  if (foreign)
    throw new DccError(
      'ERR_USAGE',
      `--rejects ${path} holds ${KIND_WORDS[other]} records (the rejects of ${other === 'icvp' ? 'an --kind icvp' : 'a DCC'} run): a rejects file holds one kind of record, to be fixed and resent with its own --kind; give this ${KIND_WORDS[kind]} run's rejects another path`,
    )
}

/** When the rejects file at `path` was written (Unix seconds, as the ledger's createdAt), if it is there. */
export function rejectsWrittenAt(path: string): number | undefined {
  try {
    return Math.floor(statSync(path).mtimeMs / 1000)
  } catch {
    return undefined
  }
}

/** What tells a certificate issued since the earlier file's rows were rejected. */
export interface Since {
  /** when the earlier rejects file was written (Unix seconds): a certificate created after it is since */
  writtenAt?: number
  /** the ledger ids of the certificates this run issued */
  issuedNow: ReadonlySet<number>
}

const issuedSince = (certificate: StoredCertificate, since: Since): boolean =>
  since.issuedNow.has(certificate.id) ||
  (since.writtenAt !== undefined && certificate.createdAt > since.writtenAt)

export interface EarlierRejects {
  /** the records to carry into the new rejects file, in their order */
  carry: InputRecord[]
  /** of `carry`, those with an id: neither issued since nor in this input */
  outstanding: number
  /** of `carry`, those without an id: hcert cannot tell whether this input held them fixed */
  unsure: number
}

/** Which earlier records are accounted for (see the module comment), and which are carried. */
export function sortEarlierRejects(
  records: readonly InputRecord[],
  context: {
    ledger: LedgerStore
    /** what this run read: keys with their holders, texts, unsplit rows, holders and events */
    reads: RunReads
    defaults: IssueDefaults
    kind?: IssueKind
    since: Since
  },
): EarlierRejects {
  const result: EarlierRejects = { carry: [], outstanding: 0, unsure: 0 }
  // each record: accounted for, or carried unless (waiting) its own record was issued since
  const sorted: Array<{ record: InputRecord; id: boolean; waiting?: WaitingRow }> = []
  for (const record of records) {
    // read again in this run as typed (resent unchanged, or the original file sent again; a row
    // with no usable key: not JSON, a key given twice, a quote closed mid-cell, a header row, an
    // id that was itself rejected): in the new file with this run's reason, once
    const text = textAsRead(record)
    if (text !== undefined && context.reads.texts.has(textDigest(text))) continue
    const { key, id } = keyOfEarlier(record, context)
    if (key && accountedFor(record, key, id, context)) continue
    if (key && context.reads.unsplit.standsFor(record, key, context.kind)) continue
    const own = ownRecord(record, context)
    if (own && context.reads.records.candidates(own.holder, own.fixable).some(own.own)) continue
    sorted.push({ record, id, ...(own ? { waiting: own } : {}) })
  }
  findIssuedSince(
    sorted.flatMap((s) => (s.waiting ? [s.waiting] : [])),
    context.ledger,
    context.since,
  )
  for (const { record, id, waiting } of sorted) {
    if (waiting?.found) continue
    result.carry.push(record)
    if (id) result.outstanding++
    else result.unsure++
  }
  return result
}

/**
 * Whether THIS earlier record was issued since or read in this input by its key: a content key
 * (a record without an id) stands for its content. Under an id, only a record of which no holder
 * field could be read (a line that did not parse) is matched by its id alone; and a row whose
 * event cannot be read (a record of the other kind, `looks like an ICVP record`) by its id and its
 * own holder (sameRejectedHolder). Any other row is its own holder's own event (ownRecordSince).
 */
function accountedFor(
  record: InputRecord,
  key: string,
  id: boolean,
  context: {
    ledger: LedgerStore
    reads: RunReads
    defaults: IssueDefaults
    kind?: IssueKind
    since: Since
  },
): boolean {
  const read = context.reads.keys.get(key)
  const chain = (): StoredCertificate[] =>
    context.ledger.chainOf(key).filter((c) => issuedSince(c, context.since))
  if (!id) return read !== undefined || chain().length > 0
  // what a line that did not parse shows (its type, a name's start): a record that contradicts it
  // is not its record
  const shown = shownBy(record)
  const holder = holderOfRecord(context.kind, readableFields(record))
  if (holderUnknown(holder)) {
    if (read?.some((h) => shown(h.type, h))) return true
    return chain().some((certificate) => {
      const holderOf = payloadHolder(certificate)
      return holderOf === undefined || shown(certificate.type, holderOf)
    })
  }
  if (rowEvents(record, context).length > 0) return false
  const fixable = fieldsOfReason(context.kind, record.resentReason)
  const same = (kind: string | undefined, other: Holder): boolean =>
    sameRejectedHolder(kind, holder, other, fixable)
  if (read?.some((h) => shown(h.type, h) && (holderUnknown(h) || same(context.kind, h)))) return true
  return chain().some((certificate) => {
    const other = payloadHolder(certificate)
    const kind = certificate.type === 'icvp' ? 'icvp' : context.kind
    return other !== undefined && shown(certificate.type, other) && same(kind, other)
  })
}

/** The holder a certificate's payload names; undefined when the payload does not parse. */
function payloadHolder(certificate: StoredCertificate): Holder | undefined {
  try {
    return holderOfPayload(certificate.type, JSON.parse(certificate.payload) as Record<string, unknown>)
  } catch {
    return undefined
  }
}

/**
 * Whether a record of certificate type `type` and holder `other` agrees with what an earlier line
 * that did not parse shows of itself (textClues): its type, its names and date of birth as typed,
 * or their starts when the line was cut off in them. Anything else agrees with every record; so does
 * what a record does not say.
 */
function shownBy(record: InputRecord): (type: string | undefined, other: Holder) => boolean {
  const clues = textClues(record)
  if (!clues || clues.size === 0) return () => true
  const agrees = (clue: { value: string; start: boolean } | undefined, value: string | undefined) => {
    if (clue === undefined || value === undefined || value === '') return true
    return clue.start ? value.startsWith(clue.value) : value === clue.value
  }
  const name = (clue: { value: string; start: boolean } | undefined, value: string | undefined) =>
    agrees(clue && { ...clue, value: comparableName(clue.value) }, value)
  return (type, other) => {
    const type_ = clues.get('type')
    const typeClue = type_ && { ...type_, value: type_.value.trim().toLowerCase() }
    return (
      agrees(typeClue, type === 'icvp' ? undefined : type) &&
      name(clues.get('fn'), other.typedSurname) &&
      name(clues.get('gn'), other.typedGiven) &&
      agrees(clues.get('fnt'), other.surname) &&
      agrees(clues.get('gnt'), other.given) &&
      agrees(clues.get('dob'), other.dob)
    )
  }
}

/** The events an earlier row may stand for (rejected-event.ts), its reason's named type let free. */
function rowEvents(
  record: InputRecord,
  context: { defaults: IssueDefaults; kind?: IssueKind },
): RecordEvent[] {
  if (!fieldsLineUp(record)) return []
  const named = eventFieldsOfReason(context.kind, record.resentReason)
  const fields = readableFields(record)
  // a line that did not parse and shows no type: each type its fields could be
  const typeFree = named.has('type') || (readFromText(record) && typeOfFields(fields) === undefined)
  return eventsOfRecord(context.kind, fields, context.defaults, typeFree)
}

/**
 * What a record this run read, or a certificate issued since, under ANY id, must show to be the
 * earlier row's own record: its own holder (sameRejectedHolder) and its own event
 * (sameRejectedEvent), except in the fields the row's reason named. The same person's other dose,
 * test or vaccination under the row's id is not; the row fixed and resent as `2b` is (then resent
 * again as `2c` it would be a second certificate). Undefined when the row's holder or event cannot
 * be read: no record is its own.
 */
function ownRecord(
  record: InputRecord,
  context: { defaults: IssueDefaults; kind?: IssueKind },
): WaitingRow | undefined {
  const holder = holderOfRecord(context.kind, readableFields(record))
  if (holderUnknown(holder)) return undefined
  const events = rowEvents(record, context)
  if (events.length === 0) return undefined
  const fixable = fieldsOfReason(context.kind, record.resentReason)
  const named = eventFieldsOfReason(context.kind, record.resentReason)
  const own = (other: HolderEvents): boolean =>
    sameRejectedHolder(context.kind, holder, other.holder, fixable) &&
    events.some((event) => other.events.some((e) => sameRejectedEvent(event, e, named)))
  return { holder, fixable, own }
}

/** The idempotency key of an earlier rejects record (as issue would key it), or its id as typed. */
function keyOfEarlier(
  record: InputRecord,
  context: { defaults: IssueDefaults; kind?: IssueKind },
): { key?: string; id: boolean } {
  if (!record.error) {
    try {
      const { key } = (context.kind === 'icvp' ? buildIcvp : buildDcc)(record.raw, context.defaults)
      // an id that is no id as read (a number a double cannot hold, written back as `unparsed`)
      // is keyed by its text below, as the site fixes it ("write the id as text")
      if (key.startsWith('id:') || !hasId(record.raw)) return { key, id: key.startsWith('id:') }
    } catch {
      // keyed by its id below, if it has one
    }
  }
  // a record that could not be read, or whose id could not: its id as it can be seen (a CSV cell,
  // a JSON text's "id" as typed)
  const id = typeof record.raw.id === 'string' ? record.raw.id : idInText(record.source ?? record.text)
  const clean = id?.normalize('NFC').trim()
  // an id that cannot be seen as text (JSON `{}`, `[1]`) is still an id: the row is not counted
  // among those "without an id"
  return clean ? { key: `id:${clean}`, id: true } : { id: hasId(record.raw) }
}

/** Whether a record gives an id (a value that is not empty). */
function hasId(raw: Record<string, unknown>): boolean {
  return raw.id !== undefined && raw.id !== null && raw.id !== ''
}

/** The value of the first `"id"` key in a JSON text that may not parse, as text (a number as typed). */
function idInText(text: string | undefined): string | undefined {
  const match = text?.match(/"id"\s*:\s*(?:("(?:[^"\\]|\\.)*")|(-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?))/)
  if (!match) return undefined
  if (match[2] !== undefined) return match[2]
  try {
    return JSON.parse(match[1] as string) as string
  } catch {
    return undefined
  }
}
