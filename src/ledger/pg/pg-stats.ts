/**
 * stats.ts's figures from a PostgreSQL ledger: the same design (daily_counts for the whole UTC
 * days of the range, the certificates through their iat index for the part-days at its edges, the
 * totals from the iat index with the columns they read), the same keys and the same order, so that a
 * ledger copied from SQLite gives the same `stats --json`. Week keys are ISO 8601 weeks, as SQLite's
 * `%G-W%V` writes them (`2021-W52`; week 01 is the one with 4 January).
 */
import {
  addTotals,
  asOfNow,
  REJECTED_SQL,
  SUPERSEDED_LATER_SQL,
  splitDays,
  statsWindow,
  topByKind,
  type Count,
  type LedgerStats,
  type Period,
  type StatsQuery,
} from '../stats.js'
import { DAY_SECONDS, validitySplit } from '../validity-counts.js'
import type { SyncPgClient } from './sync-client.js'

type Totals = Omit<LedgerStats['totals'], 'rejected' | 'rejectedSinceIssued'>

/** the validity totals of the certificates a WHERE clause selects ($1 now, $2 soon), counted row by row */
const EXACT_TOTALS = (where: string): string => `SELECT
    count(*) FILTER (WHERE origin = 'issue') AS issued,
    count(*) FILTER (WHERE origin = 'renew') AS renewed,
    count(*) FILTER (WHERE superseded_by IS NULL AND iat <= $1 AND exp > $1) AS active,
    count(*) FILTER (WHERE superseded_by IS NULL AND iat <= $1 AND exp <= $1) AS expired,
    count(*) FILTER (WHERE superseded_by IS NULL AND iat <= $1 AND exp > $1 AND exp <= $2) AS "expiringSoon",
    count(*) FILTER (WHERE superseded_by IS NOT NULL) AS superseded
  FROM certificates WHERE ${where} AND origin <> 'import'`

/**
 * stats.ts's validityTotals on PostgreSQL: validity_counts for the whole days of the range but the
 * certificates expiring on the day of `now` or of `soon` (counted from the certificates through the
 * exp index), and the certificates themselves for the part-days at the edges.
 */
function pgValidityTotals(
  client: SyncPgClient,
  range: { fullStart: number; fullEnd: number; edges: Array<[number, number]>; now: number; soon: number },
): Totals {
  const { now, soon } = range
  const { before, after, exact } = splitDays(range)
  const parts: Array<Partial<Record<keyof Totals, number | null>> | undefined> = []
  for (const [from, to] of exact)
    parts.push(
      client.query<Record<keyof Totals, number>>(EXACT_TOTALS('iat BETWEEN $3 AND $4'), [
        now,
        soon,
        from,
        to,
      ])[0],
    )
  if (after)
    parts.push(
      client.query<Record<keyof Totals, number>>(
        `SELECT
           coalesce(sum(count) FILTER (WHERE origin = 'issue'), 0) AS issued,
           coalesce(sum(count) FILTER (WHERE origin = 'renew'), 0) AS renewed,
           coalesce(sum(count) FILTER (WHERE superseded = 1), 0) AS superseded
         FROM validity_counts WHERE day >= $1 AND day < $2 AND origin <> 'import'`,
        after,
      )[0],
    )
  if (before) {
    const { nowDay, soonDay, edgeDays } = validitySplit(now, soon)
    parts.push(
      client.query<Record<keyof Totals, number>>(
        `SELECT
           coalesce(sum(count) FILTER (WHERE origin = 'issue'), 0) AS issued,
           coalesce(sum(count) FILTER (WHERE origin = 'renew'), 0) AS renewed,
           coalesce(sum(count) FILTER (WHERE superseded = 0 AND exp_day > $3 AND exp_day NOT IN ($3, $4)), 0) AS active,
           coalesce(sum(count) FILTER (WHERE superseded = 0 AND exp_day < $3), 0) AS expired,
           coalesce(sum(count) FILTER (WHERE superseded = 0 AND exp_day > $3 AND exp_day < $4), 0) AS "expiringSoon",
           coalesce(sum(count) FILTER (WHERE superseded = 1), 0) AS superseded
         FROM validity_counts WHERE day >= $1 AND day < $2 AND origin <> 'import'`,
        [before[0], before[1], nowDay, soonDay],
      )[0],
    )
    for (const day of edgeDays) {
      const [counted] = client.query<Record<keyof Totals, number>>(
        EXACT_TOTALS('exp BETWEEN $3 AND $4 AND iat >= $5 AND iat < $6'),
        [
          now,
          soon,
          day * DAY_SECONDS,
          day * DAY_SECONDS + DAY_SECONDS - 1,
          before[0] * DAY_SECONDS,
          before[1] * DAY_SECONDS,
        ],
      )
      // issued, renewed and superseded of these came from the summary already
      parts.push({ ...counted, issued: 0, renewed: 0, superseded: 0 })
    }
  }
  return addTotals(parts)
}

const dayText = (seconds: number): string => new Date(seconds * 1000).toISOString().slice(0, 10)

/** The period key of a date expression `d`, as SQLite's strftime would write it. */
function periodOf(by: Period, d: string): string {
  if (by === 'day') return `to_char(${d}, 'YYYY-MM-DD')`
  if (by === 'month') return `to_char(${d}, 'YYYY-MM')`
  // ISO 8601 week-numbering year and week, as SQLite's %G-W%V
  return `to_char(${d}, 'IYYY') || '-W' || to_char(${d}, 'IW')`
}

export function pgLedgerStats(client: SyncPgClient, query: StatsQuery): LedgerStats {
  const { now, since, until, fullStart, fullEnd, edges } = statsWindow(query)

  const breakdown = (summaryKey: string, indexKey: string): Count[] => {
    const counts = new Map<string, number>()
    const add = (rows: Array<{ key: string | number; count: number }>): void => {
      for (const row of rows) counts.set(String(row.key), (counts.get(String(row.key)) ?? 0) + row.count)
    }
    if (fullStart < fullEnd)
      add(
        client.query(
          `SELECT ${summaryKey} AS key, sum(count) AS count FROM daily_counts
           WHERE day >= $1 AND day < $2 AND origin <> 'import' GROUP BY 1`,
          [dayText(fullStart), dayText(fullEnd)],
        ),
      )
    for (const [from, to] of edges)
      add(
        client.query(
          `SELECT ${indexKey} AS key, count(*) AS count FROM certificates
           WHERE iat BETWEEN $1 AND $2 AND origin <> 'import' GROUP BY 1`,
          [from, to],
        ),
      )
    return [...counts].map(([key, count]) => ({ key, count }))
  }
  const byCount = (list: Count[]): Count[] =>
    list.sort((a, b) => b.count - a.count || (a.key < b.key ? -1 : 1))
  const issuedDay = `(to_timestamp(iat) AT TIME ZONE 'UTC')::date`

  const soon = now + query.soon
  // supersession as of `now`: what was superseded only after it was not yet (stats.ts asOfNow)
  const totals = asOfNow(
    pgValidityTotals(client, { fullStart, fullEnd, edges, now, soon }),
    client.query<Record<string, number | string>>(
      SUPERSEDED_LATER_SQL.replaceAll('@now', '$1')
        .replaceAll('@soon', '$2')
        .replaceAll('@since', '$3')
        .replaceAll('@until', '$4'),
      [now, soon, since, until],
    )[0],
  )
  const [rejected] = client.query<{ rejected: number | string; rejectedSinceIssued: number | string }>(
    REJECTED_SQL.replace('@since', '$1').replace('@until', '$2'),
    [since, until],
  )
  return {
    totals: {
      ...totals,
      rejected: Number(rejected?.rejected ?? 0),
      rejectedSinceIssued: Number(rejected?.rejectedSinceIssued ?? 0),
    },
    // grouped by kind of reason as on SQLite (ledger/stats.ts topByKind), so both engines agree
    topRejections: topByKind(
      client.query(
        `SELECT field, reason, count(*)::int AS count FROM rejections WHERE created_at BETWEEN $1 AND $2
         GROUP BY field, reason`,
        [since, until],
      ),
      10,
    ),
    perPeriod: breakdown(periodOf(query.by, 'day::date'), periodOf(query.by, issuedDay)).sort((a, b) =>
      a.key < b.key ? -1 : 1,
    ),
    byType: byCount(breakdown('type', 'type')),
    byProduct: byCount(breakdown('product', `coalesce(product, '')`)),
    byDose: byCount(
      breakdown(
        `CASE WHEN dose = 0 THEN '' ELSE dose::text END`,
        `CASE WHEN dose IS NULL THEN '' ELSE dose::text END`,
      ),
    ),
    byCountry: byCount(breakdown('country', 'country')),
    byIssuer: byCount(breakdown('issuer', 'issuer')),
    byKid: byCount(breakdown('kid', 'kid')),
  }
}
