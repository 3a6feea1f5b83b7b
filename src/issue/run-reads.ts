/**
 * What a run read, kept for replacing an earlier rejects file (stale-rejects.ts): for each record,
 * its idempotency key with its holder, its text as read (a digest), its holder and events as
 * compared (rejected-holder.ts, rejected-event.ts), and the CSV rows it could not read as records
 * (unsplit-rows.ts). Kept in memory only, for the run, and only when there is an earlier file.
 */
import { createHash } from 'node:crypto'
import type { IssueDefaults } from './build-dcc.js'
import { holderOfRecord, holderUnknown, type Holder } from './holder-match.js'
import type { IssueKind } from './issue-types.js'
import type { InputRecord } from './read-records.js'
import { eventsOfRecord, type RecordEvent } from './rejected-event.js'
import { fieldsLineUp, readableFields, textAsRead } from './text-as-read.js'
import { UnsplitRows } from './unsplit-rows.js'

/** A record's holder and the events it may stand for, as compared with a rejects row's. */
export interface HolderEvents {
  holder: Holder
  events: readonly RecordEvent[]
}

/** A short digest of a record's text as read (textAsRead), so that the texts of a large run stay small. */
export function textDigest(text: string): string {
  return createHash('sha256').update(text).digest('base64').slice(0, 24)
}

export class RunReads {
  /** the idempotency keys read, each with the holders read under it */
  readonly keys = new Map<string, Holder[]>()
  /** digests of the texts as read (textDigest of textAsRead) */
  readonly texts = new Set<string>()
  /** the CSV rows that could not be read as records, by their id cell */
  readonly unsplit = new UnsplitRows()
  /** every record read whose holder could be read, with its events */
  readonly records: HolderEvents[] = []

  constructor(
    private readonly kind: IssueKind | undefined,
    private readonly defaults: IssueDefaults,
  ) {}

  /** Notes a record this run read (issued, already issued or rejected), under its key. */
  add(record: InputRecord, key: string): void {
    const fields = readableFields(record)
    const holder = holderOfRecord(this.kind, fields)
    const holders = this.keys.get(key) ?? []
    holders.push(holder)
    this.keys.set(key, holders)
    const text = textAsRead(record)
    if (text !== undefined) this.texts.add(textDigest(text))
    this.unsplit.add(record)
    if (fieldsLineUp(record) && !holderUnknown(holder))
      this.records.push({ holder, events: eventsOfRecord(this.kind, fields, this.defaults) })
  }
}
