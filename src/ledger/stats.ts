/**
 * Figures from the ledger, as plain data. Every query reads the certificates_stats covering index
 * (never the payloads), so a million-row ledger answers in well under a second.
 */
import type Database from 'better-sqlite3'

export type Period = 'day' | 'week' | 'month'

export interface StatsQuery {
  now: Date
  /** iat range, seconds; inclusive */
  since?: number
  until?: number
  by: Period
  /** "expiring soon" window, seconds */
  soon: number
}

export interface Count {
  key: string
  count: number
}

export interface LedgerStats {
  totals: {
    /** certificates signed from records */
    issued: number
    /** certificates signed as renewals */
    renewed: number
    /** not superseded and not expired */
    active: number
    /** not superseded, expired */
    expired: number
    /** active and expiring within the window */
    expiringSoon: number
    superseded: number
    /** input records rejected (distinct records) */
    rejected: number
  }
  topRejections: Array<{ field: string; reason: string; count: number }>
  perPeriod: Count[]
  byType: Count[]
  byProduct: Count[]
  byDose: Count[]
  byCountry: Count[]
  byIssuer: Count[]
  byKid: Count[]
}

const PERIOD_FORMAT: Readonly<Record<Period, string>> = { day: '%Y-%m-%d', week: '%Y-W%W', month: '%Y-%m' }

export function ledgerStats(db: Database.Database, query: StatsQuery): LedgerStats {
  const now = Math.floor(query.now.getTime() / 1000)
  const params = {
    since: query.since ?? 0,
    until: query.until ?? Number.MAX_SAFE_INTEGER,
    now,
    soon: now + query.soon,
  }
  // signed by us (not certificates recorded only so that their renewal can point to them)
  const scope = "iat BETWEEN @since AND @until AND origin != 'import'"
  const one = (sql: string): number => (db.prepare(sql).pluck().get(params) as number | null) ?? 0
  const group = (expression: string, order = 'count DESC, key'): Count[] =>
    db
      .prepare(
        `SELECT ${expression} AS key, count(*) AS count FROM certificates INDEXED BY certificates_stats
         WHERE ${scope} GROUP BY key ORDER BY ${order}`,
      )
      .all(params) as Count[]
  const totals = db
    .prepare(
      `SELECT
         sum(origin = 'issue') AS issued,
         sum(origin = 'renew') AS renewed,
         sum(superseded_by IS NULL AND exp > @now) AS active,
         sum(superseded_by IS NULL AND exp <= @now) AS expired,
         sum(superseded_by IS NULL AND exp > @now AND exp <= @soon) AS expiringSoon,
         sum(superseded_by IS NOT NULL) AS superseded
       FROM certificates INDEXED BY certificates_stats WHERE ${scope}`,
    )
    .get(params) as Record<string, number | null>
  const rejectionScope = 'created_at BETWEEN @since AND @until'
  return {
    totals: {
      issued: totals.issued ?? 0,
      renewed: totals.renewed ?? 0,
      active: totals.active ?? 0,
      expired: totals.expired ?? 0,
      expiringSoon: totals.expiringSoon ?? 0,
      superseded: totals.superseded ?? 0,
      rejected: one(`SELECT count(DISTINCT idempotency_key) FROM rejections WHERE ${rejectionScope}`),
    },
    topRejections: db
      .prepare(
        `SELECT field, reason, count(*) AS count FROM rejections WHERE ${rejectionScope}
         GROUP BY field, reason ORDER BY count DESC, field LIMIT 10`,
      )
      .all(params) as LedgerStats['topRejections'],
    perPeriod: group(`strftime('${PERIOD_FORMAT[query.by]}', iat, 'unixepoch')`, 'key'),
    byType: group('type'),
    byProduct: group(`coalesce(product, '')`),
    byDose: group(`CASE WHEN dose IS NULL THEN '' ELSE CAST(dose AS TEXT) END`),
    byCountry: group('country'),
    byIssuer: group('issuer'),
    byKid: group('kid'),
  }
}
