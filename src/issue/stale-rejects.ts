/**
 * Nothing lost when a run replaces the rejects file an earlier run left at the same path (issue 11).
 * The earlier file is read before this run reads a record; once the run has committed, each of its
 * records is accounted for when it is issued since (the ledger holds its key) or this run read it
 * (it is issued now, or in the new file with this run's reason); under an id, only a record of
 * plausibly the same holder counts (sites number their rows 1, 2, 3 every day). The others are carried into the
 * new file unchanged, with their reasons, and the run says how many (counts only, never data):
 * those with an id were neither issued since nor in this input; of those without one hcert cannot
 * tell whether this input held them fixed (a fixed record has another content, so another key).
 * A rejects file holds one kind of record: one that holds the other kind's (an ICVP run's rejects
 * at a DCC run's --rejects) is refused, as no one header or run could lay out or resend both.
 */
import { existsSync, statSync } from 'node:fs'
import { DccError } from '../errors.js'
import type { LedgerStore } from '../ledger/store.js'
import { holderOfPayload, holderOfRecord, holderUnknown, type Holder } from './holder-match.js'
import { holderEventOf } from './icvp-holder-event.js'
import { fieldsOfReason, sameRejectedHolder } from './rejected-holder.js'
import type { StoredCertificate } from '../ledger/ledger.js'
import { buildDcc, type IssueDefaults } from './build-dcc.js'
import { buildIcvp } from './build-icvp.js'
import { ICVP_INPUT_COLUMNS, ICVP_READ_COLUMNS } from './icvp-columns.js'
import { INPUT_COLUMNS } from './input-columns.js'
import type { IssueKind } from './issue-types.js'
import type { UnsplitRows } from './unsplit-rows.js'
import { readRecords, REASON_COLUMN, type InputFormat, type InputRecord } from './read-records.js'

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
  const records: InputRecord[] = []
  try {
    for await (const record of readRecords(
      path,
      format,
      kind === 'icvp' ? { columns: ICVP_READ_COLUMNS } : {},
    ))
      records.push(record)
  } catch (cause) {
    throw new DccError(
      'ERR_USAGE',
      `--rejects ${path} cannot be read as a rejects file of this input's format (${format}), so replacing it could lose its records; give another path`,
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

/**
 * Throws ERR_USAGE when the earlier rejects file holds records of the other kind than this run's
 * (an ICVP run's rejects at a DCC run's --rejects, or the reverse): carried under this run's header
 * their cells would lose their column names, and no run could resend the file. A record this kind's
 * run rejected for being of the other kind (`looks like an ICVP record …`) is this kind's.
 */
function refuseOtherKind(path: string, records: readonly InputRecord[], kind: IssueKind): void {
  const other: IssueKind = kind === 'dcc' ? 'icvp' : 'dcc'
  const foreign = records.some(
    (record) =>
      !record.error &&
      kindOf(record.raw) === other &&
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
    /** the idempotency keys of the records this run read, each with the holders read under it */
    inputKeys: ReadonlyMap<string, readonly Holder[]>
    /** the texts (textAsRead) of the records this run read and could not read as records */
    inputTexts?: ReadonlySet<string>
    /** this run's CSV rows that could not be read as records, by their id cell */
    unsplit?: UnsplitRows
    defaults: IssueDefaults
    kind?: IssueKind
    since: Since
  },
): EarlierRejects {
  const result: EarlierRejects = { carry: [], outstanding: 0, unsure: 0 }
  for (const record of records) {
    // read again in this run as typed (a row with no usable key: not JSON, a key given twice, a
    // quote closed mid-cell, a header row): in the new file with this run's reason, once
    const text = textAsRead(record)
    if (text !== undefined && context.inputTexts?.has(text)) continue
    const { key, id } = keyOfEarlier(record, context)
    if (key && accountedFor(record, key, id, context)) continue
    if (key && context.unsplit?.standsFor(record, key, context.kind)) continue
    if (sameEventIssued(record, context)) continue
    result.carry.push(record)
    if (id) result.outstanding++
    else result.unsure++
  }
  return result
}

/**
 * Whether THIS earlier record was issued since or read in this input. A content key stands for its
 * content; an id is numbered by a site (1, 2, 3 every day), so under an id the record counts only
 * when the holder is the row's own (sameRejectedHolder: equal standardised names and date of
 * birth, except in the fields the row's rejection named, which may have been fixed), and a
 * certificate only when issued since the row was rejected. A record of which no holder field
 * could be read (a line that did not parse) is matched by its id alone.
 */
function accountedFor(
  record: InputRecord,
  key: string,
  id: boolean,
  context: {
    ledger: LedgerStore
    inputKeys: ReadonlyMap<string, readonly Holder[]>
    kind?: IssueKind
    since: Since
  },
): boolean {
  const read = context.inputKeys.get(key)
  const chain = context.ledger.chainOf(key).filter((c) => issuedSince(c, context.since))
  if (!id) return read !== undefined || chain.length > 0
  const holder = holderOfRecord(context.kind, record.raw)
  if (holderUnknown(holder)) return read !== undefined || chain.length > 0
  const fixable = fieldsOfReason(context.kind, record.resentReason)
  const same = (kind: string | undefined, other: Holder): boolean =>
    sameRejectedHolder(kind, holder, other, fixable)
  if (read?.some((h) => holderUnknown(h) || same(context.kind, h))) return true
  return chain.some((certificate) => {
    try {
      const payload = JSON.parse(certificate.payload) as Record<string, unknown>
      const kind = certificate.type === 'icvp' ? 'icvp' : context.kind
      return same(kind, holderOfPayload(certificate.type, payload))
    } catch {
      return false
    }
  })
}

/**
 * Whether a certificate for the same holder and event as this earlier record (its content apart
 * from its id: the holder-event key the ledger keeps, holderEventOf) was issued since, under any
 * id: the site followed a reason asking for an id of its own, and resending the old row under yet
 * another id would issue a second certificate.
 */
function sameEventIssued(
  record: InputRecord,
  context: { ledger: LedgerStore; defaults: IssueDefaults; kind?: IssueKind; since: Since },
): boolean {
  if (record.error) return false
  const { id: _id, ...content } = record.raw
  let event: string
  try {
    const built = (context.kind === 'icvp' ? buildIcvp : buildDcc)(content, context.defaults)
    if (built.rejections.length > 0 || !built.type) return false
    event = holderEventOf(built.type, built.dcc)
  } catch {
    return false
  }
  const ids = context.ledger.currentForHolderEvents([event]).get(event) ?? []
  return ids.some((certificateId) => {
    const certificate = context.ledger.findById(certificateId)
    return certificate !== undefined && issuedSince(certificate, context.since)
  })
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
  return clean ? { key: `id:${clean}`, id: true } : { id: false }
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

/**
 * A record as it was typed, to tell the same row read twice (an earlier rejects file's, and this
 * run's resending it): JSON, its text; CSV, its cells under their columns' names (those beyond the
 * header by position), the reason cell and empty cells left out, as a rejects file lays it out
 * again. Undefined when the record was not kept as typed (a line too long). Kept in memory only,
 * for the run.
 */
export function textAsRead(record: InputRecord): string | undefined {
  if (record.cells && record.header) {
    const header = record.header
    const name = (i: number): string =>
      i < header.length ? (header[i] as string).trim().toLowerCase() : `#${i - header.length}`
    const cells = record.cells.flatMap((cell, i) =>
      cell === '' || name(i) === REASON_COLUMN ? [] : [[name(i), cell]],
    )
    return `csv:${JSON.stringify(cells.sort(([a], [b]) => (a! < b! ? -1 : a! > b! ? 1 : 0)))}`
  }
  const text = record.source ?? record.text
  return text === undefined ? undefined : `json:${text}`
}
