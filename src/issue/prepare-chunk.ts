/**
 * The first stage of issuing a chunk of records: build each payload, check it, and find what the
 * ledger (or the chunk being signed) already has. Nothing is signed or written here.
 *
 * An idempotency key (the `id` column, else a hash of the record) stands for one content (the
 * payload's content fingerprint, see ledger/content-fingerprint.ts). A key that comes again with
 * the same content is already issued: its current certificate is written out again. A key that
 * comes again with other content is rejected (naming the id, never the holder), unless the run
 * corrects (`--correct`): then the record is signed anew as a correction that supersedes the
 * key's current certificate.
 */
import { holderOfPayload, samePerson } from './holder-match.js'
import { DRIFTED_HOLDER, driftedFromFirst, otherEvent, otherEventRejection } from './correction-rules.js'
import { makeUvci } from '../dcc/uvci.js'
import { contentFingerprint } from '../ledger/content-fingerprint.js'
import { contentDifferenceRejection } from './reuse-reasons.js'
import { contentOf, type IssuedRecord } from '../ledger/ledger.js'
import type { LedgerStore as Ledger } from '../ledger/store.js'
import { buildDcc, type IssueDefaults, type Rejection } from './build-dcc.js'
import { buildIcvp } from './build-icvp.js'
import { checkIcvpRecord } from './check-icvp-record.js'
import { checkRecord, payloadFieldFor } from './check-record.js'
import { ISSUE_TYPE_NAMES, type IssueKind, type IssueType } from './issue-types.js'
import type { SignedShape } from './hc1-size.js'
import type { InputRecord } from './read-records.js'
import { contentTag, uvciTag } from './run-keys.js'
import { otherContents, type ConflictingIds } from './conflicting-ids.js'
import { hintSpreadsheetDates } from './spreadsheet-date.js'
import { expiresBeforeReplaced } from './signing-window.js'

/** One line of issue's JSON Lines output (and of `hcert export`). */
export interface IssuedCertificate {
  /** the input line of the record */
  line: number
  /** for a record of a JSON array: its 0-based index in the array (all of a one-line array are on line 1) */
  element?: number
  /** the record's `id` column, when it has one */
  id?: string
  uvci: string
  type: string
  iat: number
  exp: number
  hc1: string
  /** the UVCI of the certificate this one supersedes (a correction or a renewal) */
  replaces?: string
}

export interface RecordResult {
  record: InputRecord
  /** idempotency key; for a record that could not be read, its line */
  key: string
  /** content fingerprint of the accepted record */
  content?: string
  certificate?: IssuedCertificate
  rejections?: Rejection[]
  /** set when `certificate` is an earlier one, already issued, whose exp has passed (at the run's now) */
  expired?: boolean
  /**
   * set when the record is an earlier version of its key's record, corrected since: `certificate`
   * is the current one (the correction, or its renewal)
   */
  correctedSince?: boolean
  /**
   * set when the record is the same record as an earlier one of this input, accepted: issued once
   * (by that one), counted as already issued; no rejection to send back
   */
  repeatOf?: number
}

/** The certificate a correction supersedes. */
export interface Superseding {
  id: number
  uvci: string
}

export interface Pending {
  result: RecordResult
  type: IssueType
  dcc: Record<string, unknown>
  content: string
  /** an ICVP's ledger entry (BuiltRecord.ledgerEntry): its UVCI, country, issuer and product */
  ledgerEntry?: Record<string, unknown>
  /** set for a correction: the key's current certificate, which this one replaces */
  corrects?: Superseding
  /** the holder-event key (holderEventOf), once computed */
  holderEvent?: string
  /** set when the holder and event already had a current certificate under another key (a likely duplicate) */
  sameEvent?: boolean
}

/** What this run holds under a key: which record, with what content (its tag: contentTag), and whether it was rejected. */
export interface KeyInFlight {
  index: number
  content: string
  rejected: boolean
  /** uvciTag of the UVCI the record gave, if it gave one */
  uvci?: string
}

export interface PreparedChunk {
  records: InputRecord[]
  /** one per record, in input order */
  results: RecordResult[]
  /** the accepted records still to sign */
  toSign: Pending[]
  /** records found already issued (their results carry the stored certificate) */
  alreadyIssued: number
  /**
   * the keys whose first record in the input is in this chunk (accepted or rejected), in input
   * order: the run registers them (RunKeys) before any record leaves the chunk for another run's
   * reservation, so that a later record of the same key is this input's repeat or reuse, whatever
   * order the chunks are committed in
   */
  owned: Map<string, KeyInFlight>
}

export interface ChunkContext {
  ledger: Ledger
  now: Date
  defaults: IssueDefaults
  uvciIssuer?: string
  /** the certificate types the DSC may sign */
  mayIssue: readonly IssueType[]
  /** what the records are (`--kind`): EU DCC records (the default) or ICVP records */
  kind?: IssueKind
  /**
   * the idempotency keys this run accepted in earlier chunks (signed, being signed, or already
   * issued), with their record and content tag (RunKeys): a key given again later in the same input
   * is this input's repeat, however far apart, never a key an earlier run issued
   */
  runKeys: { get(key: string): KeyInFlight | undefined }
  /** given UVCIs of the chunks being signed (not in the ledger yet) */
  inFlightUvcis: ReadonlySet<string>
  /** the signer's additions, to reject a certificate too long for a QR code before signing it */
  signedShape?: SignedShape
  /** sign a record whose key was issued for other content as a correction (`--correct`) */
  correct?: boolean
  /**
   * with `correct` (`--restore`): an earlier version of a key's record, corrected since, is signed
   * as a correction restoring it rather than written out as already issued
   */
  restore?: boolean
  /**
   * the certificates' iat and exp (seconds) and the real time now (seconds, whatever `now` says):
   * a correction is refused when `--at` dates it before the certificate it replaces, or when it
   * would be expired by the real clock while that certificate is still valid (backdatedCorrection)
   */
  window?: { iat: number; exp: number; realNow: number }
  /**
   * the ids the ledger held before this run that this input gives with different contents
   * (conflicting-ids.ts, read before the first chunk): with `correct`, none of an id's differing
   * records is signed as its correction
   */
  conflicts?: ConflictingIds
}

/** The input's `id` of a record, from its idempotency key (`id:<id>`); undefined for record fingerprints. */
export function idOfKey(key: string): string | undefined {
  return key.startsWith('id:') ? key.slice(3) : undefined
}

/** The idempotency key of a correction of the certificate with this UVCI (unique: one correction each). */
export function correctionKey(uvci: string): string {
  return `correct:${uvci}`
}

/** Whether a record with this content (and given UVCI, if any) is what the ledger issued under its key. */
export function sameContent(issued: IssuedRecord, content: string, givenUvci: string | undefined): boolean {
  return issued.content === content && (givenUvci === undefined || issued.uvcis.includes(givenUvci))
}

/**
 * Where an output line's record is in the input: its `line`, and for an element of a JSON array its
 * `element` (0-based), as the report's rejections give them.
 */
export function placeOf(record: InputRecord): { line: number; element?: number } {
  return record.element === undefined ? { line: record.line } : { line: record.line, element: record.element }
}

/** The output line of a stored certificate, for the input record at `at` (placeOf). */
export function lineOf(
  at: { line: number; element?: number },
  key: string,
  issued: IssuedRecord,
): IssuedCertificate {
  const { head, uvcis } = issued
  const id = idOfKey(key)
  const replaces = uvcis.length > 1 ? uvcis[uvcis.length - 2] : undefined
  return {
    ...at,
    ...(id !== undefined ? { id } : {}),
    uvci: head.uvci,
    type: head.type,
    iat: head.iat,
    exp: head.exp,
    hc1: head.hc1,
    ...(replaces !== undefined ? { replaces } : {}),
  }
}

/**
 * Whether the current certificate of a record already issued has expired at `now` (its exp, in
 * seconds, not after now): it is still written out again (the record is issued once), and the run
 * warns, since a site would hand it out as valid (README "Idempotency keys stand for one content").
 */
export function expiredAt(issued: IssuedRecord, now: Date): boolean {
  return issued.head.exp * 1000 <= now.getTime()
}

/** Why a record whose given UVCI (column ci) a ledger certificate has is not issued; names the column, not the UVCI. */
export const UVCI_IN_LEDGER =
  'the UVCI (column ci) is already used by another certificate in the ledger; leave ci empty so that hcert assigns one, or give a new one'
/** UVCI_IN_LEDGER for a DCC payload record, whose ci is a payload field (an empty one is refused) */
export const UVCI_IN_LEDGER_PAYLOAD =
  'the UVCI (ci) is already used by another certificate in the ledger; leave ci out so that hcert assigns one, or give a new one'

/** Whether a record is a DCC payload record (`nam`, `v: [{…}]`): its reasons name payload fields (`v/ci`). */
function isPayloadRecord(record: InputRecord, type: IssueType | undefined): boolean {
  return type !== 'icvp' && 'nam' in record.raw
}

/** The field a reason about a record's given UVCI names: `ci`, or a payload record's `v/ci` (`t/ci`, `r/ci`). */
export function uvciField(record: InputRecord, type: IssueType | undefined): string {
  return isPayloadRecord(record, type) && type !== 'icvp' ? payloadFieldFor('ci', type) : 'ci'
}

/** The rejection of a record whose given UVCI a ledger certificate has (UVCI_IN_LEDGER). */
export function uvciInLedger(record: InputRecord, type: IssueType | undefined): Rejection {
  return isPayloadRecord(record, type)
    ? { field: uvciField(record, type), reason: UVCI_IN_LEDGER_PAYLOAD }
    : { field: 'ci', reason: UVCI_IN_LEDGER }
}

/**
 * Why a record is not issued when its key stands for other content: in this input (`record`, the
 * earlier record's number) or in the ledger. Names the column, never its value: sites use national ID
 * or passport numbers as ids, and reasons go to stderr, the ledger's rejections and `hcert stats`.
 * `--correct` is suggested only when it would apply (`correctable`: the same kind of certificate,
 * the same holder).
 */
export function reusedKeyRejection(
  key: string,
  record?: number,
  correctable = true,
  recordRejected = false,
): Rejection {
  if (idOfKey(key) === undefined)
    return {
      field: 'record',
      reason:
        record !== undefined
          ? `is the same record (no id: its names, date of birth and event) as record ${record} of this input with another country, issuer or UVCI${recordRejected ? ` (rejected; if this record is its fix, remove record ${record})` : ''}: one record is issued once; keep one of them`
          : 'this record was issued before with another country or issuer (its own, or --country/--issuer); to replace that certificate, issue it again with --correct',
    }
  return {
    field: 'id',
    reason:
      record !== undefined
        ? `the id (column id) is reused for different content: record ${record} of this input has it${recordRejected ? ` (rejected; if this record is its fix, remove record ${record})` : ''}; give each record an id of its own`
        : correctable
          ? 'the id (column id) is reused for different content: it was issued before for another record; give this record an id of its own, or correct that certificate with --correct'
          : 'the id (column id) is reused for different content: it was issued before for another record; give this record an id of its own',
  }
}

/**
 * Why `--correct` signs none of the records that give an id the ledger holds different contents in
 * one input (`others`: the numbers of the records with another content than this one): two
 * contradicting fixes of one person's certificate, and which is right is not hcert's to guess.
 * Names record numbers and the column, never the id's text or a holder's data.
 */
export function conflictingCorrections(others: readonly number[]): Rejection {
  const last = others[others.length - 1]
  const list =
    others.length === 1 ? `record ${last}` : `records ${others.slice(0, -1).join(', ')} and ${last}`
  return {
    field: 'id',
    reason: `--correct: the id (column id), issued before, has other contents in ${list} of this input too: two different fixes of one certificate, and which is right is not hcert's to choose, so none of them is signed and the certificate stays as it is; keep only the right one and run again`,
  }
}

/**
 * Why `--correct` does not issue a record without an id that the ledger does not hold: a correction
 * finds the certificate it replaces by the record's id, and the key of a record without one is its
 * content, which the fix changed; issued, it would be a second certificate beside the first, both
 * valid, though the site asked for a correction. Names no data.
 */
export const NO_ID_TO_CORRECT: Rejection = {
  field: 'id',
  reason:
    "is needed with --correct: a correction finds the certificate it replaces by the record's id, and this record has none; give it the id its certificate was issued under, or, if that certificate was issued without an id, issue the fixed record without --correct (a new certificate; the earlier one stays valid)",
}

/**
 * Why a record whose id was issued for another holder is not issued, with or without `--correct`:
 * a correction fixes one person's certificate (a typo in a name or the date of birth), it does not
 * give the id to someone else (two sites both numbering their rows 1, 2, 3). Names no data.
 */
export const OTHER_HOLDER: Rejection = {
  field: 'id',
  reason:
    "the id (column id) seems to belong to another person: it was issued before for a holder whose name or date of birth differs from this record's by more than a correction (a typo in one name, or the date of birth) does; give this record an id of its own (--correct fixes a certificate, it does not pass it to someone else)",
}

/**
 * Whether a record names another holder than the certificate issued under its key (holder-match.ts
 * samePerson): a close typo in one name, or the date of birth, changed is a correction of the same
 * person; a name that is not close to the one issued (twins, Nguyễn An and Nguyễn Bình), or two
 * changes, is someone else given the same id.
 */
export function holderChanged(
  type: string,
  issuedPayload: string,
  payload: Record<string, unknown>,
): boolean {
  let issued: Record<string, unknown>
  try {
    issued = JSON.parse(issuedPayload) as Record<string, unknown>
  } catch {
    return false
  }
  return !samePerson(type, holderOfPayload(type, issued), holderOfPayload(type, payload))
}

/**
 * Why a record whose key the ledger holds for other content is not issued, or undefined when it
 * may be issued as a correction (`correct`, the same kind, the same holder, the same event:
 * correction-rules.ts). `firstPayload`: the payload of the key's first certificate, when it has
 * been corrected or renewed since (its names bound what corrections may change).
 */
export function ledgerReuseRejection(
  key: string,
  issued: IssuedRecord,
  type: IssueType,
  payload: Record<string, unknown>,
  correct: boolean,
  firstPayload?: string,
  uvciFieldName = 'ci',
): Rejection | undefined {
  const otherKind = (issued.head.type === 'icvp') !== (type === 'icvp')
  if (otherKind)
    return correct
      ? crossKindCorrection(key, issued.head.type === 'icvp')
      : reusedKeyRejection(key, undefined, false)
  if (holderChanged(type, issued.head.payload, payload)) return OTHER_HOLDER
  const head = parsed(issued.head.payload)
  if (head && otherEvent(issued.head.type, head, type, payload))
    return otherEventRejection(idOfKey(key) !== undefined, type === 'icvp')
  const first = firstPayload === undefined ? undefined : parsed(firstPayload)
  if (first && driftedFromFirst(type, first, payload)) return DRIFTED_HOLDER
  if (correct) return undefined
  const withoutId = idOfKey(key) === undefined
  return contentDifferenceRejection(issued, payload, uvciFieldName, withoutId, reusedKeyRejection(key))
}

/** A stored payload read back; undefined when it cannot be (the ledger's own checks report that). */
function parsed(payload: string): Record<string, unknown> | undefined {
  try {
    const value = JSON.parse(payload) as unknown
    return value && typeof value === 'object' ? (value as Record<string, unknown>) : undefined
  } catch {
    return undefined
  }
}

/**
 * Why `--correct` does not sign a record whose key holds a certificate of the other kind (an EU DCC
 * for a WHO ICVP or the reverse): a correction replaces one person's certificate by the same kind
 * of certificate. Names the column, never the id's text or the holder.
 */
export function crossKindCorrection(key: string, issuedIcvp: boolean): Rejection {
  const [was, now] = issuedIcvp
    ? ['a WHO ICVP (yellow fever/polio) certificate', 'an EU DCC (COVID-19)']
    : ['an EU DCC (COVID-19) certificate', 'a WHO ICVP']
  const what = idOfKey(key) === undefined ? 'this record' : 'the id (column id)'
  return {
    field: idOfKey(key) === undefined ? 'record' : 'id',
    reason: `--correct cannot replace a certificate by another kind: ${what} was issued before as ${was}, and ${now} cannot correct it; give this record an id of its own`,
  }
}

/**
 * Why a correction signed in `window` may not replace `replaced` (its key's current certificate),
 * or undefined when it may: one dated (`--at`) before `replaced` was issued, or one that would be
 * expired by the real clock while `replaced` is still valid (the rule renew follows:
 * expiresBeforeReplaced), would leave the holder with an older or expired certificate in place of
 * a valid one. Names no data of the holder (the new certificate's exp is the run's, not theirs).
 */
export function backdatedCorrection(
  replaced: { iat: number; exp: number },
  window: { iat: number; exp: number; realNow: number },
): Rejection | undefined {
  if (window.iat < replaced.iat)
    return {
      field: 'record',
      reason:
        '--correct: --at dates this correction before the certificate it replaces was issued: nothing signed; correct it without --at (or with an --at after that certificate was issued)',
    }
  if (expiresBeforeReplaced(window.exp, replaced.exp, window.realNow))
    return {
      field: 'record',
      reason: `--correct: this correction would expire at ${new Date(window.exp * 1000).toISOString()}, before now (--at is in the past), while the certificate it replaces is still valid: nothing signed; correct it without --at (or with a later one)`,
    }
  return undefined
}

/**
 * Whether `content` is that of an earlier certificate of `key`'s chain, one a correction has
 * superseded since (`issued`: the key's chain, whose current content is another): a resent old
 * batch, written out as the current certificate, never signed back in nor taken for a reuse.
 * Reads the chain only then (a key's content differing from the ledger's is rare).
 */
export function correctedSince(
  ledger: Ledger,
  key: string,
  issued: IssuedRecord,
  content: string,
  givenUvci: string | undefined,
): boolean {
  if (issued.uvcis.length < 2 || issued.content === content) return false
  const chain = ledger.chainOf(key)
  return chain
    .slice(0, -1)
    .some((c) => contentOf(c) === content && (givenUvci === undefined || c.uvci === givenUvci))
}

export function entryOf(pending: Pending): Record<string, unknown> {
  if (pending.ledgerEntry) return pending.ledgerEntry
  return (pending.dcc[pending.type] as Array<Record<string, unknown>>)[0] as Record<string, unknown>
}

export function prepareChunk(records: InputRecord[], context: ChunkContext): PreparedChunk {
  let alreadyIssued = 0
  const results: RecordResult[] = []
  const toSign: Pending[] = []
  const build = context.kind === 'icvp' ? buildIcvp : buildDcc
  const builds = records.map((record) => (record.error ? undefined : build(record.raw, context.defaults)))
  const issuedBefore = context.ledger.issuedForKeys(builds.flatMap((b) => (b ? [b.key] : [])))
  // a record sent twice in one input is flagged, in one chunk or far apart (runKeys): the second is
  // never taken for a record an earlier run issued
  const seenInChunk = new Map<string, KeyInFlight>()
  /**
   * The record that had `key` before the record `index`, in this chunk or an earlier one: the
   * first record of a key owns it, accepted or rejected. A record another run held comes back
   * with its own entry, which is no earlier record.
   */
  const ownerBefore = (key: string, index: number): KeyInFlight | undefined => {
    const owner = seenInChunk.get(key) ?? context.runKeys.get(key)
    return owner !== undefined && owner.index !== index ? owner : undefined
  }
  /** the UVCIs given by the records of this chunk (upper-cased by buildDcc), with their record's index */
  const uvcisInChunk = new Map<string, number>()
  for (const [i, record] of records.entries()) {
    if (record.error) {
      results.push({
        record,
        key: `line:${record.line}`,
        rejections: [{ field: record.errorField ?? 'record', reason: record.error }],
      })
      continue
    }
    const built = builds[i] as NonNullable<(typeof builds)[number]>
    const key = built.key
    const entry =
      built.ledgerEntry ??
      (built.type ? (built.dcc[built.type] as Array<Record<string, unknown>> | undefined)?.[0] : undefined)
    // the UVCI is ours to assign; one given in the input is kept (and must be new to the ledger)
    const givenUvci = entry?.ci !== undefined
    if (entry && !givenUvci)
      entry.ci = makeUvci(String(entry.co ?? context.defaults.country ?? 'XX'), context.uvciIssuer)
    const rejections = hintSpreadsheetDates(
      built.type === 'icvp'
        ? checkIcvpRecord(built.dcc, built.ledgerEntry, context.now, built.rejections, context.signedShape)
        : checkRecord(built.dcc, built.type, context.now, built.rejections, context.signedShape),
      record.raw,
    )
    // a DCC payload's reasons name the payload field the site typed (t/sc), not the flat column (date)
    if (built.type !== 'icvp' && 'nam' in record.raw)
      for (const r of rejections)
        r.field =
          r.field === 'fn' && (typeof record.raw.nam !== 'object' || record.raw.nam === null)
            ? 'nam' // nam given as text: the site typed nam
            : payloadFieldFor(r.field, built.type)
    if (built.type && !context.mayIssue.includes(built.type)) {
      rejections.push({
        field: built.type === 'icvp' ? 'record' : 'type',
        reason: `the signing certificate may not sign ${ISSUE_TYPE_NAMES[built.type]} certificates (its Extended Key Usage)`,
      })
    }
    const content = contentFingerprint(built.dcc)
    const tag = contentTag(content)
    // with --correct, an issued id this input gives other contents too: no record of it is a correction
    const others = context.correct ? otherContents(context.conflicts, key, tag) : []
    // the first record of a key owns it, even when it is rejected: a later record with the same
    // id is reported as reusing it, never issued in its place (nor hidden behind its own reasons)
    const previous = ownerBefore(key, record.index)
    // (a record without an id rejected for its own fields owns nothing: its key is its content
    // without country and issuer, and the same record with a valid country is no reuse of it)
    const owns =
      previous === undefined && (idOfKey(key) !== undefined || (rejections.length === 0 && built.type))
    const givenTag = givenUvci ? uvciTag(String(entry?.ci)) : undefined
    const own: KeyInFlight | undefined = owns
      ? { index: record.index, content: tag, rejected: false, ...(givenTag ? { uvci: givenTag } : {}) }
      : undefined
    if (own) seenInChunk.set(key, own)
    if (rejections.length > 0 || !built.type) {
      if (previous !== undefined && previous.content !== tag && idOfKey(key) !== undefined)
        rejections.push(
          others.length > 0
            ? conflictingCorrections(others)
            : reusedKeyRejection(key, previous.index, true, previous.rejected),
        )
      results.push({
        record,
        key,
        rejections: rejections.length > 0 ? rejections : [{ field: 'type', reason: 'is missing' }],
      })
      if (own) own.rejected = true
      continue
    }
    const given = givenUvci ? String(entry?.ci) : undefined
    // the same record asking for another UVCI than its first copy got (one it gave, or none: one
    // hcert made) is no repeat: one record, one UVCI; without a UVCI it asks for none
    if (
      previous !== undefined &&
      previous.content === tag &&
      !previous.rejected &&
      givenTag !== undefined &&
      previous.uvci !== givenTag
    ) {
      results.push({
        record,
        key,
        rejections: [
          {
            field: uvciField(record, built.type),
            reason: `is the same record as record ${previous.index} of this input, which ${previous.uvci === undefined ? 'gives no UVCI (hcert assigns one)' : 'gives another UVCI'}: one record has one UVCI; drop this one, or give both the same`,
          },
        ],
      })
      continue
    }
    if (previous !== undefined && previous.content === tag && !previous.rejected) {
      results.push({ record, key, content, repeatOf: previous.index })
      alreadyIssued++
      continue
    }
    if (previous !== undefined) {
      results.push({
        record,
        key,
        rejections: [
          previous.content === tag
            ? {
                field: 'record',
                reason: previous.rejected
                  ? `is the same record as record ${previous.index} of this input, which is rejected (see its reason)`
                  : `is the same record as record ${previous.index} of this input (issued once)`,
              }
            : others.length > 0
              ? conflictingCorrections(others)
              : reusedKeyRejection(key, previous.index, true, previous.rejected),
        ],
      })
      continue
    }
    /** this record's result, rejected: the key stays its own (see `own`) */
    const reject = (rejection: Rejection): void => {
      results.push({ record, key, rejections: [rejection] })
      if (own) own.rejected = true
    }
    const existing = issuedBefore.get(key)
    let corrects: Superseding | undefined
    if (existing) {
      if (sameContent(existing, content, given)) {
        results.push({
          record,
          key,
          content,
          certificate: lineOf(placeOf(record), key, existing),
          ...(expiredAt(existing, context.now) ? { expired: true } : {}),
        })
        alreadyIssued++
        continue
      }
      // an earlier version of the record, corrected since (a resent old batch): its current
      // certificate is written out, with or without --correct; nothing signed, nothing rejected.
      // With --correct --restore it is a correction like another (undoing a mistaken one)
      if (!context.restore && correctedSince(context.ledger, key, existing, content, given)) {
        results.push({
          record,
          key,
          content,
          certificate: lineOf(placeOf(record), key, existing),
          correctedSince: true,
          ...(expiredAt(existing, context.now) ? { expired: true } : {}),
        })
        alreadyIssued++
        continue
      }
      // a key corrected or renewed before: its first certificate bounds what a correction may change
      const first = existing.uvcis.length > 1 ? context.ledger.chainOf(key)[0]?.payload : undefined
      const refused = ledgerReuseRejection(
        key,
        existing,
        built.type,
        built.dcc,
        context.correct === true,
        first,
        uvciField(record, built.type),
      )
      if (refused) {
        reject(refused)
        continue
      }
      if (others.length > 0) {
        reject(conflictingCorrections(others))
        continue
      }
      const backdated = context.window && backdatedCorrection(existing.head, context.window)
      if (backdated) {
        reject(backdated)
        continue
      }
      corrects = { id: existing.head.id, uvci: existing.head.uvci }
    } else if (context.correct && idOfKey(key) === undefined) {
      reject(NO_ID_TO_CORRECT)
      continue
    }
    const earlier = given === undefined ? undefined : uvcisInChunk.get(given)
    if (earlier !== undefined) {
      reject({
        field: uvciField(record, built.type),
        reason: `is the UVCI record ${earlier} of this input has (UVCIs compare without regard to case)`,
      })
      continue
    }
    if (given !== undefined) uvcisInChunk.set(given, record.index)
    if (
      givenUvci &&
      (context.ledger.uvciTaken(String(entry?.ci)) || context.inFlightUvcis.has(String(entry?.ci)))
    ) {
      reject(uvciInLedger(record, built.type))
      continue
    }
    const result: RecordResult = { record, key, content }
    results.push(result)
    toSign.push({
      result,
      type: built.type,
      dcc: built.dcc,
      content,
      ...(built.ledgerEntry ? { ledgerEntry: built.ledgerEntry } : {}),
      ...(corrects ? { corrects } : {}),
    })
  }

  return { records, results, toSign, alreadyIssued, owned: seenInChunk }
}
