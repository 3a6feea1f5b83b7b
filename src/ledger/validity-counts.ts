/**
 * validity_counts: certificates per UTC day of issuance, UTC day of expiry, origin and whether
 * superseded, kept by both engines in the same transaction as the certificates (as daily_counts),
 * so that stats' validity totals (active, expired, expiring soon, superseded) read a few thousand
 * rows instead of a million. Days are whole days since 1970-01-01 UTC: floor(seconds / 86,400).
 * A certificate is counted once, at (day of iat, day of exp, origin, 0); when a later one
 * supersedes it, it moves to (…, 1).
 *
 * Schema migration `validity-counts` (ledger schema 5, both engines): the table is made and filled
 * from the certificates already there, once, in the migrating transaction.
 */

/** the schema from which validity_counts is kept */
export const VALIDITY_COUNTS_SCHEMA = 5

export const DAY_SECONDS = 86_400

/** The day number of a time in seconds since the epoch (UTC days, floor). */
export const dayOf = (seconds: number): number => Math.floor(seconds / DAY_SECONDS)

/** The table, on both engines (INTEGER is 64-bit on SQLite; BIGINT on PostgreSQL). */
export const validityCountsTable = (engine: 'sqlite' | 'postgres'): string => {
  const int = engine === 'sqlite' ? 'INTEGER' : 'BIGINT'
  return `CREATE TABLE IF NOT EXISTS validity_counts (
  day ${int} NOT NULL,
  exp_day ${int} NOT NULL,
  origin TEXT NOT NULL,
  superseded INTEGER NOT NULL,
  count ${int} NOT NULL,
  PRIMARY KEY (day, exp_day, origin, superseded)
)${engine === 'sqlite' ? ' WITHOUT ROWID' : ''}`
}

/** Fills the table from the certificates (a ledger of an earlier schema, or a copy just made). */
export const fillValidityCounts = (engine: 'sqlite' | 'postgres'): string => {
  const day = (column: string): string =>
    engine === 'sqlite'
      ? // SQLite's integer division rounds towards zero: floor for times before 1970 too
        `(${column} / 86400 - (${column} < 0 AND ${column} % 86400 <> 0))`
      : `floor(${column} / 86400.0)::bigint`
  return `INSERT INTO validity_counts (day, exp_day, origin, superseded, count)
  SELECT ${day('iat')}, ${day('exp')}, origin, CASE WHEN superseded_by IS NULL THEN 0 ELSE 1 END, count(*)
  FROM certificates GROUP BY 1, 2, 3, 4`
}

/** One change to validity_counts: `delta` certificates at a key. */
export interface ValidityDelta {
  day: number
  expDay: number
  origin: string
  superseded: 0 | 1
  delta: number
}

/** Adds up the changes of one transaction by key (one upsert per distinct key). */
export class ValidityDeltas {
  private readonly byKey = new Map<string, ValidityDelta>()

  /** a certificate newly stored */
  added(iat: number, exp: number, origin: string): void {
    this.add(dayOf(iat), dayOf(exp), origin, 0, 1)
  }

  /** a certificate stored before, now superseded */
  superseded(iat: number, exp: number, origin: string): void {
    this.add(dayOf(iat), dayOf(exp), origin, 0, -1)
    this.add(dayOf(iat), dayOf(exp), origin, 1, 1)
  }

  private add(day: number, expDay: number, origin: string, superseded: 0 | 1, delta: number): void {
    const key = `${day}\u0000${expDay}\u0000${origin}\u0000${superseded}`
    const entry = this.byKey.get(key)
    if (entry) entry.delta += delta
    else this.byKey.set(key, { day, expDay, origin, superseded, delta })
  }

  all(): ValidityDelta[] {
    return [...this.byKey.values()].filter((d) => d.delta !== 0)
  }
}

/**
 * How stats' validity totals split between validity_counts and the certificates, for certificates
 * issued in the whole days [fullStart, fullEnd) (seconds): the expiry days of `now` and of `soon`
 * (the end of the "expiring soon" window) are the only ones whose certificates may fall either
 * side of those times, so they are counted from the certificates (through the exp index); every
 * other expiry day comes from the summary.
 */
export function validitySplit(
  now: number,
  soon: number,
): { nowDay: number; soonDay: number; edgeDays: number[] } {
  const nowDay = dayOf(now)
  const soonDay = dayOf(soon)
  return { nowDay, soonDay, edgeDays: nowDay === soonDay ? [nowDay] : [nowDay, soonDay] }
}
