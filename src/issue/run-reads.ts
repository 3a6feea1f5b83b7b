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

/**
 * Holders and events, looked up by a holder field a rejects row's reason did not name (that field
 * must be equal: rejected-holder.ts): the date of birth, else the standardised surname, else the
 * given name; all of them when the reason named the three. A run's records are many, a rejects
 * file's rows few: each row looks at the records of its holder's birthday, not at every record.
 */
/** a holder field as indexed: a name by its words (an ICVP's name is compared so), the date of birth as is */
const indexed = (holder: Holder, field: 'dob' | 'surname' | 'given'): string =>
  field === 'dob'
    ? holder.dob
    : holder[field]
        .split(/[\s<,.-]+/u)
        .filter((w) => w !== '')
        .join(' ')

export class HolderIndex {
  private readonly all: HolderEvents[] = []
  private readonly by = {
    dob: new Map<string, HolderEvents[]>(),
    surname: new Map<string, HolderEvents[]>(),
    given: new Map<string, HolderEvents[]>(),
  }

  add(entry: HolderEvents): void {
    this.all.push(entry)
    for (const field of ['dob', 'surname', 'given'] as const) {
      const key = indexed(entry.holder, field)
      const list = this.by[field].get(key) ?? []
      list.push(entry)
      this.by[field].set(key, list)
    }
  }

  /** The entries that may name `holder`, when the fields in `free` may differ. */
  candidates(holder: Holder, free: ReadonlySet<keyof Holder>): readonly HolderEvents[] {
    for (const field of ['dob', 'surname', 'given'] as const)
      if (!free.has(field)) return this.by[field].get(indexed(holder, field)) ?? []
    return this.all
  }
}

/** The certificate type a record's fields give (`type`, or a payload's `v`, `t`, `r` entry), if any. */
export function typeOfFields(fields: Record<string, unknown>): string | undefined {
  if (typeof fields.type === 'string') return fields.type.trim().toLowerCase()
  return (['v', 't', 'r'] as const).find((t) => Array.isArray(fields[t]))
}

/** A short digest of a record's text as read (textAsRead), so that the texts of a large run stay small. */
export function textDigest(text: string): string {
  return createHash('sha256').update(text).digest('base64').slice(0, 24)
}

export class RunReads {
  /** the idempotency keys read, each with the holders read under it (and the type each record gave) */
  readonly keys = new Map<string, (Holder & { type?: string })[]>()
  /** digests of the texts as read (textDigest of textAsRead) */
  readonly texts = new Set<string>()
  /** the CSV rows that could not be read as records, by their id cell */
  readonly unsplit = new UnsplitRows()
  /** every record read whose holder could be read, with its events */
  readonly records = new HolderIndex()

  constructor(
    private readonly kind: IssueKind | undefined,
    private readonly defaults: IssueDefaults,
  ) {}

  /** Notes a record this run read (issued, already issued or rejected), under its key. */
  add(record: InputRecord, key: string): void {
    const fields = readableFields(record)
    const holder = holderOfRecord(this.kind, fields)
    const holders = this.keys.get(key) ?? []
    holders.push({ ...holder, type: typeOfFields(fields) })
    this.keys.set(key, holders)
    const text = textAsRead(record)
    if (text !== undefined) this.texts.add(textDigest(text))
    this.unsplit.add(record)
    if (fieldsLineUp(record) && !holderUnknown(holder))
      this.records.add({ holder, events: eventsOfRecord(this.kind, fields, this.defaults) })
  }
}
