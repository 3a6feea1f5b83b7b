/**
 * Schema 5 → 6 (migration `rejection-keys`), SQLite: the `rejections` table gets `holder` (the
 * keyed hash of the rejected record's holder: holder-key.ts; NULL for the rows already there, whose
 * holder was never recorded) and `issued_at` (when a certificate was issued since for the same
 * record and person: Ledger.record sets it). For the rows already there, `issued_at` is set as
 * `stats` counted them before: the first certificate recorded under the same `id:` key after the
 * rejection (the id alone: their holder is not known). Then every key still in the clear (`id:`,
 * and `record:` keys of a ledger that never had a secret) is rewritten to its HMAC (rejection-key.ts)
 * under the ledger's secret, made here when the ledger has none; a row that meets its own rewritten
 * twin is dropped (the same rejection, recorded once). Runs inside the caller's transaction.
 */
import type Database from 'better-sqlite3'
import { isClearKey, newSecret, rejectionKey, SECRET_TABLE } from './rejection-key.js'

/** the schema from which rejections are keyed by HMAC only and carry holder and issued_at */
export const REJECTION_KEYS_SCHEMA = 6

/** the schema from which a rejection is one row per record key, holder, field and reason (see below) */
export const REJECTION_HOLDERS_SCHEMA = 7

/**
 * The rejections table (SQLite) under `name`. No table constraint: a rejection is unique by
 * REJECTION_INDEX, which takes the holder in (schema 6 and before: by key, field and reason alone,
 * so a second person rejected under the same id was dropped).
 */
export const rejectionsTable = (name: string): string => `CREATE TABLE IF NOT EXISTS ${name} (
  id INTEGER PRIMARY KEY,
  idempotency_key TEXT NOT NULL,
  batch TEXT NOT NULL,
  line INTEGER NOT NULL,
  field TEXT NOT NULL,
  reason TEXT NOT NULL,
  created_at INTEGER NOT NULL,
  -- the keyed hash of the rejected record's holder (holder-key.ts); NULL: not known
  holder TEXT,
  -- when a certificate was issued since for the same record and person (Ledger.record); NULL: not yet
  issued_at INTEGER
)`

/**
 * One rejection per record key, holder, field and reason, on SQLite and PostgreSQL alike: sites
 * number their rows 1, 2, 3, so id 1 rejected for two people is two rows, and the same record
 * rejected again by another run stays one (INSERT OR IGNORE, ON CONFLICT DO NOTHING). A holder that
 * could not be read (NULL) counts as one value, so that such a rejection is not recorded twice
 * either. Its first column also serves the lookups by key.
 */
export const REJECTION_INDEX = `CREATE UNIQUE INDEX IF NOT EXISTS rejections_record
  ON rejections (idempotency_key, coalesce(holder, ''), field, reason)`

/**
 * Schema 6 → 7 (migration `rejection-holders`), SQLite: SQLite cannot drop a table constraint, so
 * the rejections table is rebuilt without `UNIQUE (idempotency_key, field, reason)` (rows, ids and
 * columns kept; one pass, once), and REJECTION_INDEX made. Runs inside the caller's transaction.
 */
export function rebuildRejections(db: Database.Database): void {
  db.exec('DROP TABLE IF EXISTS rejections_rebuilt')
  db.exec(rejectionsTable('rejections_rebuilt'))
  db.exec(`INSERT INTO rejections_rebuilt (id, idempotency_key, batch, line, field, reason, created_at, holder, issued_at)
    SELECT id, idempotency_key, batch, line, field, reason, created_at, holder, issued_at FROM rejections`)
  db.exec('DROP TABLE rejections')
  db.exec('ALTER TABLE rejections_rebuilt RENAME TO rejections')
  db.exec(REJECTION_INDEX)
}

/** The ledger's secret for rejection keys, made when there is none (inside the caller's transaction). */
export function ledgerSecret(db: Database.Database): string {
  db.exec(SECRET_TABLE)
  db.prepare('INSERT OR IGNORE INTO ledger_secret (id, secret) VALUES (1, ?)').run(newSecret())
  return db.prepare('SELECT secret FROM ledger_secret WHERE id = 1').pluck().get() as string
}

export function migrateRejections(db: Database.Database): void {
  const columns = db.prepare(`SELECT name FROM pragma_table_info('rejections')`).pluck().all() as string[]
  if (!columns.includes('holder')) db.exec('ALTER TABLE rejections ADD COLUMN holder TEXT')
  if (!columns.includes('issued_at')) db.exec('ALTER TABLE rejections ADD COLUMN issued_at INTEGER')
  db.exec(`UPDATE rejections SET issued_at = (SELECT min(c.created_at) FROM certificates c
      WHERE c.idempotency_key = rejections.idempotency_key AND c.created_at > rejections.created_at)
    WHERE issued_at IS NULL AND idempotency_key >= 'id:' AND idempotency_key < 'id;'`)
  const secret = ledgerSecret(db)
  const rows = db
    .prepare(`SELECT id, idempotency_key AS key FROM rejections WHERE idempotency_key NOT LIKE 'hmac:%'`)
    .all() as Array<{ id: number; key: string }>
  const update = db.prepare('UPDATE OR IGNORE rejections SET idempotency_key = ? WHERE id = ?')
  const drop = db.prepare('DELETE FROM rejections WHERE id = ?')
  for (const row of rows) {
    if (!isClearKey(row.key)) continue
    if (update.run(rejectionKey(secret, row.key), row.id).changes === 0) drop.run(row.id)
  }
}
