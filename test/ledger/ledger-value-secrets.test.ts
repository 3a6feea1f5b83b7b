/**
 * Whatever the ledger value, no message and no --json shows a password from it: a postgres URL is
 * shown rebuilt from its parts that hold none, a URL hcert cannot read is not shown at all, and
 * what the server quotes of the user or database it was given is masked when it is no plain name.
 * With the settings hcert refuses or words before or while connecting: connect_timeout in the URL,
 * HCERT_LEDGER_TIMEOUT, PGOPTIONS, PGPASSFILE, and a session the server ends mid-run.
 */
import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { Ledger } from '../../src/ledger/ledger.js'
import { envMilliseconds } from '../../src/ledger/env-number.js'
import { redactLedgerSpec } from '../../src/ledger/ledger-spec.js'
import { pgLedgerError } from '../../src/ledger/pg/pg-error.js'
import { connectTimeoutMs, PostgresLedger } from '../../src/ledger/pg/postgres-ledger.js'
import { SyncPgClient } from '../../src/ledger/pg/sync-client.js'
import { redactUrl } from '../../src/ledger/pg/url.js'
import { runCli } from '../helpers/cli.js'
import { withEnv } from '../helpers/env.js'
import { freshPgUrl, PG_AVAILABLE, PG_URL, requirePgInCi } from '../helpers/pg.js'
import { failure } from '../helpers/failure.js'

requirePgInCi()

const SECRET = 'Sup3rS3cret'

/** a SQLite ledger for ledger copy to copy from (so that the copy reaches its URL) */
const SOURCE = join(mkdtempSync(join(tmpdir(), 'hcert-secrets-')), 'ledger.sqlite')
new Ledger(SOURCE).close()

/** ledger values with a password typed in every wrong place */
const MALFORMED = [
  `postgres://hcert:${SECRET}/db`, // no @: the password reads as a port
  `postgres:///hcert:${SECRET}@127.0.0.1/db`, // three slashes: the password in the database name
  `postgres://hcert@127.0.0.1:1/db?password=${SECRET}`,
  `postgres://hcert@127.0.0.1:1/db?passwd=${SECRET}`,
  `postgres://hcert@127.0.0.1:1/db?PASSWORD=${SECRET}&sslmode=disable`,
  `postgres://127.0.0.1:1/db?user=hcert:${SECRET}`,
  `postgres://hcert:${SECRET}@127.0.0.1:99999/db`,
  `postgres://hcert:${SECRET}@[::1/db`,
  `postgresql://hcert:pa/${SECRET}@127.0.0.1:1/db`, // a / in the password, not encoded
  `postgres://hcert:${SECRET}@127.0.0.1:1/db#${SECRET}`,
]

describe('what is shown of a ledger value', () => {
  it.each(MALFORMED)('%s: no password in what messages show', (spec) => {
    expect(redactUrl(spec)).not.toContain(SECRET)
    expect(redactLedgerSpec(spec)).not.toContain(SECRET)
  })

  it('a readable URL keeps what helps: scheme, user, host, port, database, harmless parameters', () => {
    expect(
      redactUrl(`postgres://hcert:${SECRET}@db.example:5433/hcert?sslmode=require&passwd=${SECRET}`),
    ).toBe('postgres://hcert@db.example:5433/hcert?sslmode=require&passwd=***')
    expect(redactUrl('postgres://hcert@/db?host=/var/run/postgresql')).toBe(
      'postgres://hcert@/db?host=/var/run/postgresql',
    )
    expect(redactUrl(`postgres://hcert:${SECRET}/db`)).toMatch(/^postgres:\/\/… \(not shown/)
  })

  it('mistyped server addresses: a password after a scheme is masked, with or without an @', () => {
    expect(redactLedgerSpec(`pg://hcert:${SECRET}/db`)).toBe('pg://hcert:***/db')
    expect(redactLedgerSpec('pg://db.example:5432/hcert')).toBe('pg://db.example:5432/hcert')
    expect(redactLedgerSpec(`pg://u:x@h/db?passwd=${SECRET}`)).toBe('pg://u:***@h/db?passwd=***')
  })

  it('what the server quotes of the user or database it was given is masked unless a plain name', () => {
    const err = pgLedgerError(
      Object.assign(new Error(`password authentication failed for user "hcert:${SECRET}"`), {
        code: '28P01',
      }),
      'postgres://127.0.0.1/db?user=***',
      '127.0.0.1:5432',
    )
    expect(err.message).not.toContain(SECRET)
    expect(err.message).toContain('for user "…"')
    const plain = pgLedgerError(
      Object.assign(new Error('password authentication failed for user "hcert"'), { code: '28P01' }),
      'postgres://hcert@127.0.0.1/db',
      '127.0.0.1:5432',
    )
    expect(plain.message).toContain('for user "hcert"')
  })

  it.each([0, 1, 3, 5].map((i) => MALFORMED[i] as string))(
    'the CLI (stats --json, ledger copy --json) never shows it: %s',
    (spec) => {
      for (const args of [
        ['stats', '--json', '--ledger', spec],
        ['ledger', 'copy', SOURCE, spec, '--json'],
      ]) {
        const r = runCli(args, { env: { PGCONNECT_TIMEOUT: '2' }, timeout: 60_000 })
        expect(r.code).toBe(2)
        expect(r.stdout + r.stderr).not.toContain(SECRET)
        expect(r.stdout + r.stderr).not.toMatch(/ERR_INTERNAL|at .*\.js:\d+/)
        // ledger copy's advice names its own arguments, not a --ledger it does not have
        if (args[0] === 'ledger') expect(r.stdout + r.stderr).not.toContain('--ledger')
      }
    },
    120_000,
  )
})

describe('settings refused or worded before connecting', () => {
  it.each(['abc', '-1', '1.5'])(
    'connect_timeout=%s in the URL is ERR_USAGE, as libpq refuses it',
    (value) => {
      const err = failure(() =>
        connectTimeoutMs({}, `postgres://hcert:${SECRET}@127.0.0.1/db?connect_timeout=${value}`),
      )
      expect(err.code).toBe('ERR_USAGE')
      expect(err.message).toMatch(/the URL's connect_timeout is .*: it must be a whole number of seconds/)
      expect(err.message).not.toContain(SECRET)
      // the URL's own wins over $PGCONNECT_TIMEOUT, as in libpq
      expect(connectTimeoutMs({ PGCONNECT_TIMEOUT: 'abc' }, 'postgres://h/db?connect_timeout=5')).toBe(5000)
    },
  )

  it('HCERT_LEDGER_TIMEOUT=abc says the variable is not a number, not shown; a number is quoted', () => {
    const words = failure(() =>
      envMilliseconds('HCERT_LEDGER_TIMEOUT', 30_000, { HCERT_LEDGER_TIMEOUT: SECRET }),
    )
    expect(words.code).toBe('ERR_USAGE')
    expect(words.message).toMatch(/^\$HCERT_LEDGER_TIMEOUT is not a number \(its value is not shown\)/)
    expect(words.message).not.toContain(SECRET)
    const zero = failure(() => envMilliseconds('HCERT_LEDGER_TIMEOUT', 30_000, { HCERT_LEDGER_TIMEOUT: '0' }))
    expect(zero.message).toMatch(/^\$HCERT_LEDGER_TIMEOUT is 0: it must be/)
  })
})

describe.skipIf(!PG_AVAILABLE)('the server: settings it refuses, a session it ends', () => {
  it('PGOPTIONS setting an unknown setting: says so, naming PGOPTIONS and the setting', () => {
    const err = withEnv({ PGOPTIONS: '-c nosuch_setting=1' }, () =>
      failure(() => new PostgresLedger(PG_URL, { readOnly: true }).close()),
    )
    expect(err.code).toBe('ERR_LEDGER')
    expect(err.message).toMatch(/does not know the setting nosuch_setting \(42704.*which \$PGOPTIONS sets/)
  })

  it('PGPASSFILE naming a file that does not exist: says so', () => {
    const noPassword = new URL(PG_URL)
    noPassword.password = ''
    const err = withEnv({ PGPASSWORD: undefined, PGPASSFILE: '/nonexistent/hcert-pgpass' }, () =>
      failure(() => new PostgresLedger(noPassword.toString(), { readOnly: true }).close()),
    )
    expect(err.code).toBe('ERR_LEDGER')
    expect(err.message).toContain('$PGPASSFILE names /nonexistent/hcert-pgpass, which does not exist')
  })

  it('a session ended from another (pg_terminate_backend) mid-run: worded, ERR_LEDGER, never SQLSTATE UNKNOWN', () => {
    const spec = freshPgUrl('terminated')
    const ledger = new PostgresLedger(spec, { create: true })
    try {
      const admin = new SyncPgClient({ connectionString: spec }, 30_000)
      admin.connect()
      try {
        admin.query(
          `SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()`,
        )
      } finally {
        admin.close()
      }
      const chunk = [{ idempotencyKey: 'id:A', batch: 'b', line: 2, field: 'dob', reason: 'is missing' }]
      for (let i = 0; i < 2; i++) {
        const err = failure(() => ledger.record([], chunk, new Date()))
        expect(err.code).toBe('ERR_LEDGER')
        expect(err.message).toMatch(/closed this run's connection/)
        expect(err.message).toMatch(/chunk in flight was rolled back/)
        expect(err.message).toMatch(/committed nothing to the ledger/)
        expect(err.message).not.toMatch(/SQLSTATE|UNKNOWN|EPIPE/)
      }
    } finally {
      ledger.close()
    }
  })
})
