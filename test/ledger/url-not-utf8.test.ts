/**
 * Round 9 of testers: a URL part that is not UTF-8 once percent-decoded (`p%E9ss`, Latin-1's é;
 * `hc%FFert`; `db_%FF`; a stray `%`) is refused before connecting, naming the part and never its
 * value; a system error on the way to the server (a file given as the socket folder: ENOTDIR) is
 * named as a system error, with advice, not as a SQLSTATE.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { PostgresLedger } from '../../src/ledger/pg/postgres-ledger.js'
import { failure } from '../helpers/failure.js'

const tmp = mkdtempSync(join(tmpdir(), 'hcert-url-utf8-'))
afterAll(() => rmSync(tmp, { recursive: true, force: true }))

// port 1: nothing listens there, so a URL that got as far as connecting says "cannot reach"
const refused = (url: string) => failure(() => new PostgresLedger(url, { create: true }).close())

describe('URL parts that are not percent-encoded UTF-8', () => {
  it.each([
    ['postgres://hcert:p%E9ss@127.0.0.1:1/hcert_test', 'the password', 'p%E9ss'],
    ['postgres://hc%FFert:x@127.0.0.1:1/hcert_test', 'the user', 'hc%FFert'],
    ['postgres://hcert:x@127.0.0.1:1/db_%FF', 'the database name', 'db_%FF'],
    ['postgres://hcert:x@127.0.0.1:1/db_%', 'the database name', 'db_%'],
    ['postgres://hcert:x@127.0.0.1:1/db?application_name=a%E9b', 'the parameter application_name', 'a%E9b'],
  ])('%s: %s is refused before connecting', (url, part, value) => {
    const err = refused(url)
    expect(err.code).toBe('ERR_LEDGER')
    expect(err.message).toContain(
      `the URL is not valid: ${part} is not valid: it must be percent-encoded UTF-8`,
    )
    expect(err.message).not.toMatch(/SQLSTATE|cannot reach/)
    expect(err.message).not.toContain(value)
  })

  it('UTF-8 percent-encoded parts go on to connect (é as %C3%A9)', () => {
    const err = refused('postgres://hcert:p%C3%A9ss@127.0.0.1:1/db_%C3%A9')
    expect(err.message).toContain('cannot reach the PostgreSQL server at 127.0.0.1:1')
  })
})

describe('system errors on the way to the server', () => {
  it('a file given as the socket folder is a system error (ENOTDIR), with advice', () => {
    const file = join(tmp, 'not-a-folder')
    writeFileSync(file, '')
    const err = refused(`postgres://hcert@localhost/db?host=${encodeURIComponent(file)}`)
    expect(err.code).toBe('ERR_LEDGER')
    expect(err.message).toContain('system error ENOTDIR')
    expect(err.message).toContain('the socket folder is not a folder')
    expect(err.message).not.toContain('SQLSTATE')
  })
})
