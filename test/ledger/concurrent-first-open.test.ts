/**
 * Round 9 of testers: two first `issue` runs on a new PostgreSQL database, the second started a
 * fraction of a second after the first, and the second sometimes stopped with "damaged … restore
 * the database from a copy": it read "no hcert_schema" just before the first run committed, then
 * saw the first run's tables. The interleaving is forced here (the other run commits between the
 * two reads), not timed.
 */
import { describe, expect, it } from 'vitest'
import { ensurePgSchema } from '../../src/ledger/pg/pg-schema.js'
import { PostgresLedger } from '../../src/ledger/pg/postgres-ledger.js'
import { SyncPgClient } from '../../src/ledger/pg/sync-client.js'
import { SCHEMA_VERSION } from '../../src/ledger/schema.js'
import { freshPgUrl, PG_AVAILABLE, requirePgInCi } from '../helpers/pg.js'

requirePgInCi()

/** A client whose first read of hcert_schema is answered, then `meanwhile` runs before it returns. */
function clientWithCommitBetween(url: string, meanwhile: () => void): SyncPgClient {
  const client = new SyncPgClient({ connectionString: url }, 30_000)
  client.connect()
  const query = client.query.bind(client)
  let done = false
  client.query = ((text: string, values?: unknown[]) => {
    const rows = query(text, values)
    if (!done && text.includes("to_regclass('hcert_schema')")) {
      done = true
      meanwhile()
    }
    return rows
  }) as typeof client.query
  return client
}

describe.skipIf(!PG_AVAILABLE)('two first runs on a new PostgreSQL database', () => {
  it.each([true, false])(
    'a ledger another run made between the two reads is that ledger, not damage (create %s)',
    (create) => {
      const url = freshPgUrl(`first_open_${create ? 'c' : 'r'}`)
      const client = clientWithCommitBetween(url, () => new PostgresLedger(url, { create: true }).close())
      try {
        expect(ensurePgSchema(client, 'the test ledger', create)).toBe(SCHEMA_VERSION)
      } finally {
        client.close()
      }
    },
  )

  it.each([-1, 0])('a version row no hcert wrote (%s) is damage, not migrated', (version) => {
    const url = freshPgUrl(`first_open_v${version < 0 ? 'm' : ''}${Math.abs(version)}`)
    new PostgresLedger(url, { create: true }).close()
    const admin = new SyncPgClient({ connectionString: url }, 30_000)
    admin.connect()
    admin.query('UPDATE hcert_schema SET version = $1', [version])
    try {
      expect(() => ensurePgSchema(admin, 'the test ledger', true)).toThrow(/is damaged/)
      expect(admin.query<{ version: number }>('SELECT version FROM hcert_schema')[0]?.version).toBe(version)
    } finally {
      admin.close()
    }
  })

  it('tables without their version row are still damage', () => {
    const url = freshPgUrl('first_open_damaged')
    new PostgresLedger(url, { create: true }).close()
    const admin = new SyncPgClient({ connectionString: url }, 30_000)
    admin.connect()
    admin.query('DROP TABLE hcert_schema')
    try {
      expect(() => ensurePgSchema(admin, 'the test ledger', true)).toThrow(/is damaged/)
    } finally {
      admin.close()
    }
  })
})
