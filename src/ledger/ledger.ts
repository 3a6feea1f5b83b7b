/**
 * The issuance ledger: every certificate issued and every record rejected, in SQLite. Writes happen
 * in transactions, so a run killed at any point leaves either whole chunks or nothing; the unique
 * idempotency key makes a rerun issue each input record exactly once.
 * The file is created readable by its owner only: it holds personal health data.
 */
import { secureLedgerFile } from './ledger-file.js'
import Database from 'better-sqlite3'
import { DccError } from '../errors.js'

export interface IssuedRow {
  idempotencyKey: string
  uvci: string
  type: string
  country: string
  issuer: string
  kid: string
  iat: number
  exp: number
  product: string | null
  dose: number | null
  doses: number | null
  payload: string
  hc1: string
  batch: string
  line: number | null
  /** hash of the holder (standardised names, date of birth) and the event (type, date, dose): see holderEventKey */
  holderEvent: string
  /** issue: signed from a record · renew: signed as a renewal · import: recorded so a renewal can point to it, not signed here */
  origin: 'issue' | 'renew' | 'import'
  replaces: number | null
}

export interface StoredCertificate extends IssuedRow {
  id: number
  supersededBy: number | null
  createdAt: number
}

export interface RejectionRow {
  idempotencyKey: string
  batch: string
  line: number
  field: string
  reason: string
}

const SCHEMA = `
CREATE TABLE IF NOT EXISTS certificates (
  id INTEGER PRIMARY KEY,
  idempotency_key TEXT NOT NULL UNIQUE,
  uvci TEXT NOT NULL UNIQUE,
  type TEXT NOT NULL,
  country TEXT NOT NULL,
  issuer TEXT NOT NULL,
  kid TEXT NOT NULL,
  iat INTEGER NOT NULL,
  exp INTEGER NOT NULL,
  product TEXT,
  dose INTEGER,
  doses INTEGER,
  payload TEXT NOT NULL,
  hc1 TEXT NOT NULL,
  batch TEXT NOT NULL,
  line INTEGER,
  holder_event TEXT NOT NULL,
  origin TEXT NOT NULL CHECK (origin IN ('issue', 'renew', 'import')),
  replaces INTEGER REFERENCES certificates(id),
  superseded_by INTEGER REFERENCES certificates(id),
  created_at INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS certificates_holder_event ON certificates(holder_event, iat);
-- renew's due selection and stats' validity totals read this index alone, never the payloads
CREATE INDEX IF NOT EXISTS certificates_validity ON certificates(exp, superseded_by, origin, iat);
-- stats' part-days at the edges of a range
CREATE INDEX IF NOT EXISTS certificates_iat ON certificates(iat);
-- certificates per UTC day of issuance and every breakdown stats shows, kept by Ledger.record in the
-- same transaction as the certificates (one upsert per distinct key and chunk: a per-row trigger cost
-- 27 µs a certificate), so that stats reads a few thousand rows instead of a million
CREATE TABLE IF NOT EXISTS daily_counts (
  day TEXT NOT NULL,
  origin TEXT NOT NULL,
  type TEXT NOT NULL,
  product TEXT NOT NULL,
  dose INTEGER NOT NULL,
  country TEXT NOT NULL,
  issuer TEXT NOT NULL,
  kid TEXT NOT NULL,
  count INTEGER NOT NULL,
  PRIMARY KEY (day, origin, type, product, dose, country, issuer, kid)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS rejections (
  id INTEGER PRIMARY KEY,
  idempotency_key TEXT NOT NULL,
  batch TEXT NOT NULL,
  line INTEGER NOT NULL,
  field TEXT NOT NULL,
  reason TEXT NOT NULL,
  created_at INTEGER NOT NULL,
  UNIQUE (idempotency_key, field, reason)
);
`

const COLUMNS = `id, idempotency_key AS idempotencyKey, uvci, type, country, issuer, kid, iat, exp, product, dose, doses,
  payload, hc1, batch, line, holder_event AS holderEvent, origin, replaces, superseded_by AS supersededBy, created_at AS createdAt`

export class Ledger {
  readonly path: string
  private readonly db: Database.Database
  private readonly findUvci: Database.Statement<[string], { id: number }>
  private readonly insertIssued: Database.Statement
  private readonly markSuperseded: Database.Statement
  private readonly addDaily: Database.Statement
  private readonly insertRejection: Database.Statement
  private checkpoint: { request(): void } | undefined
  private checkpointEvery = 0
  private rowsSinceCheckpoint = 0

  constructor(path: string) {
    this.path = path
    try {
      // created (or made) 0600 before SQLite opens it, never through a symbolic link
      if (path !== ':memory:') secureLedgerFile(path)
      this.db = new Database(path)
      // A new ledger gets 16 KB pages (SQLite's default is 4 KB; an existing ledger keeps its own): a
      // row is ~1.5 KB with its payload and HC1 text, and on 4 KB pages a 1,000-row transaction cost
      // 11.5 µs a row, on 16 KB pages 8–8.7 µs (measured alone, checkpoints aside).
      this.db.pragma('page_size = 16384')
      this.db.pragma('journal_mode = WAL')
      this.db.pragma('synchronous = NORMAL')
      // The indexes on idempotency keys (content hashes) and holder/event hashes take keys in random
      // order, so each chunk of 1,000 certificates touches pages all over them (generated UVCIs start
      // with the time, so theirs does not): a 16 MB page cache (default 2 MB) keeps those pages
      // from being read back for every chunk, and checkpoints every 40 MB of WAL (default 4 MB) write
      // each hot page once instead of once per chunk. Measured in README "Benchmarks".
      this.db.pragma('cache_size = -16384')
      const pageSize = this.db.pragma('page_size', { simple: true }) as number
      this.db.pragma(`wal_autocheckpoint = ${Math.round((40 * 1024 * 1024) / pageSize)}`)
      this.db.exec(SCHEMA)
    } catch (cause) {
      throw new DccError('ERR_LEDGER', `ledger: ${path} cannot be opened (${(cause as Error).message})`, {
        cause,
      })
    }
    this.findUvci = this.db.prepare('SELECT id FROM certificates WHERE uvci = ?')
    this.insertIssued = this.db
      .prepare(`INSERT INTO certificates (idempotency_key, uvci, type, country, issuer, kid,
      iat, exp, product, dose, doses, payload, hc1, batch, line, holder_event, origin, replaces, created_at)
      VALUES (${Array(19).fill('?').join(', ')})`)
    this.markSuperseded = this.db.prepare('UPDATE certificates SET superseded_by = ? WHERE id = ?')
    this.addDaily = this.db.prepare(`INSERT INTO daily_counts VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
      ON CONFLICT DO UPDATE SET count = count + excluded.count`)
    this.insertRejection = this.db
      .prepare(`INSERT OR IGNORE INTO rejections (idempotency_key, batch, line, field, reason, created_at)
      VALUES (@idempotencyKey, @batch, @line, @field, @reason, @createdAt)`)
  }

  /**
   * Leaves the copying of the write-ahead log to `checkpoint` (a BackgroundCheckpoint), asked after
   * every `everyRows` certificates: at ~1.5 KB of log a certificate, 10,000 is ~15 MB, well before
   * this connection's own checkpoint at 40 MB, which stays as the fallback.
   */
  checkpointInBackground(checkpoint: { request(): void }, everyRows = 10_000): void {
    this.checkpoint = checkpoint
    this.checkpointEvery = everyRows
  }

  /** The certificates already issued for any of these keys, in one query (a chunk at a time). */
  issuedForKeys(keys: readonly string[]): Map<string, StoredCertificate> {
    const found = new Map<string, StoredCertificate>()
    for (let i = 0; i < keys.length; i += 500) {
      const part = keys.slice(i, i + 500)
      const rows = this.db
        .prepare(
          `SELECT ${COLUMNS} FROM certificates WHERE idempotency_key IN (${part.map(() => '?').join(',')})`,
        )
        .all(...part) as StoredCertificate[]
      for (const row of rows) found.set(row.idempotencyKey, row)
    }
    return found
  }

  uvciTaken(uvci: string): boolean {
    return this.findUvci.get(uvci) !== undefined
  }

  /** One transaction for a whole chunk: all of it lands, or none of it. Returns the new row ids. */
  record(issued: readonly IssuedRow[], rejected: readonly RejectionRow[], now: Date): number[] {
    const createdAt = Math.floor(now.getTime() / 1000)
    const ids: number[] = []
    const daily = new Map<string, { values: unknown[]; count: number }>()
    this.db.transaction(() => {
      for (const row of issued) {
        const { lastInsertRowid } = this.insertIssued.run(
          row.idempotencyKey,
          row.uvci,
          row.type,
          row.country,
          row.issuer,
          row.kid,
          row.iat,
          row.exp,
          row.product,
          row.dose,
          row.doses,
          row.payload,
          row.hc1,
          row.batch,
          row.line,
          row.holderEvent,
          row.origin,
          row.replaces,
          createdAt,
        )
        ids.push(Number(lastInsertRowid))
        if (row.replaces !== null) this.markSuperseded.run(lastInsertRowid, row.replaces)
        const values = [
          new Date(row.iat * 1000).toISOString().slice(0, 10),
          row.origin,
          row.type,
          row.product ?? '',
          row.dose ?? 0,
          row.country,
          row.issuer,
          row.kid,
        ]
        const key = values.join('\u0000')
        const entry = daily.get(key)
        if (entry) entry.count++
        else daily.set(key, { values, count: 1 })
      }
      for (const { values, count } of daily.values()) this.addDaily.run(...values, count)
      for (const row of rejected) this.insertRejection.run({ ...row, createdAt })
    })()
    this.rowsSinceCheckpoint += issued.length
    if (this.checkpoint && this.rowsSinceCheckpoint >= this.checkpointEvery) {
      this.rowsSinceCheckpoint = 0
      this.checkpoint.request()
    }
    return ids
  }

  findByUvci(uvci: string): StoredCertificate | undefined {
    return this.db.prepare(`SELECT ${COLUMNS} FROM certificates WHERE uvci = ?`).get(uvci) as
      StoredCertificate | undefined
  }

  findById(id: number): StoredCertificate | undefined {
    return this.db.prepare(`SELECT ${COLUMNS} FROM certificates WHERE id = ?`).get(id) as
      StoredCertificate | undefined
  }

  /** The newest certificate for the same holder and event (by iat, then id). */
  latestForHolderEvent(holderEvent: string): StoredCertificate | undefined {
    return this.db
      .prepare(
        `SELECT ${COLUMNS} FROM certificates WHERE holder_event = ? ORDER BY iat DESC, id DESC LIMIT 1`,
      )
      .get(holderEvent) as StoredCertificate | undefined
  }

  /**
   * Ids of certificates not yet superseded whose exp is at or before `dueBy`, oldest expiry first.
   * Ids, not rows: the caller writes while it works through them, which an open cursor would forbid.
   */
  dueIds(filter: { dueBy: number; country?: string; type?: string; batch?: string; kid?: string }): number[] {
    const where = ['superseded_by IS NULL', 'exp <= @dueBy']
    if (filter.country) where.push('country = @country')
    if (filter.type) where.push('type = @type')
    if (filter.batch) where.push('batch = @batch')
    if (filter.kid) where.push('kid = @kid')
    return this.db
      .prepare(`SELECT id FROM certificates WHERE ${where.join(' AND ')} ORDER BY exp, id`)
      .pluck()
      .all(filter) as number[]
  }

  /** Direct access for read-only reports (stats) and renewal selection. */
  get database(): Database.Database {
    return this.db
  }

  close(): void {
    this.db.close()
  }
}
