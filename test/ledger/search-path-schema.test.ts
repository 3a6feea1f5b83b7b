/**
 * Round 8 of testers: a search_path naming an empty schema of hcert's own (`options=-c
 * search_path=s2`) while `public` holds another application's table was refused as "another
 * application's database". The tables hcert creates go to the first schema of the search_path, and
 * its names resolve only through it: the tables counted are those of the schemas on the search_path.
 * A table there (another application's, where hcert's would go) is still refused.
 */
import { describe, expect, it } from 'vitest'
import { PostgresLedger } from '../../src/ledger/pg/postgres-ledger.js'
import { SyncPgClient } from '../../src/ledger/pg/sync-client.js'
import { freshPgUrl, PG_AVAILABLE, requirePgInCi } from '../helpers/pg.js'
import { failure } from '../helpers/failure.js'

requirePgInCi()

function sql(url: string, ...statements: string[]): unknown[] {
  const client = new SyncPgClient({ connectionString: url }, 30_000)
  client.connect()
  try {
    return statements.map((s) => client.query(s))
  } finally {
    client.close()
  }
}

const inSchema = (url: string, schema: string): string => `${url}?options=-c%20search_path%3D${schema}`

describe.skipIf(!PG_AVAILABLE)('a ledger in a schema of its own (search_path)', () => {
  it("an empty schema of its own beside another application's public tables becomes a ledger there", () => {
    const url = freshPgUrl('own_schema')
    sql(url, 'CREATE TABLE customers (id int PRIMARY KEY)', 'CREATE SCHEMA s2')
    new PostgresLedger(inSchema(url, 's2'), { create: true }).close()
    const [tables] = sql(
      url,
      `SELECT table_schema || '.' || table_name AS t FROM information_schema.tables
       WHERE table_schema IN ('public', 's2') ORDER BY 1`,
    ) as [Array<{ t: string }>]
    const names = tables.map((r) => r.t)
    expect(names).toContain('s2.certificates')
    expect(names).toContain('public.customers')
    expect(names).not.toContain('public.certificates')
    // opened again, read only, through the same search_path
    new PostgresLedger(inSchema(url, 's2'), { readOnly: true }).close()
  })

  it('a table in the schema hcert would use is still refused, nothing added', () => {
    const url = freshPgUrl('own_schema_taken')
    sql(url, 'CREATE SCHEMA s2', 'CREATE TABLE s2.customers (id int PRIMARY KEY)')
    const err = failure(() => new PostgresLedger(inSchema(url, 's2'), { create: true }).close())
    expect(err.code).toBe('ERR_LEDGER')
    expect(err.message).toMatch(/holds no hcert ledger but 1 table\(s\) of its own/)
    expect(sql(url, `SELECT to_regclass('s2.certificates') AS r`)).toEqual([[{ r: null }]])
  })
})
