import Database from 'better-sqlite3'
import { mkdtempSync, rmSync, statSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { BackgroundCheckpoint } from '../../src/ledger/background-checkpoint.js'
import { Ledger, type IssuedRow } from '../../src/ledger/ledger.js'

const tmp = mkdtempSync(join(tmpdir(), 'hcert-ledger-'))
afterAll(() => rmSync(tmp, { recursive: true, force: true }))

const rows = (from: number, count: number): IssuedRow[] =>
  Array.from({ length: count }, (_, k) => {
    const i = from + k
    return {
      idempotencyKey: `id:${i}`,
      uvci: `URN:UVCI:01:VN:TEST${i}`,
      type: 'v',
      country: 'VN',
      issuer: 'Ministry of Health',
      kid: 'kzlQn+5disA=',
      iat: 1640000000,
      exp: 1671536000,
      product: 'EU/1/20/1528',
      dose: 1,
      doses: 2,
      payload: JSON.stringify({ n: i, pad: 'x'.repeat(300) }),
      hc1: `HC1:${'A'.repeat(520)}${i}`,
      batch: 'test',
      line: i,
      holderEvent: `he${i}`,
      origin: 'issue',
      replaces: null,
      content: `c${i}`,
    }
  })

/** the certificates a closed ledger holds, read afresh */
function certificatesIn(path: string): number {
  const db = new Database(path, { readonly: true })
  const { n } = db.prepare('SELECT count(*) AS n FROM certificates').get() as { n: number }
  db.close()
  return n
}

describe('the ledger’s write-ahead log copied on a thread of its own', () => {
  it('after every N certificates, the rows reach the database file while the writer goes on', async () => {
    const path = join(tmp, 'bg.sqlite')
    const ledger = new Ledger(path)
    const checkpoint = new BackgroundCheckpoint(path)
    ledger.checkpointInBackground(checkpoint, 200)
    const empty = statSync(path).size
    ledger.record(rows(0, 100), [], new Date())
    // below the threshold: nothing asked, the rows are in the log only
    expect(await checkpoint.idle()).toBeUndefined()
    expect(statSync(path).size).toBe(empty)
    ledger.record(rows(100, 100), [], new Date())
    const result = await checkpoint.idle()
    expect(result?.log).toBeGreaterThan(0)
    expect(result?.checkpointed).toBe(result?.log)
    // the writer's own checkpoint (at 40 MB of log) never ran: the thread copied them
    expect(statSync(path).size).toBeGreaterThan(empty + 200 * 800)
    ledger.record(rows(200, 50), [], new Date())
    await checkpoint.close()
    ledger.close()
    expect(certificatesIn(path)).toBe(250)
  })

  it('a thread that cannot open the ledger gives up quietly; the writer keeps its own checkpoints', async () => {
    const path = join(tmp, 'fallback.sqlite')
    const ledger = new Ledger(path)
    const checkpoint = new BackgroundCheckpoint(join(tmp, 'missing', 'nowhere.sqlite'))
    ledger.checkpointInBackground(checkpoint, 10)
    ledger.record(rows(0, 20), [], new Date())
    expect(await checkpoint.idle()).toBeUndefined()
    ledger.record(rows(20, 20), [], new Date())
    await checkpoint.close()
    ledger.close()
    expect(certificatesIn(path)).toBe(40)
  })

  it('a new ledger has 16 KB pages; one made with 4 KB pages keeps them and still takes rows', () => {
    const fresh = new Ledger(join(tmp, 'pages.sqlite'))
    expect(fresh.database.pragma('page_size', { simple: true })).toBe(16384)
    fresh.close()
    const oldPath = join(tmp, 'old.sqlite')
    const old = new Database(oldPath)
    old.pragma('page_size = 4096')
    // written with its page size and no table: a database of another program is refused (schema.ts)
    old.exec('VACUUM')
    old.close()
    const reopened = new Ledger(oldPath)
    expect(reopened.database.pragma('page_size', { simple: true })).toBe(4096)
    expect(reopened.database.pragma('wal_autocheckpoint', { simple: true })).toBe(10240)
    reopened.record(rows(0, 3), [], new Date())
    expect(reopened.findByUvci('URN:UVCI:01:VN:TEST2')?.line).toBe(2)
    reopened.close()
  })
})
