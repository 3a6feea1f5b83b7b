/**
 * The PostgreSQL server the tests run against: $HCERT_TEST_PG_URL (a role that may CREATEDB). Each
 * test file gets databases of its own (freshPgUrl), dropped at the end. Without a reachable server
 * the PostgreSQL tests are skipped, saying how to start one; with CI=true they fail instead.
 */
import { randomBytes } from 'node:crypto'
import { join } from 'node:path'
import { afterAll, it } from 'vitest'
import { Ledger } from '../../src/ledger/ledger.js'
import { PostgresLedger } from '../../src/ledger/pg/postgres-ledger.js'
import { SyncPgClient } from '../../src/ledger/pg/sync-client.js'
import type { LedgerStore } from '../../src/ledger/store.js'

export const PG_URL = process.env.HCERT_TEST_PG_URL ?? ''

const START_ONE = `sudo pg_ctlcluster 15 main start && sudo -u postgres psql -c "CREATE ROLE hcert LOGIN PASSWORD 'hcert' CREATEDB" -c "CREATE DATABASE hcert_test OWNER hcert" && export HCERT_TEST_PG_URL=postgres://hcert:hcert@127.0.0.1:5432/hcert_test`

function reachable(): string | undefined {
  if (!PG_URL) return 'HCERT_TEST_PG_URL is not set'
  const client = new SyncPgClient({ connectionString: PG_URL, connectionTimeoutMillis: 3000 }, 10_000)
  try {
    client.connect()
    return undefined
  } catch (err) {
    return `${(err as Error).message}`
  } finally {
    client.close()
  }
}

const why = reachable()
export const PG_AVAILABLE = why === undefined
if (!PG_AVAILABLE && process.env.CI !== 'true')
  console.warn(`PostgreSQL tests skipped (${why}). To run them: ${START_ONE}`)

/** In CI a missing server is a failure, not a skip: call once at the top of each PostgreSQL test file. */
export function requirePgInCi(): void {
  if (!PG_AVAILABLE && process.env.CI === 'true')
    it('reaches the PostgreSQL server of $HCERT_TEST_PG_URL (CI)', () => {
      throw new Error(`no PostgreSQL server for the tests (${why}); .ci/run starts one`)
    })
}

const created: string[] = []

/** A URL for a new, empty database on the test server, dropped after the file's tests. */
export function freshPgUrl(label: string): string {
  const name = `hcert_t_${label.replace(/\W/g, '_').toLowerCase()}_${randomBytes(4).toString('hex')}`
  const admin = new SyncPgClient({ connectionString: PG_URL }, 30_000)
  admin.connect()
  try {
    admin.query(`CREATE DATABASE ${name}`)
  } finally {
    admin.close()
  }
  created.push(name)
  const url = new URL(PG_URL)
  url.pathname = `/${name}`
  return url.toString()
}

afterAll(() => {
  if (created.length === 0) return
  const admin = new SyncPgClient({ connectionString: PG_URL }, 30_000)
  try {
    admin.connect()
    for (const name of created.splice(0)) admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`)
  } catch {
    // left for the next run to find: names are random
  } finally {
    admin.close()
  }
})

export interface Engine {
  name: 'sqlite' | 'postgres'
  /** a new, empty ledger: a file in `dir`, or a database of its own */
  spec(dir: string, label: string): string
  open(spec: string): LedgerStore
}

export const SQLITE: Engine = {
  name: 'sqlite',
  spec: (dir, label) => join(dir, `${label}-${randomBytes(3).toString('hex')}.sqlite`),
  open: (spec) => new Ledger(spec),
}

export const POSTGRES: Engine = {
  name: 'postgres',
  spec: (_dir, label) => freshPgUrl(label),
  open: (spec) => new PostgresLedger(spec, { create: true }),
}

/** The engines to run a ledger test on: both when the server is there, else SQLite alone. */
export const ENGINES: Engine[] = PG_AVAILABLE ? [SQLITE, POSTGRES] : [SQLITE]
