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
/** the holder fields a look-up goes by, in the order it takes the first a reason did not name */
export const INDEXED_FIELDS = ['dob', 'surname', 'given'] as const
export type IndexedField = (typeof INDEXED_FIELDS)[number]

/** a holder field as indexed: a name by its words (an ICVP's name is compared so), the date of birth as is */
export const indexed = (holder: Holder, field: IndexedField): string =>
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
      const list = this.by[field].get(key)
      if (list) list.push(entry)
      else this.by[field].set(key, [entry])
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

const NO_EVENTS: readonly RecordEvent[] = Object.freeze([])

/**
 * Values many records share (a run of thousands: a few surnames, dates of birth and events), kept
 * once each, by a text key: the carry-over holds what every record read looks like (~1.4 KB a
 * record before, ~0.5 KB with this and one holder object a record: bench/rejects-carry.js). At most SHARED_MAX distinct values:
 * past them a value is kept as given (no more than before), so a run of all-distinct values does
 * not pay twice.
 */
class Shared {
  private readonly values = new Map<string, unknown>()
  get<T>(key: string, make: () => T): T {
    const known = this.values.get(key)
    if (known !== undefined) return known as T
    const value = make()
    if (this.values.size < SHARED_MAX) this.values.set(key, value)
    return value
  }
}
const SHARED_MAX = 20_000

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
    // one holder object for both looks (by key, by holder), with the type the record gave
    const holder = this.sharedHolder({ ...holderOfRecord(this.kind, fields), type: typeOfFields(fields) })
    // a list made for its first entry holds that one alone (`[]` then push would reserve 17 slots)
    const holders = this.keys.get(key)
    if (holders) holders.push(holder)
    else this.keys.set(key, [holder])
    const text = textAsRead(record)
    if (text !== undefined) this.texts.add(textDigest(text))
    this.unsplit.add(record)
    if (fieldsLineUp(record) && !holderUnknown(holder))
      this.records.add({
        holder,
        events: this.sharedEvents(eventsOfRecord(this.kind, fields, this.defaults)),
      })
  }

  /** the distinct event lists and holder texts kept (a list or text shared by many records is kept once) */
  private readonly shared = new Shared()

  /** `events` as kept: one frozen list for each distinct list (a site's day: one vaccine, dose and date). */
  private sharedEvents(events: RecordEvent[]): readonly RecordEvent[] {
    if (events.length === 0) return NO_EVENTS
    return this.shared.get(JSON.stringify(events), () =>
      Object.freeze(events.map((e) => Object.freeze({ ...e, fields: Object.freeze({ ...e.fields }) }))),
    )
  }

  /** `holder` with its often repeated texts (surnames, dates of birth) kept once each. */
  private sharedHolder<T extends Holder>(holder: T): T {
    const text = (value: string): string => this.shared.get(`\u0000${value}`, () => value)
    const shared: T = { ...holder, surname: text(holder.surname), dob: text(holder.dob) }
    if (holder.typedSurname !== undefined) shared.typedSurname = text(holder.typedSurname)
    return shared
  }
}
