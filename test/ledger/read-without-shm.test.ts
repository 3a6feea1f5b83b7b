/**
 * withoutSharedMemory: the fallback of a read-only open when SQLite cannot make its -shm file (a full
 * disk, a file size limit). It reads the ledger only when SQLite's exclusive lock proves nobody else
 * has it open, and then removes the -shm the failed open left; while another connection has the
 * ledger open, it gives up with the first failure and leaves every file beside the ledger.
 */
import { existsSync, mkdtempSync, readdirSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import Database from 'better-sqlite3'
import { describe, expect, it } from 'vitest'
import { withoutSharedMemory } from '../../src/ledger/ledger-file.js'

const tmp = mkdtempSync(join(tmpdir(), 'hcert-no-shm-'))
let n = 0

/** a WAL database of one table and two rows, closed (no -wal/-shm), then the leftovers of a failed open */
function walDatabase(): string {
  const path = join(tmp, `db-${++n}.sqlite`)
  const db = new Database(path)
  db.pragma('journal_mode = WAL')
  db.exec('CREATE TABLE t (x); INSERT INTO t VALUES (1), (2)')
  db.close()
  return path
}

const beside = (path: string): string[] =>
  readdirSync(tmp)
    .filter((f) => f.startsWith(`${path.slice(tmp.length + 1)}-`))
    .sort()

describe('reading a ledger without a -shm file', () => {
  it('nobody else has it open: read, and the -wal/-shm a failed open left are gone once closed', () => {
    const path = walDatabase()
    writeFileSync(`${path}-wal`, '')
    writeFileSync(`${path}-shm`, Buffer.alloc(3))
    const db = withoutSharedMemory(path, 1000, new Error('first failure'))
    expect(db.prepare('SELECT count(*) FROM t').pluck().get()).toBe(2)
    expect(existsSync(`${path}-shm`)).toBe(false)
    expect(() => db.exec('INSERT INTO t VALUES (3)')).toThrow(/readonly|query_only/i)
    db.close()
    expect(beside(path)).toEqual([])
  })

  it('another connection has it open: the first failure is thrown and its -wal/-shm are left', () => {
    const path = walDatabase()
    const other = new Database(path)
    try {
      other.prepare('SELECT count(*) FROM t').get()
      expect(beside(path).map((f) => f.replace(/.*-/, ''))).toEqual(['shm', 'wal'])
      const first = new Error('first failure')
      expect(() => withoutSharedMemory(path, 100, first)).toThrow(first)
      expect(beside(path).map((f) => f.replace(/.*-/, ''))).toEqual(['shm', 'wal'])
      expect(other.prepare('SELECT count(*) FROM t').pluck().get()).toBe(2)
    } finally {
      other.close()
    }
  })
})
