/**
 * stats' validity totals come from validity_counts (kept in the chunk's transaction) on both engines:
 * the figures are those a count of every certificate gives, for any `now`, window and range,
 * including certificates that expire on the very day (and second) of `now` or of the window's end;
 * certificates issued after `now` are neither active, expired nor expiring; renewals move a
 * certificate to superseded; a ledger of schema 4 gets the table filled on open.
 */
import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import Database from 'better-sqlite3'
import { describe, expect, it } from 'vitest'
import type { IssuedRow, StoredCertificate } from '../../src/ledger/ledger.js'
import { PostgresLedger } from '../../src/ledger/pg/postgres-ledger.js'
import { SCHEMA_VERSION } from '../../src/ledger/schema.js'
import type { LedgerStats, StatsQuery } from '../../src/ledger/stats.js'
import type { LedgerStore } from '../../src/ledger/store.js'
import { ENGINES, requirePgInCi, type Engine } from '../helpers/pg.js'

requirePgInCi()
const tmp = mkdtempSync(join(tmpdir(), 'hcert-validity-'))
const DAY = 86_400
const T0 = Date.UTC(2021, 5, 14) / 1000

function row(i: number, extra: Partial<IssuedRow> = {}): IssuedRow {
  // issued every 7 hours; valid 1 to 40 days, some to the second of a day's start or end
  const iat = T0 + i * 7 * 3600 + (i % 5)
  const exp =
    i % 4 === 0
      ? T0 + (10 + (i % 30)) * DAY
      : i % 4 === 1
        ? T0 + (11 + (i % 20)) * DAY - 1
        : iat + (1 + (i % 40)) * DAY
  return {
    idempotencyKey: `id:P${i}`,
    uvci: `URN:UVCI:01:VN:V${i}`,
    type: 'v',
    country: 'VN',
    issuer: 'Ministry of Health',
    kid: 'a2lk',
    iat,
    exp,
    product: 'EU/1/20/1528',
    dose: 1,
    doses: 2,
    payload: '{}',
    hc1: `HC1:${i}`,
    batch: 'b.csv',
    line: i + 1,
    holderEvent: `h${i}`,
    origin: 'issue',
    replaces: null,
    content: `c${i}`,
    ...extra,
  }
}

/** The totals by counting every certificate, as stats did before validity_counts. */
function counted(
  rows: StoredCertificate[],
  query: StatsQuery,
): Omit<LedgerStats['totals'], 'rejected' | 'rejectedSinceIssued'> {
  const now = Math.floor(query.now.getTime() / 1000)
  const soon = now + query.soon
  const inRange = rows.filter(
    (r) => r.iat >= (query.since ?? 0) && r.iat <= (query.until ?? Infinity) && r.origin !== 'import',
  )
  // superseded at `now`: by a certificate issued at or before `now` (stats --at a past date)
  const iatOf = new Map(rows.map((r) => [r.id, r.iat]))
  const supersededAtNow = (r: StoredCertificate): boolean =>
    r.supersededBy !== null && (iatOf.get(r.supersededBy) ?? Infinity) <= now
  // a certificate issued after `now` is neither active, expired nor expiring at `now`
  const live = inRange.filter((r) => !supersededAtNow(r) && r.iat <= now)
  return {
    issued: inRange.filter((r) => r.origin === 'issue').length,
    renewed: inRange.filter((r) => r.origin === 'renew').length,
    active: live.filter((r) => r.exp > now).length,
    expired: live.filter((r) => r.exp <= now).length,
    expiringSoon: live.filter((r) => r.exp > now && r.exp <= soon).length,
    superseded: inRange.filter(supersededAtNow).length,
  }
}

function fill(ledger: LedgerStore): StoredCertificate[] {
  const at = new Date(T0 * 1000)
  ledger.record(
    Array.from({ length: 60 }, (_, i) => row(i)),
    [],
    at,
  )
  ledger.record(
    Array.from({ length: 60 }, (_, i) => row(i + 60)),
    [],
    at,
  )
  // renewals of every fifth certificate (one renewed twice: a chain), and one imported certificate
  const renewals = Array.from({ length: 24 }, (_, i) => {
    const old = ledger.findByUvci(`URN:UVCI:01:VN:V${i * 5}`) as StoredCertificate
    return row(1000 + i, {
      origin: 'renew',
      replaces: old.id,
      iat: old.iat + 3 * DAY,
      exp: old.iat + 200 * DAY,
    })
  })
  ledger.record(renewals, [], at)
  const again = ledger.findByUvci('URN:UVCI:01:VN:V1000') as StoredCertificate
  ledger.record(
    [row(2000, { origin: 'renew', replaces: again.id, iat: again.iat + DAY, exp: again.exp + DAY })],
    [],
    at,
  )
  ledger.record([row(3000, { origin: 'import' })], [], at)
  return ledger.allIds().map((id) => ledger.findById(id) as StoredCertificate)
}

/** `now` at day starts, day ends, exact expiry seconds, with windows that end on expiry seconds too */
function queries(rows: StoredCertificate[]): StatsQuery[] {
  const exps = rows.map((r) => r.exp)
  const nows = [
    T0 + 12 * DAY,
    T0 + 12 * DAY - 1,
    T0 + 15 * DAY + 4000,
    // before some certificates were issued (stats --at an earlier time): mid-range, and before all
    T0 + 2 * DAY + 5000,
    T0 + 5 * DAY,
    T0 - DAY,
    ...exps.filter((_, i) => i % 25 === 0),
  ]
  const list: StatsQuery[] = []
  for (const now of nows)
    for (const soon of [0, 3600, 7 * DAY, exps[(now % 7) + 3]! - now, 30 * DAY])
      for (const [since, until] of [
        [undefined, undefined],
        [T0 + 3 * DAY, T0 + 9 * DAY - 1],
        [T0 + 2 * DAY + 5000, T0 + 8 * DAY + 100],
        [T0 + DAY + 10, T0 + DAY + 20_000],
      ] as Array<[number | undefined, number | undefined]>)
        if (soon >= 0)
          list.push({
            now: new Date(now * 1000),
            by: 'day',
            soon,
            ...(since === undefined ? {} : { since, until }),
          })
  return list
}

describe.each(ENGINES)('validity totals from validity_counts on $name', (engine: Engine) => {
  it('equal a count of every certificate, for any now, window and range', () => {
    const ledger = engine.open(engine.spec(tmp, 'validity'))
    try {
      const rows = fill(ledger)
      const list = queries(rows)
      expect(list.length).toBeGreaterThan(100)
      for (const query of list) {
        const { rejected: _, rejectedSinceIssued: __, ...totals } = ledger.stats(query).totals
        expect(totals, JSON.stringify(query)).toEqual(counted(rows, query))
      }
    } finally {
      ledger.close()
    }
  })

  it('a ledger of schema 4 gets validity_counts filled from its certificates when opened', () => {
    const spec = engine.spec(tmp, 'validity-migrate')
    const ledger = engine.open(spec)
    const rows = fill(ledger)
    ledger.close()
    // back to schema 4: no validity_counts
    if (engine.name === 'sqlite') {
      const db = new Database(spec)
      db.exec('DROP TABLE validity_counts')
      db.pragma('user_version = 4')
      db.close()
    } else {
      const pg = new PostgresLedger(spec)
      pg.run([{ text: 'DROP TABLE validity_counts' }, { text: 'UPDATE hcert_schema SET version = 4' }])
      pg.close()
    }
    const migrated = engine.open(spec)
    try {
      const sums =
        engine.name === 'sqlite'
          ? (() => {
              const db = new Database(spec, { readonly: true })
              const got = db
                .prepare(
                  'SELECT superseded, sum(count) AS n FROM validity_counts GROUP BY superseded ORDER BY 1',
                )
                .all()
              const version = db.pragma('user_version', { simple: true })
              db.close()
              return { got, version }
            })()
          : {
              got: (migrated as PostgresLedger).run([
                {
                  text: 'SELECT superseded, sum(count)::int AS n FROM validity_counts GROUP BY superseded ORDER BY 1',
                },
              ])[0],
              version: (
                (migrated as PostgresLedger).run([{ text: 'SELECT version FROM hcert_schema' }])[0] as Array<{
                  version: number
                }>
              )[0]?.version,
            }
      expect(sums.version).toBe(SCHEMA_VERSION)
      const superseded = rows.filter((r) => r.supersededBy !== null).length
      expect(sums.got).toEqual([
        { superseded: 0, n: rows.length - superseded },
        { superseded: 1, n: superseded },
      ])
      for (const query of queries(rows).slice(0, 40)) {
        const { rejected: _, rejectedSinceIssued: __, ...totals } = migrated.stats(query).totals
        expect(totals).toEqual(counted(rows, query))
      }
    } finally {
      migrated.close()
    }
  })
})
