/**
 * A rejection is one row per record key, holder, field and reason (schema 7, migration
 * `rejection-holders`): sites number their rows 1, 2, 3 every day, so id 1 rejected for two people
 * is two records, and stats counts both; the same record rejected again stays one row. Up to
 * schema 6 the table was unique by key, field and reason, and the second person's row was dropped.
 * A ledger of schema 6 (and the schema-1 fixture) is migrated; `ledger copy` carries both rows. On
 * SQLite and PostgreSQL alike.
 */
import { copyFileSync, mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import Database from 'better-sqlite3'
import { describe, expect, it } from 'vitest'
import { SCHEMA_VERSION } from '../../src/ledger/schema.js'
import { SyncPgClient } from '../../src/ledger/pg/sync-client.js'
import { runCli } from '../helpers/cli.js'
import { KEYS_EXAMPLE } from '../helpers/keys.js'
import { ENGINES, freshPgUrl, PG_AVAILABLE, requirePgInCi, type Engine } from '../helpers/pg.js'

requirePgInCi()
const tmp = mkdtempSync(join(tmpdir(), 'hcert-rejection-holders-'))
const FIXTURES = join(import.meta.dirname, '..', 'fixtures', 'ledger')
const HEADER = 'id,type,fn,gn,dob,vaccine,dose,doses,date,country\n'
/** two sites' row 1, two different people, both rejected for the same reason (an unknown vaccine) */
const site1 = join(tmp, 'site1.csv')
const site2 = join(tmp, 'site2.csv')
writeFileSync(site1, `${HEADER}1,v,An,Binh,1980-01-01,NoSuch,1,2,2021-06-01,VN\n`)
writeFileSync(site2, `${HEADER}1,v,Cuong,Dung,1990-05-05,NoSuch,1,2,2021-06-01,VN\n`)

const issue = (file: string, ledger: string) =>
  runCli(['issue', file, '--key-dir', KEYS_EXAMPLE, '--ledger', ledger, '--at', '2021-06-10T08:00:00Z'])
const totals = (ledger: string): { rejected: number; rejectedSinceIssued: number } =>
  JSON.parse(runCli(['stats', '--at', '2021-06-20T00:00:00Z', '--json', '--ledger', ledger]).stdout).totals

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
const count = (engine: Engine, spec: string): number =>
  Number(raw(engine, spec, 'SELECT count(*) AS n FROM rejections')[0]?.n)

const person = (surname: string, given: string, dob: string) => ({
  idempotencyKey: 'id:1',
  batch: 'site.csv',
  line: 2,
  field: 'vaccine',
  reason: 'is not a vaccine the EU value set lists',
  holder: { surname, given, dob, kind: 'dcc' as const },
})

/** turns a current ledger back into schema 6's form: rejections unique by key, field and reason */
function toSchema6(engine: Engine, spec: string): void {
  if (engine.name === 'sqlite') {
    const db = new Database(spec)
    try {
      db.exec(`BEGIN;
        CREATE TABLE old (id INTEGER PRIMARY KEY, idempotency_key TEXT NOT NULL, batch TEXT NOT NULL,
          line INTEGER NOT NULL, field TEXT NOT NULL, reason TEXT NOT NULL, created_at INTEGER NOT NULL,
          holder TEXT, issued_at INTEGER, UNIQUE (idempotency_key, field, reason));
        INSERT INTO old SELECT id, idempotency_key, batch, line, field, reason, created_at, holder, issued_at FROM rejections;
        DROP TABLE rejections;
        ALTER TABLE old RENAME TO rejections;
        PRAGMA user_version = 6;
        COMMIT;`)
    } finally {
      db.close()
    }
    return
  }
  raw(engine, spec, 'DROP INDEX rejections_record')
  raw(engine, spec, 'ALTER TABLE rejections ADD UNIQUE (idempotency_key, field, reason)')
  raw(engine, spec, 'UPDATE hcert_schema SET version = 6')
}

describe.each(ENGINES)('rejections of two people under one id ($name)', (engine) => {
  it('two sites’ row 1, two people rejected: two records in stats; the same record again stays one', () => {
    const spec = engine.spec(tmp, 'two-sites')
    expect(issue(site1, spec).code).toBe(4)
    expect(issue(site2, spec).code).toBe(4)
    expect(issue(site1, spec).code).toBe(4) // site 1's record again: the same rejection
    expect(count(engine, spec)).toBe(2)
    expect(totals(spec)).toMatchObject({ rejected: 2, rejectedSinceIssued: 0 })
  }, 60_000)

  it('a ledger of schema 6 (rejections unique by key, field and reason) is migrated: its rows kept, a second person recorded', () => {
    const spec = engine.spec(tmp, 'schema-6')
    let ledger = engine.open(spec)
    ledger.record([], [person('NGUYEN', 'AN', '1980-01-01')], new Date(100_000))
    ledger.close()
    const before = raw(engine, spec, 'SELECT id, idempotency_key, holder FROM rejections')
    toSchema6(engine, spec)
    ledger = engine.open(spec)
    ledger.record([], [person('TRAN', 'BINH', '1990-05-05')], new Date(200_000))
    ledger.record([], [person('NGUYEN', 'AN', '1980-01-01')], new Date(300_000)) // again: one row
    ledger.close()
    expect(count(engine, spec)).toBe(2)
    expect(raw(engine, spec, 'SELECT id, idempotency_key, holder FROM rejections ORDER BY id')[0]).toEqual(
      before[0],
    )
    const version =
      engine.name === 'sqlite'
        ? raw(engine, spec, 'PRAGMA user_version')[0]?.user_version
        : raw(engine, spec, 'SELECT version FROM hcert_schema')[0]?.version
    expect(version).toBe(SCHEMA_VERSION)
  })
})

describe('rejections of two people under one id: older ledgers and ledger copy', () => {
  it('the schema-1 fixture, migrated by issue, records both people', () => {
    const path = join(tmp, 'schema-1.sqlite')
    copyFileSync(join(FIXTURES, 'schema-1.sqlite'), path)
    expect(issue(site1, path).code).toBe(4)
    expect(issue(site2, path).code).toBe(4)
    expect(totals(path).rejected).toBe(2)
  }, 60_000)

  it.skipIf(!PG_AVAILABLE)(
    'ledger copy carries both rows, and once',
    () => {
      const path = join(tmp, 'copy-source.sqlite')
      expect(issue(site1, path).code).toBe(4)
      expect(issue(site2, path).code).toBe(4)
      const url = freshPgUrl('rej_holders_copy')
      const first = runCli(['ledger', 'copy', path, url, '--json'])
      expect(first.code).toBe(0)
      expect(JSON.parse(first.stdout).rejections).toEqual({ copied: 2, alreadyThere: 0 })
      const again = runCli(['ledger', 'copy', path, url, '--json'])
      expect(JSON.parse(again.stdout).rejections).toEqual({ copied: 0, alreadyThere: 2 })
      expect(totals(url).rejected).toBe(2)
    },
    180_000,
  )
})
