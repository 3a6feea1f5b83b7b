/**
 * The certificates recorded since a point, read a page at a time (both engines): what the rejects
 * carry-over (issue/stale-rejects.ts) compares an earlier rejects file against. One query a page,
 * keyset on the primary key (`id > last ORDER BY id LIMIT n`), so a ledger on a server answers in
 * N / pageSize round trips, not one a certificate, and no more than a page of payloads is held.
 */

/** A certificate's id, type and payload (the JSON it signs), as the carry-over reads them. */
export interface CertificatePayload {
  id: number
  /** `v`, `t`, `r` or `icvp` */
  type: string
  payload: string
}

/** Which certificates: recorded after `createdAfter` (Unix seconds, created_at > it) or among `ids`. */
export interface PayloadsSinceQuery {
  createdAfter?: number
  ids?: ReadonlySet<number>
}

/** Rows a page holds by default: ~0.5 KB of payload each, so a page is well under a megabyte. */
export const PAYLOAD_PAGE_ROWS = 2000

/** A page as the engine's SQL returns it (ids and created_at as numbers or bigint strings). */
export interface PayloadRow {
  id: number | string
  type: string
  payload: string
  createdAt: number | string
}

/**
 * The engine's page query: rows with id > `after` and (created_at > `createdAfter` or id >=
 * `fromId`), in id order, at most `limit`. A superset of the query (an id of `ids` is >= their
 * least), cut to it here: the ids of a run need not be sent with every page.
 */
export type PayloadPage = (after: number, createdAfter: number, fromId: number, limit: number) => PayloadRow[]

/** The pages of payloadsSince (see LedgerStore.payloadsSince), each at most `pageSize` rows, none empty. */
export function* payloadPages(
  page: PayloadPage,
  query: PayloadsSinceQuery,
  pageSize = PAYLOAD_PAGE_ROWS,
): Generator<CertificatePayload[]> {
  const ids = query.ids ?? new Set<number>()
  if (query.createdAfter === undefined && ids.size === 0) return
  if (!Number.isSafeInteger(pageSize) || pageSize < 1)
    throw new RangeError(`payloadsSince: pageSize ${pageSize} is not a positive integer`)
  const createdAfter = query.createdAfter ?? Number.MAX_SAFE_INTEGER
  let fromId = Number.MAX_SAFE_INTEGER
  for (const id of ids) if (id < fromId) fromId = id
  let after = Number.MIN_SAFE_INTEGER
  for (;;) {
    const rows = page(after, createdAfter, fromId, pageSize)
    const kept: CertificatePayload[] = []
    for (const row of rows) {
      const id = Number(row.id)
      if (Number(row.createdAt) > createdAfter || ids.has(id))
        kept.push({ id, type: row.type, payload: row.payload })
    }
    if (kept.length > 0) yield kept
    if (rows.length < pageSize) return
    after = Number(rows[rows.length - 1]?.id)
  }
}
