/**
 * What `hcert ledger copy` and the PostgreSQL connection say when what they are given is not what
 * they need: a source that is not a ledger (a text file, another program's SQLite database, an
 * empty one, a missing file, a folder), an sslmode libpq does not know, a failed copy (one
 * transaction: nothing to resume, run it again); and a password read from ~/.pgpass leaves stderr
 * clean (pg's own .pgpass path prints a DeprecationWarning).
 */
import { spawnSync } from 'node:child_process'
import { chmodSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import Database from 'better-sqlite3'
import { describe, expect, it } from 'vitest'
import { COPY_AFTER_FAILURE } from '../../src/services/ledger-copy.js'
import { pgLedgerError } from '../../src/ledger/pg/pg-error.js'
import { PostgresLedger } from '../../src/ledger/pg/postgres-ledger.js'
import { BIN, runCli } from '../helpers/cli.js'
import { freshPgUrl, PG_AVAILABLE, PG_URL, requirePgInCi } from '../helpers/pg.js'

requirePgInCi()
const tmp = mkdtempSync(join(tmpdir(), 'hcert-copy-msg-'))
const GIVE = 'give the SQLite ledger file to copy from'

describe('ledger copy: a source that is not a ledger', () => {
  const text = join(tmp, 'notes.txt')
  writeFileSync(text, 'not a ledger\n')
  const foreign = join(tmp, 'other.db')
  const db = new Database(foreign)
  db.exec('CREATE TABLE t (a)')
  db.close()
  const empty = join(tmp, 'empty.db')
  new Database(empty).close()
  const folder = join(tmp, 'folder')
  mkdirSync(folder)
  // the target is never reached: the source is looked at first (a server that is not there)
  const to = 'postgres://hcert@127.0.0.1:1/none'

  it.each([
    { name: 'a text file', from: text, says: 'is not a SQLite database (an hcert ledger is one)' },
    {
      name: 'another program’s SQLite database',
      from: foreign,
      says: 'is a SQLite database of another program (no hcert certificates table), not an hcert ledger',
    },
    {
      name: 'an empty SQLite database',
      from: empty,
      says: 'is an empty SQLite database, not an hcert ledger',
    },
    { name: 'a missing file', from: join(tmp, 'missing.sqlite'), says: 'does not exist' },
    { name: 'a folder', from: folder, says: 'is a folder, not a ledger file' },
  ])('$name: ERR_LEDGER saying what the file is and what to give', ({ from, says }) => {
    const result = runCli(['ledger', 'copy', from, to])
    expect(result.code, result.stderr).toBe(2)
    expect(result.stderr).toContain(`[ERR_LEDGER] ledger copy: ${from} ${says}; ${GIVE}`)
    // nothing on damage, backups, --ledger or chunks: none of them is what happened
    expect(result.stderr).not.toMatch(/damaged|backup|--ledger another|chunk|disk/)
  })
})

describe('a failed copy says it is one transaction and to run it again', () => {
  it('the server failing mid-copy: nothing of the run is on the server; run the same copy again', () => {
    const error = pgLedgerError(
      { code: '57P01', message: 'terminating connection due to administrator command' },
      'postgres://hcert@db:5432/hcert',
      'db:5432',
      COPY_AFTER_FAILURE,
    )
    expect(error.message).toContain('the copy is one transaction, so nothing of this run is on the server')
    expect(error.message).toContain('run the same hcert ledger copy again')
    expect(error.message).not.toMatch(/chunk|resumes/)
  })
})

describe.skipIf(!PG_AVAILABLE)('PostgreSQL connection messages', () => {
  it('an sslmode libpq does not know: ERR_LEDGER naming the modes, not "the server does not accept SSL"', () => {
    const url = new URL(PG_URL)
    url.searchParams.set('sslmode', 'bogus')
    const result = runCli(['stats', '--ledger', url.toString()])
    expect(result.code, result.stderr).toBe(2)
    expect(result.stderr).toContain('the sslmode in the URL is not one libpq knows')
    expect(result.stderr).toContain('sslmode=disable, allow, prefer, require, verify-ca or verify-full')
    expect(result.stderr).not.toContain('does not accept SSL')
    expect(result.stderr).not.toContain(`:${url.password}@`)
  })

  it('a password from ~/.pgpass (mode 0600): connects, and stderr stays clean (no DeprecationWarning)', () => {
    const full = freshPgUrl('pgpass')
    new PostgresLedger(full, { create: true }).close()
    const url = new URL(full)
    const home = mkdtempSync(join(tmpdir(), 'hcert-home-'))
    const pgpass = join(home, '.pgpass')
    writeFileSync(
      pgpass,
      `${url.hostname}:${url.port || 5432}:*:${decodeURIComponent(url.username)}:${decodeURIComponent(url.password)}\n`,
    )
    chmodSync(pgpass, 0o600)
    url.password = ''
    // neither PGPASSWORD nor PGPASSFILE: the password can only come from ~/.pgpass
    const env = Object.fromEntries(
      Object.entries(process.env).filter(([k]) => k !== 'PGPASSWORD' && k !== 'PGPASSFILE'),
    )
    const result = spawnSync(process.execPath, [BIN, 'stats', '--ledger', url.toString(), '--json'], {
      env: { ...env, HOME: home, NO_COLOR: '1' },
      encoding: 'utf8',
    })
    expect(result.stderr).toBe('')
    expect(result.status).toBe(0)
    expect(JSON.parse(result.stdout)).toMatchObject({ totals: { issued: 0 } })
  })
})
