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
