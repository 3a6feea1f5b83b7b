/**
 * Round 8 of testers: a PostgreSQL URL the server cannot take as it is is refused before connecting
 * (ERR_LEDGER), as other malformed URLs are, naming the part and never its value or the password:
 * a percent-encoded NUL (or another control character) in the user, password, database name or a
 * parameter (the server broke the connection off: 08P01, "Run again"), and libpq's list of hosts
 * (`host1,host2`, which pg took for one host name: ENOTFOUND).
 */
import { describe, expect, it } from 'vitest'
import { PostgresLedger } from '../../src/ledger/pg/postgres-ledger.js'
import { badUrlParts, unreadService } from '../../src/ledger/pg/url.js'
import { failure } from '../helpers/failure.js'

// port 1: nothing listens there, so a URL that got as far as connecting says "cannot reach"
const refused = (url: string) => failure(() => new PostgresLedger(url, { create: true }).close())

describe('URL parts refused before connecting', () => {
  it.each([
    ['postgres://hcert:s3cret@127.0.0.1:1/hcert%00test', 'the database name'],
    ['postgres://hc%00ert:s3cret@127.0.0.1:1/hcert_test', 'the user'],
    ['postgres://hcert:s3%00cret@127.0.0.1:1/hcert_test', 'the password'],
    ['postgres://hcert:s3cret@127.0.0.1:1/hcert%0Atest', 'the database name'],
    ['postgres://hcert:s3cret@127.0.0.1:1/hcert_test?user=a%09b', 'the parameter user'],
    ['postgres://hcert:s3cret@127.0.0.1:1/hcert_test?options=-c%20a%3D%01', 'the parameter options'],
  ])('%s: %s holds a control character', (url, part) => {
    const err = refused(url)
    expect(err.code).toBe('ERR_LEDGER')
    expect(err.message).toContain(`the URL is not valid: ${part} holds a control character`)
    expect(err.message).not.toMatch(/cannot reach|broke off|s3cret|s3/)
  })

  it.each([
    'postgres://hcert:s3cret@127.0.0.1,127.0.0.2/db',
    'postgres://hcert:s3cret@127.0.0.1:5432,127.0.0.2:5433/db',
    'postgres://hcert:s3cret@127.0.0.1:1/db?host=a,b',
  ])('%s: a list of hosts is not supported: give one', (url) => {
    const err = refused(url)
    expect(err.code).toBe('ERR_LEDGER')
    expect(err.message).toMatch(
      /a list of hosts \(host1,host2\), which hcert does not support: give one host/,
    )
    expect(err.message).not.toMatch(/cannot reach|ENOTFOUND|s3cret/)
  })

  it('a plain URL has no bad part', () => {
    expect(badUrlParts('postgres://hcert:s3cret@127.0.0.1:5432/hcert_test?sslmode=disable')).toBeUndefined()
    expect(badUrlParts('postgres://hcert@/hcert_test?host=/var/run/postgresql')).toBeUndefined()
    expect(badUrlParts('postgres://hcert@[::1]:5432/db')).toBeUndefined()
  })
})

describe('connection services (pg_service.conf), which hcert does not read (round 8)', () => {
  it('$PGSERVICE with a URL that leaves out the host or database: ERR_LEDGER before connecting', () => {
    const before = process.env.PGSERVICE
    process.env.PGSERVICE = 'prod'
    try {
      const err = refused('postgres://hcert:s3cret@/hcert_test')
      expect(err.code).toBe('ERR_LEDGER')
      expect(err.message).toMatch(
        /\$PGSERVICE is set, but hcert does not read connection services .* leaves out its host/,
      )
      expect(err.message).not.toContain('s3cret')
    } finally {
      if (before === undefined) delete process.env.PGSERVICE
      else process.env.PGSERVICE = before
    }
  })

  it('which parts a service would have given', () => {
    const env = { PGSERVICE: 'prod' }
    expect(unreadService('postgres://hcert@127.0.0.1:5432/db', env)).toBeUndefined()
    expect(unreadService('postgres://hcert@127.0.0.1:5432', env)).toMatch(/leaves out its database name/)
    expect(unreadService('postgres:///', env)).toMatch(/leaves out its host and database name/)
    expect(unreadService('postgres://hcert@/db?host=/var/run/postgresql', env)).toBeUndefined()
    expect(unreadService('postgres:///', {})).toBeUndefined()
    expect(unreadService('postgres://h/db?service=prod', {})).toMatch(
      /service parameter .* hcert does not read/,
    )
  })
})
