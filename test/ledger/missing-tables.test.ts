/**
 * A ledger missing a table hcert needs is damaged, on both engines: ERR_LEDGER on opening, never a
 * table made anew. A new ledger_secret would key rejections with another secret (the ones recorded
 * would no longer match, and stats would count them twice); a new hcert_schema would take hcert's
 * own damaged database for another application's. Only a new, empty ledger gets its tables.
 */
import Database from 'better-sqlite3'
import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { openLedger } from '../../src/ledger/open.js'
import { PostgresLedger } from '../../src/ledger/pg/postgres-ledger.js'
import { SyncPgClient } from '../../src/ledger/pg/sync-client.js'
import type { LedgerStore } from '../../src/ledger/store.js'
import { ENGINES, freshPgUrl, PG_AVAILABLE, requirePgInCi, type Engine } from '../helpers/pg.js'
import { failure } from '../helpers/failure.js'

requirePgInCi()
const tmp = mkdtempSync(join(tmpdir(), 'hcert-missing-tables-'))

function raw(engine: Engine, spec: string, statement: string): void {
  if (engine.name === 'sqlite') {
    const db = new Database(spec)
    try {
      db.exec(statement)
    } finally {
      db.close()
    }
    return
  }
  const client = new SyncPgClient({ connectionString: spec }, 30_000)
  client.connect()
  try {
    client.query(statement)
  } finally {
    client.close()
  }
}

function secretOf(engine: Engine, spec: string): string | undefined {
  if (engine.name === 'sqlite') {
    const db = new Database(spec, { readonly: true })
    try {
      return db.prepare('SELECT secret FROM ledger_secret WHERE id = 1').pluck().get() as string | undefined
    } finally {
      db.close()
    }
  }
  const client = new SyncPgClient({ connectionString: spec }, 30_000)
  client.connect()
  try {
    return client.query<{ secret: string }>('SELECT secret FROM ledger_secret WHERE id = 1')[0]?.secret
  } finally {
    client.close()
  }
}

/** a ledger holding one rejection (keyed with its secret) */
function ledgerWithRejection(engine: Engine, label: string): string {
  const spec = engine.spec(tmp, label)
  const ledger: LedgerStore = engine.open(spec)
  try {
    ledger.record(
      [],
      [{ idempotencyKey: 'id:A', batch: 'a.csv', line: 2, field: 'dob', reason: 'is missing' }],
      new Date(100_000),
    )
  } finally {
    ledger.close()
  }
  return spec
}

const OPENS = [
  { create: true },
  { create: false },
  { create: false, readOnly: true },
  { create: false, readOnly: true, absentAsEmpty: true },
]

describe.each(ENGINES.map((e) => [e.name, e] as const))('%s', (_name, engine) => {
  it('a new ledger has its secret from the start', () => {
    const spec = engine.spec(tmp, 'new')
    engine.open(spec).close()
    expect(secretOf(engine, spec)).toMatch(/^[0-9a-f]{64}$/)
  })

  it.each(['ledger_secret', 'rejections'])(
    'a dropped %s table is damage on every open, never made again',
    (table) => {
      const spec = ledgerWithRejection(engine, `drop_${table}`)
      raw(engine, spec, `DROP TABLE ${table}`)
      for (const options of OPENS) {
        const err = failure(() => openLedger(spec, options).close())
        expect(err.code).toBe('ERR_LEDGER')
        expect(err.message).toMatch(new RegExp(`damaged or not complete \\(its ${table} table is missing\\)`))
        expect(err.message).toMatch(/restore the (ledger|database) from a copy/)
      }
      // nothing was made in its place
      expect(() => raw(engine, spec, `SELECT * FROM ${table}`)).toThrow()
    },
  )

  it('a ledger_secret emptied while rejections remain is damage on every open (read-only too), and no new secret is made', () => {
    const spec = ledgerWithRejection(engine, 'empty_secret')
    raw(engine, spec, 'DELETE FROM ledger_secret')
    for (const options of OPENS) {
      const err = failure(() => openLedger(spec, options).close())
      expect(err.code).toBe('ERR_LEDGER')
      expect(err.message).toMatch(/damaged: its ledger_secret table is empty, while it holds rejections/)
    }
    expect(secretOf(engine, spec)).toBeUndefined()
  })

  it('an emptied ledger_secret with no rejection is no damage: a read-only open reads the ledger', () => {
    const spec = engine.spec(tmp, 'empty_secret_no_rejection')
    engine.open(spec).close()
    raw(engine, spec, 'DELETE FROM ledger_secret')
    for (const options of OPENS.filter((o) => o.readOnly)) openLedger(spec, options).close()
  })

  it('a dropped table of an older ledger is damage too, not made again by the migration', () => {
    const spec = ledgerWithRejection(engine, 'old_drop')
    raw(engine, spec, 'DROP TABLE daily_counts')
    if (engine.name === 'sqlite') raw(engine, spec, 'PRAGMA user_version = 6')
    else raw(engine, spec, 'UPDATE hcert_schema SET version = 6')
    const err = failure(() => openLedger(spec, { create: true }).close())
    expect(err.code).toBe('ERR_LEDGER')
    expect(err.message).toMatch(/its daily_counts table is missing/)
  })
})

describe.skipIf(!PG_AVAILABLE)('PostgreSQL: a dropped hcert_schema', () => {
  it.each(['DROP TABLE hcert_schema', 'DELETE FROM hcert_schema'])(
    "after %s: hcert's own ledger, damaged (not another application's database)",
    (statement) => {
      const url = freshPgUrl('no_schema')
      new PostgresLedger(url, { create: true }).close()
      raw({ name: 'postgres' } as Engine, url, statement)
      for (const options of OPENS) {
        const err = failure(() => openLedger(url, options).close())
        expect(err.code).toBe('ERR_LEDGER')
        expect(err.message).toMatch(/is damaged: it holds hcert's tables, but its hcert_schema table/)
        expect(err.message).not.toMatch(/another application/)
      }
    },
  )
})
