/**
 * What an ops user meets when the PostgreSQL server, its settings or the ledger's tables are not as
 * hcert needs them: each is ERR_LEDGER in words to act on (never a bare SQLSTATE), a failure before
 * any chunk says nothing was written, and a damaged ledger is found by every command on opening.
 * Against the real server of $HCERT_TEST_PG_URL where one is needed.
 */
import Database from 'better-sqlite3'
import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { Ledger } from '../../src/ledger/ledger.js'
import { openLedger } from '../../src/ledger/open.js'
import { pgLedgerError } from '../../src/ledger/pg/pg-error.js'
import { connectTimeoutMs, PostgresLedger } from '../../src/ledger/pg/postgres-ledger.js'
import { SyncPgClient } from '../../src/ledger/pg/sync-client.js'
import { runCli } from '../helpers/cli.js'
import { freshPgUrl, PG_AVAILABLE, requirePgInCi } from '../helpers/pg.js'
import { failure } from '../helpers/failure.js'

requirePgInCi()

const withParams = (url: string, params: string): string => `${url}${url.includes('?') ? '&' : '?'}${params}`

function psql(url: string, statement: string): void {
  const client = new SyncPgClient({ connectionString: url }, 30_000)
  client.connect()
  try {
    client.query(statement)
  } finally {
    client.close()
  }
}

describe('server errors in words an ops user can act on', () => {
  const at = 'postgres://hcert@db.example/hcert'
  it.each([
    ['28000', 'role "x" is not permitted to log in', /refused the login.*user and password/],
    ['3D000', 'database "x" does not exist', /database does not exist.*createdb/],
    ['42501', 'permission denied for table certificates', /permission denied.*CREATE on the database.*GRANT/],
    ['25006', 'cannot execute INSERT in a read-only transaction', /accepts only reads.*standby.*primary/],
    ['3F000', 'no schema has been selected to create in', /search_path.*options=-c search_path/],
    [
      '22023',
      'invalid value for parameter "lock_timeout": "Secret-Value"',
      /refused the value of the setting lock_timeout/,
    ],
    ['53300', 'sorry, too many clients already', /no connection free.*max_connections/],
    ['53100', 'could not extend file', /no disk space left/],
    [
      '57P01',
      'terminating connection due to administrator command',
      /shutting down.*Run the same command again once the server is back up/,
    ],
    ['57P03', 'the database system is starting up', /starting up, shutting down or in recovery/],
    ['08006', 'connection failure', /connection to the server at .* broke off/],
  ])('%s', (code, text, words) => {
    const err = pgLedgerError(Object.assign(new Error(text), { code }), at, 'db.example:5432')
    expect(err.code).toBe('ERR_LEDGER')
    expect(err.message).toMatch(words)
    expect(err.message).not.toMatch(/failed \(SQLSTATE/)
    // a value the server quotes is never shown (class 22: it may be data)
    expect(err.message).not.toContain('Secret-Value')
  })

  it('a failure before any chunk says nothing was written, not that a rerun resumes (both engines)', () => {
    const refused = failure(() => new PostgresLedger('postgres://hcert@127.0.0.1:1/db', { create: true }))
    expect(refused.message).toMatch(/cannot reach.*committed nothing to the ledger/)
    expect(refused.message).not.toMatch(/earlier chunks|resumes/)
    // SQLite: the ledger kept locked by another connection past the busy timeout, at the first
    // chunk (nothing committed yet), then at a later one (an earlier chunk is kept)
    const path = join(mkdtempSync(join(tmpdir(), 'hcert-nothing-')), 'ledger.sqlite')
    const ledger = new Ledger(path, { busyTimeoutMs: 50 })
    const holder = new Database(path)
    const chunk = (line: number) => [
      { idempotencyKey: `id:row-${String(line)}`, batch: 'b', line, field: 'fn', reason: 'is missing' },
    ]
    try {
      holder.exec('BEGIN EXCLUSIVE')
      const first = failure(() => ledger.record([], chunk(1), new Date()))
      expect(first.message).toMatch(/is busy.*committed nothing to the ledger/)
      expect(first.message).not.toMatch(/earlier chunks|resumes/)
      holder.exec('ROLLBACK')
      ledger.record([], chunk(2), new Date())
      holder.exec('BEGIN EXCLUSIVE')
      const later = failure(() => ledger.record([], chunk(3), new Date()))
      // with the count of certificates this run committed (none: its chunks held rejections only)
      expect(later.message).toMatch(/what earlier chunks committed is kept \(0 certificates by this run\)/)
      holder.exec('ROLLBACK')
    } finally {
      holder.close()
      ledger.close()
    }
  })
})

describe('URL and environment settings refused before connecting', () => {
  it.each(['postgres://hcert@127.0.0.1:0/db', 'postgres://hcert@127.0.0.1/db?port=0'])(
    '%s: the port is not valid (1-65535), not "cannot reach … :0"',
    (url) => {
      const err = failure(() => new PostgresLedger(url, { create: true }))
      expect(err.code).toBe('ERR_LEDGER')
      expect(err.message).toMatch(/URL is not valid: its port must be a number from 1 to 65535/)
      expect(err.message).not.toMatch(/cannot reach/)
    },
  )

  it.each(['abc', '-5', '1.5', '10s'])('PGCONNECT_TIMEOUT=%s is ERR_USAGE, as libpq refuses it', (value) => {
    const err = failure(() => connectTimeoutMs({ PGCONNECT_TIMEOUT: value }))
    expect(err.code).toBe('ERR_USAGE')
    expect(err.message).toMatch(/PGCONNECT_TIMEOUT is .*: it must be a whole number of seconds/)
  })
})

describe.skipIf(!PG_AVAILABLE)('session settings that forbid the work, found on opening', () => {
  it('a read-only session (default_transaction_read_only): issue is refused up front; stats still reads', () => {
    const url = freshPgUrl('read_only')
    new PostgresLedger(url, { create: true }).close()
    const readOnly = withParams(url, 'options=-c%20default_transaction_read_only%3Don')
    const err = failure(() => new PostgresLedger(readOnly, { create: true }))
    expect(err.code).toBe('ERR_LEDGER')
    expect(err.message).toMatch(/read only \(default_transaction_read_only is on.*nothing was written/)
    expect(err.message).not.toMatch(/SQLSTATE|25006/)
    new PostgresLedger(readOnly, { readOnly: true }).close()
  })

  it('a search_path naming no schema: says so, not "another application\'s tables" nor 3F000', () => {
    const url = freshPgUrl('search_path')
    new PostgresLedger(url, { create: true }).close()
    const bad = withParams(url, 'options=-c%20search_path%3Dnosuch')
    for (const options of [{ create: true }, { readOnly: true }]) {
      const err = failure(() => new PostgresLedger(bad, options))
      expect(err.code).toBe('ERR_LEDGER')
      expect(err.message).toMatch(/search_path on .* \(nosuch\) names no schema that exists/)
      expect(err.message).not.toMatch(/another application|SQLSTATE/)
    }
  })

  it("a bad setting in the URL's options (22023) names the setting", () => {
    const err = failure(
      () =>
        new PostgresLedger(withParams(freshPgUrl('bad_option'), 'options=-c%20lock_timeout%3Dabc'), {
          create: true,
        }),
    )
    expect(err.message).toMatch(/refused the value of the setting lock_timeout \(22023\)/)
  })
})

describe.skipIf(!PG_AVAILABLE)('a damaged PostgreSQL ledger is found by every command on opening', () => {
  it.each([
    ['DROP TABLE validity_counts', /its validity_counts table is missing/],
    ['ALTER TABLE rejections DROP COLUMN holder', /its rejections table lacks the column holder/],
  ])('after %s', (statement, what) => {
    const url = freshPgUrl('damaged')
    new PostgresLedger(url, { create: true }).close()
    psql(url, statement)
    // stats and export (read only), renew (writes), issue (creates), a dry run
    for (const options of [
      { create: false, readOnly: true },
      { create: false },
      { create: true },
      { create: false, readOnly: true, absentAsEmpty: true },
    ]) {
      const err = failure(() => openLedger(url, options).close())
      expect(err.code).toBe('ERR_LEDGER')
      expect(err.message).toMatch(/is damaged or not complete/)
      expect(err.message).toMatch(what)
    }
  })

  it('export --all exits 2 on it (it used to export and exit 0)', () => {
    const url = freshPgUrl('damaged_cli')
    new PostgresLedger(url, { create: true }).close()
    psql(url, 'DROP TABLE validity_counts')
    const r = runCli(['export', '--all', '--ledger', url, '--json'])
    expect(r.code).toBe(2)
    expect(r.stdout).toContain('"code": "ERR_LEDGER"')
    expect(r.stdout).toMatch(/damaged or not complete/)
  })
})
