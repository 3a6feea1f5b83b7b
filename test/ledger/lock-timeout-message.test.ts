/**
 * A lock waited for past HCERT_LEDGER_TIMEOUT names the value in force (not the default when one
 * was set), and says "run again" once, on both engines. The PostgreSQL case runs against the real
 * server of $HCERT_TEST_PG_URL (skipped without one, failed in CI).
 */
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import Database from 'better-sqlite3'
import { afterAll, describe, expect, it } from 'vitest'
import { Ledger } from '../../src/ledger/ledger.js'
import { ledgerError, NOTHING_COMMITTED } from '../../src/ledger/ledger-error.js'
import { PostgresLedger } from '../../src/ledger/pg/postgres-ledger.js'
import { SyncPgClient } from '../../src/ledger/pg/sync-client.js'
import { withEnv } from '../helpers/env.js'
import { failure } from '../helpers/failure.js'
import { freshPgUrl, PG_AVAILABLE, requirePgInCi } from '../helpers/pg.js'

requirePgInCi()

const tmp = mkdtempSync(join(tmpdir(), 'hcert-lock-timeout-'))
afterAll(() => rmSync(tmp, { recursive: true, force: true }))

const count = (text: string, words: RegExp): number => text.match(words)?.length ?? 0

describe.skipIf(!PG_AVAILABLE)('a PostgreSQL lock waited for past HCERT_LEDGER_TIMEOUT', () => {
  it('names the value set (not the default), and says "run again" once', () => {
    const url = freshPgUrl('lock_timeout_words')
    new PostgresLedger(url, { create: true }).close()
    const other = new SyncPgClient({ connectionString: url }, 30_000)
    const ledger = withEnv({ HCERT_LEDGER_TIMEOUT: '200' }, () => new PostgresLedger(url))
    try {
      other.connect()
      other.query('BEGIN')
      other.query('LOCK TABLE certificates IN ACCESS EXCLUSIVE MODE')
      const err = withEnv({ HCERT_LEDGER_TIMEOUT: '200' }, () =>
        failure(() => ledger.run([{ text: 'SELECT count(*) FROM certificates' }])),
      )
      expect(err).toMatchObject({ code: 'ERR_LEDGER' })
      expect(err.message).toContain('waited longer than HCERT_LEDGER_TIMEOUT (200 ms) for a lock')
      expect(err.message).not.toContain('30000')
      expect(count(err.message, /\b(run|rerun)\b[^;.]*\bagain\b|\brerun\b/gi)).toBe(1)
    } finally {
      other.close()
      ledger.close()
    }
  })

  it('says "the default" only when HCERT_LEDGER_TIMEOUT is unset', () => {
    const url = freshPgUrl('lock_timeout_default')
    new PostgresLedger(url, { create: true }).close()
    // the default's words, without waiting 30 s: the message is built from the value in force
    const ledger = withEnv({ HCERT_LEDGER_TIMEOUT: undefined }, () => new PostgresLedger(url))
    try {
      const err = failure(() =>
        ledger.guard(() => {
          throw Object.assign(new Error('canceling statement due to lock timeout'), { code: '55P03' })
        }),
      )
      expect(err.message).toContain('HCERT_LEDGER_TIMEOUT (30000 ms, the default)')
    } finally {
      ledger.close()
    }
  })
})

describe('a busy SQLite ledger', () => {
  it('names the value set, and says "run again" once', () => {
    const file = join(tmp, 'busy.sqlite')
    new Ledger(file).close()
    const holder = new Database(file)
    holder.exec('BEGIN IMMEDIATE')
    try {
      const err = withEnv({ HCERT_LEDGER_TIMEOUT: '150' }, () =>
        failure(() => {
          const ledger = new Ledger(file)
          try {
            ledger.guard(() => ledger.database.exec('DELETE FROM certificates'))
          } finally {
            ledger.close()
          }
        }),
      )
      expect(err).toMatchObject({ code: 'ERR_LEDGER' })
      expect(err.message).toContain('HCERT_LEDGER_TIMEOUT (150 ms)')
      expect(count(err.message, /\b(run|rerun)\b[^;.]*\bagain\b|\brerun\b/gi)).toBe(1)
    } finally {
      holder.close()
    }
  })

  it('the message alone: "run again" once whatever the words on what was kept', () => {
    const busy = Object.assign(new Error('database is locked'), { code: 'SQLITE_BUSY' })
    for (const after of [NOTHING_COMMITTED, 'nothing was written']) {
      const text = withEnv(
        { HCERT_LEDGER_TIMEOUT: undefined },
        () => ledgerError(busy, '/x.sqlite', 30_000, after).message,
      )
      expect(text).toContain('HCERT_LEDGER_TIMEOUT (30000 ms, the default)')
      expect(count(text, /\b(run|rerun)\b[^;.]*\bagain\b|\brerun\b/gi)).toBe(1)
    }
  })
})
