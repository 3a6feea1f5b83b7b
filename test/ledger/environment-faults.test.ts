/**
 * The environment a ledger is opened in, checked before any file is touched or server reached:
 * HCERT_LEDGER_TIMEOUT and HCERT_LEDGER_LEASE (whole ms, 1..2147483647: ERR_USAGE, exit 2, on both
 * engines), $PGPORT and $PGSSLMODE (ERR_LEDGER naming them, as the URL's own port and sslmode
 * are), secrets in the URL never shown, a socket folder named as the socket, a ledger missing a
 * table called damaged (no "rerun resumes"), another application's database refused.
 */
import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { envMilliseconds } from '../../src/ledger/env-number.js'
import { pgLedgerError } from '../../src/ledger/pg/pg-error.js'
import { PostgresLedger } from '../../src/ledger/pg/postgres-ledger.js'
import { SyncPgClient } from '../../src/ledger/pg/sync-client.js'
import { redactUrl, targetOf } from '../../src/ledger/pg/url.js'
import { runCli } from '../helpers/cli.js'
import { freshPgUrl, PG_AVAILABLE, requirePgInCi } from '../helpers/pg.js'
import { withEnv } from '../helpers/env.js'

requirePgInCi()
const tmp = mkdtempSync(join(tmpdir(), 'hcert-env-faults-'))

const failure = (url: string): Error => {
  try {
    new PostgresLedger(url).close()
  } catch (err) {
    return err as Error
  }
  throw new Error('opened')
}

describe('numeric HCERT_* settings', () => {
  it.each(['3600000000', '1.5', 'abc', '-1', '0', '1e3', '2147483648'])(
    '%s is ERR_USAGE naming the variable and the range',
    (value) => {
      for (const name of ['HCERT_LEDGER_TIMEOUT', 'HCERT_LEDGER_LEASE']) {
        let err: unknown
        try {
          envMilliseconds(name, 1, { [name]: value })
        } catch (e) {
          err = e
        }
        expect(err).toMatchObject({ code: 'ERR_USAGE' })
        expect((err as Error).message).toContain(`$${name}`)
        expect((err as Error).message).toMatch(/from 1 to 2147483647/)
      }
    },
  )

  it('takes whole milliseconds up to 2147483647, and the default when unset or empty', () => {
    expect(envMilliseconds('X', 7, { X: '2147483647' })).toBe(2147483647)
    expect(envMilliseconds('X', 7, { X: ' 250 ' })).toBe(250)
    expect(envMilliseconds('X', 7, {})).toBe(7)
    expect(envMilliseconds('X', 7, { X: '' })).toBe(7)
  })

  it.each([
    ['HCERT_LEDGER_TIMEOUT', '3600000000'],
    ['HCERT_LEDGER_LEASE', '-1'],
  ])('the CLI exits 2 on %s=%s, on SQLite and on PostgreSQL, before connecting', (name, value) => {
    // port 1: nothing listens there, so a connection attempt would say "cannot reach"
    for (const ledger of [join(tmp, 'none.db'), 'postgres://hcert@127.0.0.1:1/none']) {
      const result = runCli(['stats', '--ledger', ledger], { env: { [name]: value } })
      expect(result.code).toBe(2)
      expect(result.stderr).toContain(`$${name}`)
      expect(result.stderr).toMatch(/1 to 2147483647/)
      expect(result.stderr).not.toMatch(/rerun|cannot reach|SQLSTATE|greater than/)
    }
  })
})

describe('PostgreSQL settings from the environment', () => {
  it.each(['abc', '70000', '0'])('PGPORT=%s is ERR_LEDGER naming $PGPORT and the range', (port) => {
    const err = withEnv({ PGPORT: port }, () => failure('postgres://hcert@127.0.0.1/none'))
    expect(err).toMatchObject({ code: 'ERR_LEDGER' })
    expect(err.message).toMatch(/\$PGPORT is not a port number \(1-65535\)/)
    expect(err.message).not.toMatch(/ERR_SOCKET_BAD_PORT|rerun/)
  })

  it('PGSSLMODE=bogus is refused naming $PGSSLMODE (pg would connect without SSL)', () => {
    const err = withEnv({ PGSSLMODE: 'bogus' }, () => failure('postgres://hcert@127.0.0.1:1/none'))
    expect(err).toMatchObject({ code: 'ERR_LEDGER' })
    expect(err.message).toMatch(/\$PGSSLMODE is not an sslmode libpq knows/)
    // the URL's own sslmode wins over $PGSSLMODE, as in libpq
    const url = withEnv({ PGSSLMODE: 'bogus' }, () =>
      failure('postgres://hcert@127.0.0.1:1/none?sslmode=disable'),
    )
    expect(url.message).toMatch(/cannot reach/)
  })

  it('a refusal of SSL says where SSL was asked for', () => {
    const refused = Object.assign(new Error('The server does not support SSL connections'), {})
    expect(pgLedgerError(refused, 'u', 'h:1', false, '$PGSSLMODE (require)').message).toMatch(
      /which \$PGSSLMODE \(require\) asks for/,
    )
    expect(pgLedgerError(refused, 'u', 'h:1', false, 'ssl=true in the URL').message).toMatch(
      /which ssl=true in the URL asks for/,
    )
  })

  it('sslpassword and password parameters are never shown', () => {
    const url = 'postgres://hcert:pw1@127.0.0.1:1/none?sslpassword=s3cret&password=pw2&sslmode=disable'
    expect(redactUrl(url)).not.toMatch(/s3cret|pw1|pw2/)
    expect(redactUrl('postgres://[::1/x?sslpassword=s3cret')).not.toMatch(/s3cret/)
    const err = failure(url)
    expect(err.message).not.toMatch(/s3cret|pw1|pw2/)
  })

  it('a socket folder in ?host= or $PGHOST is named as the socket, not localhost:5432', () => {
    expect(targetOf('postgres:///db?host=/var/run/postgresql', {})).toBe('/var/run/postgresql/.s.PGSQL.5432')
    expect(targetOf('postgres:///db', { PGHOST: '/tmp/', PGPORT: '6000' })).toBe('/tmp/.s.PGSQL.6000')
    const err = withEnv({ PGPORT: undefined, PGHOST: undefined }, () =>
      failure(`postgres://hcert@/none?host=${encodeURIComponent(join(tmp, 'no-server'))}`),
    )
    expect(err.message).toContain(`${join(tmp, 'no-server')}/.s.PGSQL.5432`)
    expect(err.message).not.toMatch(/localhost/)
  })
})

describe.skipIf(!PG_AVAILABLE)('PostgreSQL databases that are not (whole) ledgers', () => {
  it("another application's database (tables of its own) is refused, nothing added", () => {
    const url = freshPgUrl('foreign_app')
    const client = new SyncPgClient({ connectionString: url }, 30_000)
    client.connect()
    try {
      client.query('CREATE TABLE customers (id int PRIMARY KEY, name text)')
      let err: Error | undefined
      try {
        new PostgresLedger(url, { create: true }).close()
      } catch (e) {
        err = e as Error
      }
      expect(err).toMatchObject({ code: 'ERR_LEDGER' })
      expect(err?.message).toMatch(/holds no hcert ledger but 1 table\(s\) of its own/)
      expect(err?.message).toMatch(/empty database/)
      expect(err?.message).toContain(new URL(url).pathname.slice(1))
      const tables = client.query<{ n: string }>(
        `SELECT count(*)::text AS n FROM pg_tables WHERE schemaname = 'public'`,
      )
      expect(tables[0]?.n).toBe('1')
    } finally {
      client.close()
    }
  })

  it('an empty database becomes a ledger, and one hcert made opens again', () => {
    const url = freshPgUrl('empty_ok')
    new PostgresLedger(url, { create: true }).close()
    new PostgresLedger(url, { create: true }).close()
  })

  it('a ledger missing a table is called damaged: running again cannot help', () => {
    const url = freshPgUrl('damaged')
    new PostgresLedger(url, { create: true }).close()
    const client = new SyncPgClient({ connectionString: url }, 30_000)
    client.connect()
    client.query('DROP TABLE daily_counts')
    client.close()
    // found on opening now, by every command (pg-session-faults.test.ts), not only by a query that reads it
    let err: Error | undefined
    try {
      new PostgresLedger(url, { create: true }).close()
    } catch (e) {
      err = e as Error
    }
    expect(err).toMatchObject({ code: 'ERR_LEDGER' })
    expect(err?.message).toMatch(/damaged or not complete.*Running again cannot help/)
    expect(err?.message).not.toMatch(/resumes/)
  })
})
