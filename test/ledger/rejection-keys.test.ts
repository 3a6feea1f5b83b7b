/**
 * Rejections are stored under keys no guess can be checked against (rejection-key.ts): a record
 * without an id is keyed by the fingerprint of its content, which a dictionary of names and dates
 * of birth would recompute, and a record's id may be a national ID number: both are HMAC-ed. A
 * ledger of schema 5 is migrated (schema 6, rejection-keys): its `id:` keys HMAC-ed, and its
 * rejections fixed since (by the id alone, as stats counted them) marked issued. On SQLite and
 * PostgreSQL alike.
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
  it('a content key and an id are stored as HMACs under the ledger’s secret: stable, deduplicated, not the guessable hash', () => {
    const spec = engine.spec(tmp, 'rk')
    let ledger = engine.open(spec)
    ledger.record([], [rejection(guessable, 2), rejection('id:R7', 3)], NOW)
    ledger.close()
    const stored = keys(engine, spec)
    expect(stored).toHaveLength(2)
    expect(stored[0]).toMatch(/^hmac:[0-9a-f]{64}$/)
    expect(stored.join()).not.toContain(guessable.slice('record:'.length))
    expect(stored[1]).toMatch(/^hmac:[0-9a-f]{64}$/)
    expect(stored[0]).not.toBe(stored[1])
    expect(stored.join()).not.toContain('R7')
    // the same rejection again, from another run: one row, the same key
    ledger = engine.open(spec)
    ledger.record([], [rejection(guessable, 2)], NOW)
    ledger.close()
    expect(keys(engine, spec)).toEqual(stored)
  })

  it('a ledger of schema 5 (keys in the clear, no holder, no secret) is migrated when opened: keys HMAC-ed, fixed rejections kept fixed', () => {
    const spec = engine.spec(tmp, 'rk-old')
    const ledger = engine.open(spec)
    // a certificate for id:A, recorded at second 100
    ledger.record(
      [
        {
          idempotencyKey: 'id:A',
          uvci: 'URN:UVCI:01:VN:RKA',
          type: 'v',
          country: 'VN',
          issuer: 'Ministry of Health',
          kid: 'a2lk',
          iat: 100,
          exp: 1_000_000_000,
          product: 'EU/1/20/1528',
          dose: 1,
          doses: 2,
          payload: '{}',
          hc1: 'HC1:A',
          batch: 'b.csv',
          line: 1,
          holderEvent: 'hA',
          origin: 'issue',
          replaces: null,
          content: 'cA',
        },
      ],
      [],
      new Date(100_000),
    )
    ledger.close()
    // as hcert 0.1 of schema 5 left it: no secret, no holder or issued_at, keys in the clear
    raw(engine, spec, 'DROP TABLE IF EXISTS ledger_secret')
    raw(engine, spec, 'DROP INDEX IF EXISTS rejections_record') // schema 7's, on holder
    raw(engine, spec, 'ALTER TABLE rejections DROP COLUMN holder')
    raw(engine, spec, 'ALTER TABLE rejections DROP COLUMN issued_at')
    if (engine.name === 'sqlite') raw(engine, spec, 'PRAGMA user_version = 5')
    else raw(engine, spec, 'UPDATE hcert_schema SET version = 5')
    for (const [key, line] of [
      [guessable, 2],
      ['id:A', 3],
      ['id:B', 4],
    ] as const)
      raw(
        engine,
        spec,
        `INSERT INTO rejections (idempotency_key, batch, line, field, reason, created_at) VALUES ('${key}', 'a.csv', ${line}, 'dob', 'is missing', 50)`,
      )
    const migrated = engine.open(spec)
    try {
      const stored = keys(engine, spec)
      expect(stored).toHaveLength(3)
      for (const key of stored) expect(key).toMatch(/^hmac:[0-9a-f]{64}$/)
      expect(stored.join()).not.toMatch(/id:|record:/)
      // id:A was issued after its rejection (by the id alone: no holder was recorded then)
      expect(migrated.stats({ now: new Date(200_000), by: 'day', soon: 0 }).totals).toMatchObject({
        rejected: 2,
        rejectedSinceIssued: 1,
      })
    } finally {
      migrated.close()
    }
  })
})
