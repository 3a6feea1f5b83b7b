/**
 * Rejections are stored under keys no guess can be checked against (rejection-key.ts): a record
 * without an id is keyed by the fingerprint of its content, which a dictionary of names and dates
 * of birth would recompute. On SQLite and PostgreSQL alike.
 */
import { createHash } from 'node:crypto'
import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import Database from 'better-sqlite3'
import { describe, expect, it } from 'vitest'
import { SyncPgClient } from '../../src/ledger/pg/sync-client.js'
import { ENGINES, requirePgInCi, type Engine } from '../helpers/pg.js'

requirePgInCi()
const tmp = mkdtempSync(join(tmpdir(), 'hcert-rejection-keys-'))
const NOW = new Date('2021-07-01T00:00:00Z')
/** what anyone can compute from a guessed holder: the content key of hcert's record fingerprint */
const guessable = `record:${createHash('sha256').update('Nguyen|An|1980-01-01').digest('hex')}`
const rejection = (key: string, line: number) => ({
  idempotencyKey: key,
  batch: 'b.csv',
  line,
  field: 'dob',
  reason: 'is missing',
})

/** runs SQL on the ledger behind hcert's back */
function raw(engine: Engine, spec: string, sql: string): Array<Record<string, unknown>> {
  if (engine.name === 'sqlite') {
    const db = new Database(spec)
    try {
      const statement = db.prepare(sql)
      return statement.reader ? (statement.all() as Array<Record<string, unknown>>) : (statement.run(), [])
    } finally {
      db.close()
    }
  }
  const client = new SyncPgClient({ connectionString: spec }, 30_000)
  client.connect()
  try {
    return client.query(sql)
  } finally {
    client.close()
  }
}

const keys = (engine: Engine, spec: string): string[] =>
  raw(engine, spec, 'SELECT idempotency_key AS k FROM rejections ORDER BY id').map((r) => String(r.k))

describe.each(ENGINES)('rejection keys ($name)', (engine) => {
  it('a content key is stored as an HMAC under the ledger’s secret: stable, deduplicated, not the guessable hash', () => {
    const spec = engine.spec(tmp, 'rk')
    let ledger = engine.open(spec)
    ledger.record([], [rejection(guessable, 2), rejection('id:R7', 3)], NOW)
    ledger.close()
    const stored = keys(engine, spec)
    expect(stored).toHaveLength(2)
    expect(stored[0]).toMatch(/^hmac:[0-9a-f]{64}$/)
    expect(stored.join()).not.toContain(guessable.slice('record:'.length))
    expect(stored[1]).toBe('id:R7')
    // the same rejection again, from another run: one row, the same key
    ledger = engine.open(spec)
    ledger.record([], [rejection(guessable, 2)], NOW)
    ledger.close()
    expect(keys(engine, spec)).toEqual(stored)
  })

  it('rejections an older hcert stored under a content key are rewritten when the ledger is opened for writing', () => {
    const spec = engine.spec(tmp, 'rk-old')
    const ledger = engine.open(spec)
    ledger.close()
    // as an older hcert left it: no secret, a content key in the clear
    raw(engine, spec, 'DROP TABLE IF EXISTS ledger_secret')
    raw(
      engine,
      spec,
      `INSERT INTO rejections (idempotency_key, batch, line, field, reason, created_at) VALUES ('${guessable}', 'a.csv', 2, 'dob', 'is missing', 0)`,
    )
    engine.open(spec).close()
    const stored = keys(engine, spec)
    expect(stored).toHaveLength(1)
    expect(stored[0]).toMatch(/^hmac:[0-9a-f]{64}$/)
  })
})
