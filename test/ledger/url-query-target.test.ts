/**
 * Round 9 of testers: messages name the server actually tried. The URL's query `host=` and `port=`
 * win over the address's, as libpq and pg-connection-string take them, so "cannot reach … at
 * host:port" names the query's values (the last given, when one is given twice).
 */
import { describe, expect, it } from 'vitest'
import { PostgresLedger } from '../../src/ledger/pg/postgres-ledger.js'
import { targetOf } from '../../src/ledger/pg/url.js'
import { runCli } from '../helpers/cli.js'
import { failure } from '../helpers/failure.js'

describe('the server named is the one tried', () => {
  it.each([
    ['postgres://hcert@127.0.0.1:5432/db?port=5999', '127.0.0.1:5999'],
    ['postgres://hcert@127.0.0.1:5432/db?port=5998&port=5999', '127.0.0.1:5999'],
    ['postgres://hcert@127.0.0.1:5432/db?port=', '127.0.0.1:5432'],
    ['postgres://hcert@127.0.0.1:5432/db?host=db.example.invalid', 'db.example.invalid:5432'],
    ['postgres://hcert@127.0.0.1:5432/db?host=/tmp/pgsock', '/tmp/pgsock/.s.PGSQL.5432'],
    ['postgres://hcert@127.0.0.1/db?host=db.example.invalid&port=6000', 'db.example.invalid:6000'],
  ])('%s goes to %s', (url, target) => {
    expect(targetOf(url, {})).toBe(target)
  })

  it.each([
    ['postgres://hcert@127.0.0.1:5432/db?port=5999', 'at 127.0.0.1:5999 (ECONNREFUSED)'],
    ['postgres://hcert@127.0.0.1:1/db?host=db.example.invalid', 'at db.example.invalid:1 (ENOTFOUND'],
  ])('%s: the failure names %s', (url, words) => {
    const err = failure(() => new PostgresLedger(url, { readOnly: true }).close())
    expect(err.code).toBe('ERR_LEDGER')
    expect(err.message).toContain(`cannot reach the PostgreSQL server ${words}`)
  })

  it('hcert stats names the query port it tried, not the address port', () => {
    const r = runCli(['stats', '--ledger', 'postgres://hcert@127.0.0.1:5432/db?port=5999', '--json'], {
      timeout: 60_000,
    })
    expect(r.code).toBe(2)
    const message = JSON.parse(r.stdout).error.message as string
    expect(message).toContain('at 127.0.0.1:5999')
    expect(message).not.toContain('at 127.0.0.1:5432')
  })
})
