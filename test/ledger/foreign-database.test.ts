/** A SQLite file of another program is never taken over as a ledger: refused before anything changes it. */
import { chmodSync, mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import Database from 'better-sqlite3'
import { describe, expect, it } from 'vitest'
import { Ledger } from '../../src/ledger/ledger.js'

const tmp = mkdtempSync(join(tmpdir(), 'hcert-foreign-'))

function foreign(name: string, sql: string): string {
  const path = join(tmp, name)
  const db = new Database(path)
  db.exec(sql)
  db.close()
  chmodSync(path, 0o644)
  return path
}

describe('a SQLite file that is not an hcert ledger', () => {
  for (const [name, sql] of [
    [
      'own-tables.sqlite',
      'CREATE TABLE patients (id INTEGER PRIMARY KEY, name TEXT); INSERT INTO patients VALUES (1, null)',
    ],
    [
      'other-certificates.sqlite',
      'CREATE TABLE certificates (id INTEGER PRIMARY KEY, serial TEXT, pem TEXT)',
    ],
  ] as const) {
    it(`is refused with ERR_LEDGER, unchanged: ${name}`, () => {
      const path = foreign(name, sql)
      const before = readFileSync(path)
      let error: unknown
      try {
        new Ledger(path).close()
      } catch (e) {
        error = e
      }
      expect(error).toMatchObject({
        code: 'ERR_LEDGER',
        message: expect.stringMatching(/holds no hcert ledger/),
      })
      expect(readFileSync(path).equals(before)).toBe(true) // no WAL switch, no tables added
      expect(statSync(path).mode & 0o777).toBe(0o644) // no chmod
    })
  }
  it('an empty file or a new path still becomes a ledger', () => {
    const empty = join(tmp, 'empty.sqlite')
    writeFileSync(empty, '')
    new Ledger(empty).close()
    new Ledger(join(tmp, 'new.sqlite')).close()
    const db = new Database(empty, { readonly: true })
    expect(
      db.prepare(`SELECT count(*) FROM pragma_table_info('certificates')`).pluck().get(),
    ).toBeGreaterThan(0)
    db.close()
  })
})
