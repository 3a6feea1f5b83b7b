/**
 * PostgreSQL failures that need no server to explain: an unreadable URL, no password. ERR_LEDGER
 * saying what to check, never the password, never a host or port the URL did not give.
 */
import { describe, expect, it } from 'vitest'
import { PostgresLedger } from '../../src/ledger/pg/postgres-ledger.js'
import { SyncPgClient } from '../../src/ledger/pg/sync-client.js'
import { freshPgUrl, PG_AVAILABLE, PG_URL } from '../helpers/pg.js'

const failure = (url: string): Error => {
  try {
    new PostgresLedger(url).close()
  } catch (err) {
    return err as Error
  }
  throw new Error('opened')
}

describe('PostgreSQL ledger errors', () => {
  it.each([
    'postgres://hcert:s3cr#et@127.0.0.1:5432/db',
    'postgres://hcert:pw@127.0.0.1:99999/db',
    'postgres://[::1',
  ])('an invalid URL (%s) says so and to percent-encode the password', (url) => {
    const err = failure(url)
    expect(err).toMatchObject({ code: 'ERR_LEDGER' })
    expect(err.message).toMatch(/URL is not valid/)
    expect(err.message).toMatch(/Percent-encode/)
    expect(err.message).not.toMatch(/localhost|5432 failed|s3cr|rerun/)
  })

  it('a read-only run (stats, export) does not speak of committed chunks and resuming', () => {
    let err: Error | undefined
    try {
      new PostgresLedger('postgres://hcert@127.0.0.1:1/db', { readOnly: true }).close()
    } catch (e) {
      err = e as Error
    }
    expect(err).toMatchObject({ code: 'ERR_LEDGER' })
    expect(err?.message).toMatch(/cannot reach/)
    expect(err?.message).not.toMatch(/rerun|earlier chunks/)
  })

  it.skipIf(!PG_AVAILABLE)('no password given: says to set PGPASSWORD or ~/.pgpass', () => {
    const saved = { pw: process.env.PGPASSWORD, file: process.env.PGPASSFILE }
    delete process.env.PGPASSWORD
    process.env.PGPASSFILE = '/nonexistent/pgpass'
    try {
      const url = new URL(PG_URL)
      url.password = ''
      const err = failure(url.toString())
      expect(err).toMatchObject({ code: 'ERR_LEDGER' })
      expect(err.message).toMatch(/none was given.*PGPASSWORD.*pgpass.*0644/)
    } finally {
      if (saved.pw === undefined) delete process.env.PGPASSWORD
      else process.env.PGPASSWORD = saved.pw
      if (saved.file === undefined) delete process.env.PGPASSFILE
      else process.env.PGPASSFILE = saved.file
    }
  })
})

describe.skipIf(!PG_AVAILABLE)('PostgreSQL ledger errors (server)', () => {
  it('issue into a database holding a foreign certificates table: it holds no hcert ledger', () => {
    const url = freshPgUrl('foreign')
    const client = new SyncPgClient({ connectionString: url }, 30_000)
    client.connect()
    client.query('CREATE TABLE certificates (id BIGINT PRIMARY KEY, owner TEXT)')
    client.close()
    let err: Error | undefined
    try {
      const ledger = new PostgresLedger(url, { create: true })
      try {
        ledger.stats({ at: new Date('2022-01-01T00:00:00Z') } as never)
      } finally {
        ledger.close()
      }
    } catch (e) {
      err = e as Error
    }
    expect(err).toMatchObject({ code: 'ERR_LEDGER' })
    expect(err?.message).toMatch(/holds no hcert ledger/)
  })
})
