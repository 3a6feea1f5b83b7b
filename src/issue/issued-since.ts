/**
 * The earlier rejects rows whose own record was issued since (stale-rejects.ts), found by reading
 * the certificates issued since once, a page at a time (LedgerStore.payloadsSince: one query a
 * page), against an index of the ROWS: a rejects file's rows are few, the certificates issued
 * since a file weeks old millions (~170,000 a day at a ministry), so nothing is kept of a
 * certificate once its page is read. Stops reading when every row has found its record.
 */
import type { LedgerStore } from '../ledger/store.js'
import { holderOfPayload, type Holder } from './holder-match.js'
import { eventOfPayload } from './rejected-event.js'
import { INDEXED_FIELDS, indexed, type HolderEvents, type IndexedField } from './run-reads.js'

/** An earlier row looking for its own record: `own` says whether a certificate's holder and event are. */
export interface WaitingRow {
  holder: Holder
  /** the holder fields its reason named (they may differ): it is looked up by the first other one */
  fixable: ReadonlySet<keyof Holder>
  own: (other: HolderEvents) => boolean
  /** set when a certificate issued since is its own record */
  found?: boolean
}

/** What tells a certificate issued since: created after `writtenAt` (Unix seconds), or one of `issuedNow`. */
export interface SinceQuery {
  writtenAt?: number
  issuedNow: ReadonlySet<number>
}

/**
 * Sets `found` on each row of `rows` whose own record is among the certificates issued since
 * (read `pageSize` at a time: payloadsSince's default unless given). ERR_LEDGER as every read.
 */
export function findIssuedSince(
  rows: readonly WaitingRow[],
  ledger: LedgerStore,
  since: SinceQuery,
  pageSize?: number,
): void {
  if (rows.length === 0) return
  // each row under the first holder field its reason did not name (all of them named: every row)
  const by = new Map<IndexedField, Map<string, WaitingRow[]>>(INDEXED_FIELDS.map((f) => [f, new Map()]))
  const anyHolder: WaitingRow[] = []
  for (const row of rows) {
    const field = INDEXED_FIELDS.find((f) => !row.fixable.has(f))
    if (field === undefined) {
      anyHolder.push(row)
      continue
    }
    const map = by.get(field) as Map<string, WaitingRow[]>
    const value = indexed(row.holder, field)
    const list = map.get(value)
    if (list) list.push(row)
    else map.set(value, [row])
  }
  let left = rows.length
  const query = {
    ...(since.writtenAt === undefined ? {} : { createdAfter: since.writtenAt }),
    ids: since.issuedNow,
  }
  for (const page of ledger.payloadsSince(query, pageSize)) {
    for (const certificate of page) {
      let entry: HolderEvents
      try {
        const payload = JSON.parse(certificate.payload) as Record<string, unknown>
        const event = eventOfPayload(certificate.type === 'icvp' ? 'icvp' : undefined, payload)
        entry = { holder: holderOfPayload(certificate.type, payload), events: event ? [event] : [] }
      } catch {
        continue // a payload that does not parse names no holder
      }
      const candidates = [
        ...INDEXED_FIELDS.flatMap((f) => by.get(f)?.get(indexed(entry.holder, f)) ?? []),
        ...anyHolder,
      ]
      for (const row of candidates)
        if (!row.found && row.own(entry)) {
          row.found = true
          left--
        }
    }
    if (left === 0) return
  }
}
