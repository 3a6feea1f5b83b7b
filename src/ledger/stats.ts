/**
 * Figures from the ledger, as plain data. Breakdowns come from daily_counts (kept by Ledger.record
 * in the same transaction as the certificates) for the whole UTC days inside the range, and from the certificates themselves (through the
 * iat index) for the part-days at its edges; the validity totals read the certificates_validity index. So a
 * million-row ledger answers in well under a second, and the figures are exact for any range.
 */
import type Database from 'better-sqlite3'
import { DAY_SECONDS, validitySplit } from './validity-counts.js'

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
    /**
     * input records rejected and not issued since (distinct records: key and holder): a record with
     * an `id` whose every rejection was followed by a certificate issued under that id for plausibly
     * the same person (fixed and issued again) counts in rejectedSinceIssued instead
     */
    rejected: number
    /** input records rejected, then issued under the same `id` for the same person by a later run (fixed) */
    rejectedSinceIssued: number
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

/** strftime formats of the period keys: ISO 8601 weeks (`2021-W52`: weeks start on Monday, and week 01 is the one with 4 January; its year is the ISO week-numbering year) */
const PERIOD_FORMAT: Readonly<Record<Period, string>> = { day: '%Y-%m-%d', week: '%G-W%V', month: '%Y-%m' }
const dayText = (seconds: number): string => new Date(seconds * 1000).toISOString().slice(0, 10)

/**
 * How a stats range splits, for both engines: `now` and the inclusive iat range [since, until]
 * (seconds; until capped at 9999-12-30T23:59:59Z, so day texts stay YYYY-MM-DD); the whole UTC days
 * [fullStart, fullEnd) that daily_counts answers; and the part-days at the edges (`edges`, inclusive
 * pairs) that the certificates' iat index answers.
 */
export function statsWindow(query: StatsQuery): {
  now: number
  since: number
  until: number
  fullStart: number
  fullEnd: number
  edges: Array<[number, number]>
} {
  const now = Math.floor(query.now.getTime() / 1000)
  const since = query.since ?? 0
  const until = Math.min(query.until ?? Infinity, 253_402_214_399)
  const fullStart = Math.ceil(since / DAY_SECONDS) * DAY_SECONDS
  const fullEnd = Math.max(fullStart, Math.floor((until + 1) / DAY_SECONDS) * DAY_SECONDS)
  const edges: Array<[number, number]> =
    fullStart >= fullEnd
      ? [[since, until]]
      : ([
          [since, fullStart - 1],
          [fullEnd, until],
        ].filter(([a, b]) => (a as number) <= (b as number)) as Array<[number, number]>)
  return { now, since, until, fullStart, fullEnd, edges }
}

export function ledgerStats(db: Database.Database, query: StatsQuery): LedgerStats {
  const { now, since, until, fullStart, fullEnd, edges } = statsWindow(query)

  const breakdown = (summaryKey: string, indexKey: string): Count[] => {
    const counts = new Map<string, number>()
    const add = (rows: Array<{ key: string | number; count: number }>): void => {
      for (const row of rows) counts.set(String(row.key), (counts.get(String(row.key)) ?? 0) + row.count)
    }
    if (fullStart < fullEnd) {
      add(
        db
          .prepare(
            `SELECT ${summaryKey} AS key, sum(count) AS count FROM daily_counts WHERE day >= ? AND day < ? AND origin != 'import' GROUP BY key`,
          )
          .all(dayText(fullStart), dayText(fullEnd)) as Array<{ key: string; count: number }>,
      )
    }
    for (const [from, to] of edges) {
      add(
        db
          .prepare(
            `SELECT ${indexKey} AS key, count(*) AS count FROM certificates INDEXED BY certificates_iat
             WHERE iat BETWEEN ? AND ? AND origin != 'import' GROUP BY key`,
          )
          .all(from, to) as Array<{ key: string; count: number }>,
      )
    }
    return [...counts].map(([key, count]) => ({ key, count }))
  }
  const byCount = (list: Count[]): Count[] =>
    list.sort((a, b) => b.count - a.count || (a.key < b.key ? -1 : 1))
  const format = PERIOD_FORMAT[query.by]

  const totals = validityTotals(db, { since, until, fullStart, fullEnd, edges, now, soon: now + query.soon })
  const rejectionScope = 'created_at BETWEEN @since AND @until'
  return {
    totals: {
      ...totals,
      ...(db.prepare(hasIssuedAt(db) ? REJECTED_SQL : REJECTED_SQL_BEFORE_6).get({ since, until }) as {
        rejected: number
        rejectedSinceIssued: number
      }),
    },
    topRejections: topByKind(
      db
        .prepare(
          `SELECT field, reason, count(*) AS count FROM rejections WHERE ${rejectionScope} GROUP BY field, reason`,
        )
        .all({ since, until }) as LedgerStats['topRejections'],
      10,
    ),
    perPeriod: breakdown(`strftime('${format}', day)`, `strftime('${format}', iat, 'unixepoch')`).sort(
      (a, b) => (a.key < b.key ? -1 : 1),
    ),
    byType: byCount(breakdown('type', 'type')),
    byProduct: byCount(breakdown('product', `coalesce(product, '')`)),
    byDose: byCount(
      breakdown(
        `CASE WHEN dose = 0 THEN '' ELSE CAST(dose AS TEXT) END`,
        `CASE WHEN dose IS NULL THEN '' ELSE CAST(dose AS TEXT) END`,
      ),
    ),
    byCountry: byCount(breakdown('country', 'country')),
    byIssuer: byCount(breakdown('issuer', 'issuer')),
    byKid: byCount(breakdown('kid', 'kid')),
  }
}

/**
 * Distinct rejected records in [since, until] (by record key and holder: sites number their rows 1,
 * 2, 3 every day, so one id rejected for two people is two records), split into those not issued
 * since and those issued since: a rejection counts as fixed when a certificate was issued for the
 * same record (its key: its id, or its content) and plausibly the same person in a later second
 * (`issued_at`, set by Ledger.record: holder-key.ts). A record is fixed when all its rejections
 * are. The same SQL on both engines.
 */
export const REJECTED_SQL = `SELECT coalesce(sum(open), 0) AS rejected, count(*) - coalesce(sum(open), 0) AS "rejectedSinceIssued"
  FROM (SELECT max(CASE WHEN r.issued_at IS NULL THEN 1 ELSE 0 END) AS open
    FROM rejections r WHERE r.created_at BETWEEN @since AND @until GROUP BY r.idempotency_key, r.holder) AS keys`

/**
 * REJECTED_SQL for a SQLite ledger of schema 5 or earlier read as it is (stats opens read only and
 * never migrates): the rule of those versions, a certificate recorded under the same key in a later
 * second, by id alone.
 */
const REJECTED_SQL_BEFORE_6 = `SELECT coalesce(sum(open), 0) AS rejected, count(*) - coalesce(sum(open), 0) AS "rejectedSinceIssued"
  FROM (SELECT r.idempotency_key, max(CASE WHEN EXISTS (SELECT 1 FROM certificates c
      WHERE c.idempotency_key = r.idempotency_key AND c.created_at > r.created_at) THEN 0 ELSE 1 END) AS open
    FROM rejections r WHERE r.created_at BETWEEN @since AND @until GROUP BY r.idempotency_key) AS keys`

const hasIssuedAt = (db: Database.Database): boolean =>
  db
    .prepare(`SELECT count(*) FROM pragma_table_info('rejections') WHERE name = 'issued_at'`)
    .pluck()
    .get() === 1

export type Totals = Omit<LedgerStats['totals'], 'rejected' | 'rejectedSinceIssued'>
const TOTALS: ReadonlyArray<keyof Totals> = [
  'issued',
  'renewed',
  'active',
  'expired',
  'expiringSoon',
  'superseded',
]

/** Adds up totals; a figure SQLite's sum() gives as NULL (no rows) counts 0. */
export function addTotals(
  parts: ReadonlyArray<Partial<Record<keyof Totals, number | null>> | undefined>,
): Totals {
  const sum = Object.fromEntries(TOTALS.map((k) => [k, 0])) as Totals
  for (const part of parts) for (const k of TOTALS) sum[k] += Number(part?.[k] ?? 0)
  return sum
}

interface TotalsRange {
  since: number
  until: number
  /** whole days [fullStart, fullEnd), seconds */
  fullStart: number
  fullEnd: number
  /** the part-days at the edges of the range, seconds, inclusive */
  edges: Array<[number, number]>
  now: number
  soon: number
}

/** the validity totals of the certificates a WHERE clause selects, counted row by row */
const EXACT_TOTALS = (from: string, where: string): string => `SELECT
    sum(origin = 'issue') AS issued,
    sum(origin = 'renew') AS renewed,
    sum(superseded_by IS NULL AND iat <= @now AND exp > @now) AS active,
    sum(superseded_by IS NULL AND iat <= @now AND exp <= @now) AS expired,
    sum(superseded_by IS NULL AND iat <= @now AND exp > @now AND exp <= @soon) AS expiringSoon,
    sum(superseded_by IS NOT NULL) AS superseded
  FROM ${from} WHERE ${where} AND origin != 'import'`

/**
 * The certificates of the iat range [@since, @until] superseded by a certificate issued after @now
 * (stats --at a past date): at @now they were not superseded yet. Counted through the successors'
 * iat index (a successor points to what it replaces), so the usual case (@now today: none) costs one
 * index probe. The same SQL on both engines (named parameters replaced on PostgreSQL).
 */
export const SUPERSEDED_LATER_SQL = `SELECT count(*) AS superseded,
    coalesce(sum(CASE WHEN c.iat <= @now AND c.exp > @now THEN 1 ELSE 0 END), 0) AS active,
    coalesce(sum(CASE WHEN c.iat <= @now AND c.exp <= @now THEN 1 ELSE 0 END), 0) AS expired,
    coalesce(sum(CASE WHEN c.iat <= @now AND c.exp > @now AND c.exp <= @soon THEN 1 ELSE 0 END), 0) AS "expiringSoon"
  FROM certificates s JOIN certificates c ON c.id = s.replaces
  WHERE s.iat > @now AND c.superseded_by = s.id AND c.iat BETWEEN @since AND @until AND c.origin <> 'import'`

/**
 * Totals as of `now` from totals that count supersession as the ledger has it today: the certificates
 * superseded only after `now` (`later`, SUPERSEDED_LATER_SQL's row) move from superseded to active,
 * expired or expiring soon as their own iat and exp say.
 */
export function asOfNow(
  totals: Totals,
  later: Partial<Record<string, number | string | null>> | undefined,
): Totals {
  const n = (k: string): number => Number(later?.[k] ?? 0)
  return {
    ...totals,
    superseded: totals.superseded - n('superseded'),
    active: totals.active + n('active'),
    expired: totals.expired + n('expired'),
    expiringSoon: totals.expiringSoon + n('expiringSoon'),
  }
}

/**
 * The validity totals: validity_counts for the certificates issued on the whole days of the range,
 * except those that expire on the day of `now` or of `soon` (which may fall either side of them:
 * counted from the certificates through the exp index), and the certificates themselves for the
 * part-days at the edges. A certificate issued after `now` (stats --at a time before it) is neither
 * active, expired nor expiring at `now`: the whole days after the day of `now` give only issued,
 * renewed and superseded from the summary, and the day of `now` itself is counted from the
 * certificates (splitDays). A ledger opened read only at an earlier schema (no validity_counts)
 * counts every certificate of the range through the validity index.
 */
function validityTotals(db: Database.Database, range: TotalsRange): Totals {
  return asOfNow(
    currentValidityTotals(db, range),
    db.prepare(SUPERSEDED_LATER_SQL).get({
      now: range.now,
      soon: range.soon,
      since: range.since,
      until: range.until,
    }) as Record<string, number | null>,
  )
}

/** validityTotals, with supersession as the ledger has it today */
function currentValidityTotals(db: Database.Database, range: TotalsRange): Totals {
  const { now, soon } = range
  const hasSummary =
    db
      .prepare(`SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = 'validity_counts'`)
      .pluck()
      .get() === 1
  if (!hasSummary)
    return addTotals([
      db
        .prepare(
          EXACT_TOTALS('certificates INDEXED BY certificates_validity', 'iat BETWEEN @since AND @until'),
        )
        .get({ since: range.since, until: range.until, now, soon }) as Record<keyof Totals, number | null>,
    ])
  const { before, nowDay, after, exact } = splitDays(range)
  const parts: Array<Record<keyof Totals, number | null>> = []
  for (const [from, to] of exact)
    parts.push(
      db
        .prepare(EXACT_TOTALS('certificates INDEXED BY certificates_iat', 'iat BETWEEN @from AND @to'))
        .get({ from, to, now, soon }) as Record<keyof Totals, number | null>,
    )
  if (after)
    parts.push(
      db
        .prepare(
          `SELECT
             sum(CASE WHEN origin = 'issue' THEN count ELSE 0 END) AS issued,
             sum(CASE WHEN origin = 'renew' THEN count ELSE 0 END) AS renewed,
             sum(CASE WHEN superseded = 1 THEN count ELSE 0 END) AS superseded
           FROM validity_counts WHERE day >= @dayFrom AND day < @dayTo AND origin != 'import'`,
        )
        .get({ dayFrom: after[0], dayTo: after[1] }) as Record<keyof Totals, number | null>,
    )
  if (before) {
    const { soonDay, edgeDays } = validitySplit(now, soon)
    const days = { dayFrom: before[0], dayTo: before[1] }
    parts.push(
      db
        .prepare(
          `SELECT
             sum(CASE WHEN origin = 'issue' THEN count ELSE 0 END) AS issued,
             sum(CASE WHEN origin = 'renew' THEN count ELSE 0 END) AS renewed,
             sum(CASE WHEN superseded = 0 AND exp_day > @nowDay AND exp_day NOT IN (@nowDay, @soonDay) THEN count ELSE 0 END) AS active,
             sum(CASE WHEN superseded = 0 AND exp_day < @nowDay THEN count ELSE 0 END) AS expired,
             sum(CASE WHEN superseded = 0 AND exp_day > @nowDay AND exp_day < @soonDay THEN count ELSE 0 END) AS expiringSoon,
             sum(CASE WHEN superseded = 1 THEN count ELSE 0 END) AS superseded
           FROM validity_counts WHERE day >= @dayFrom AND day < @dayTo AND origin != 'import'`,
        )
        .get({ ...days, nowDay, soonDay }) as Record<keyof Totals, number | null>,
    )
    for (const day of edgeDays) {
      const exact = db
        .prepare(
          EXACT_TOTALS(
            'certificates INDEXED BY certificates_validity',
            'exp BETWEEN @expFrom AND @expTo AND iat >= @fullStart AND iat < @fullEnd',
          ),
        )
        .get({
          expFrom: day * DAY_SECONDS,
          expTo: day * DAY_SECONDS + DAY_SECONDS - 1,
          fullStart: before[0] * DAY_SECONDS,
          fullEnd: before[1] * DAY_SECONDS,
          now,
          soon,
        }) as Record<keyof Totals, number | null>
      // issued, renewed and superseded of these came from the summary already
      parts.push({ ...exact, issued: 0, renewed: 0, superseded: 0 })
    }
  }
  return addTotals(parts)
}

/**
 * How the validity totals of a range split, for both engines (days are day numbers, ranges
 * half-open; `exact` are inclusive iat ranges in seconds): the whole days before the day of `now`
 * (`before`: the summary, as validitySplit says), the whole days after it (`after`: the summary,
 * issued, renewed and superseded only: not yet issued at `now`), and what is counted from the
 * certificates (`exact`: the part-days at the edges of the range, and the day of `now` when it is a
 * whole day of the range).
 */
export function splitDays(range: Pick<TotalsRange, 'fullStart' | 'fullEnd' | 'edges' | 'now'>): {
  before?: [number, number]
  nowDay: number
  after?: [number, number]
  exact: Array<[number, number]>
} {
  const first = range.fullStart / DAY_SECONDS
  const end = range.fullEnd / DAY_SECONDS
  const nowDay = Math.floor(range.now / DAY_SECONDS)
  const exact = [...range.edges]
  const beforeEnd = Math.min(end, Math.max(first, nowDay))
  const afterStart = Math.max(first, Math.min(end, nowDay + 1))
  if (nowDay >= first && nowDay < end)
    exact.push([nowDay * DAY_SECONDS, nowDay * DAY_SECONDS + DAY_SECONDS - 1])
  return {
    ...(first < beforeEnd ? { before: [first, beforeEnd] as [number, number] } : {}),
    nowDay,
    ...(afterStart < end ? { after: [afterStart, end] as [number, number] } : {}),
    exact,
  }
}

/**
 * What varies from record to record in a reason, and the word that stands for it in a reason's
 * kind: an id (`the id "R1" is reused…`), a record, line or column number, a UVCI, a length.
 */
const VARYING: ReadonlyArray<readonly [RegExp, string]> = [
  [/"(?:[^"\\]|\\.)*"/g, '"…"'],
  [/URN:UVCI:[^\s;,)]+/gi, 'URN:UVCI:…'],
  [/\b(record|line|column|row|about|has|header has) \d+/g, '$1 N'],
]

/** A reason as its kind: the reason with what varies per record (VARYING) replaced. */
export function reasonKind(reason: string): string {
  let kind = reason
  for (const [pattern, stand] of VARYING) kind = kind.replace(pattern, stand)
  return kind
}

/**
 * The `limit` most frequent reasons by kind (field and reasonKind): "the id … is reused" is one line
 * of the top reasons, not one per id. Ties by field, then reason.
 */
export function topByKind(
  rows: ReadonlyArray<{ field: string; reason: string; count: number }>,
  limit: number,
): LedgerStats['topRejections'] {
  const kinds = new Map<string, { field: string; reason: string; count: number }>()
  for (const row of rows) {
    const reason = reasonKind(row.reason)
    const key = `${row.field}\u0000${reason}`
    const entry = kinds.get(key)
    if (entry) entry.count += row.count
    else kinds.set(key, { field: row.field, reason, count: row.count })
  }
  return [...kinds.values()]
    .sort(
      (a, b) =>
        b.count - a.count || (a.field < b.field ? -1 : a.field > b.field ? 1 : a.reason < b.reason ? -1 : 1),
    )
    .slice(0, limit)
}
