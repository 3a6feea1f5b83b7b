/**
 * Schema 2 → 3: the idempotency keys of records without an `id`. Up to schema 2 such a key was
 * `sha256:<hash of the raw input record>`, so one certificate content sent in another form (CSV or
 * JSON, `"2"` or `2`, `Comirnaty` or `EU/1/20/1528`, NFD or NFC) had another key and was issued
 * again. From schema 3 it is `record:<recordFingerprint>` of the payload as built, which the ledger
 * stores: each `sha256:` key of a certificate issued from a record is rewritten from its stored
 * payload, so a record sent again after the upgrade, in any form, finds its certificate.
 * When two certificates give the same new key (the same record issued twice before, the fault
 * this fixes), the first keeps it and the later ones keep their old key: they stay in the ledger,
 * valid and renewable, but no record finds them again. A row whose payload cannot be read keeps
 * its old key too. An `id:` key is put in NFC, as ids are read from schema 3 on (the same rule for
 * a key another row already has). Portable SQL only (LIKE, parameters), in pages of 1,000 rows by id.
 */
import type Database from 'better-sqlite3'
import { recordFingerprint } from './content-fingerprint.js'

const PAGE = 1000

/** Rewrites the keys; returns how many were rewritten. Runs inside the caller's transaction. */
export function migrateRecordKeys(db: Database.Database): number {
  const page = db.prepare<[number], { id: number; payload: string }>(
    `SELECT id, payload FROM certificates WHERE id > ? AND idempotency_key LIKE 'sha256:%' ORDER BY id LIMIT ${PAGE}`,
  )
  const taken = db.prepare<[string], { id: number }>('SELECT id FROM certificates WHERE idempotency_key = ?')
  const rekey = db.prepare('UPDATE certificates SET idempotency_key = ? WHERE id = ?')
  let rewritten = 0
  for (let after = 0; ;) {
    const rows = page.all(after)
    if (rows.length === 0) return rewritten
    for (const { id, payload } of rows) {
      after = id
      let key: string
      try {
        key = `record:${recordFingerprint(JSON.parse(payload) as Record<string, unknown>)}`
      } catch {
        continue // a damaged payload: its key is left as it was
      }
      if (taken.get(key)) continue
      rekey.run(key, id)
      rewritten++
    }
  }
}

/** Rewrites `id:` keys that are not in NFC; returns how many. Runs inside the caller's transaction. */
export function migrateIdKeys(db: Database.Database): number {
  const page = db.prepare<[number], { id: number; key: string }>(
    `SELECT id, idempotency_key AS key FROM certificates WHERE id > ? AND idempotency_key LIKE 'id:%' ORDER BY id LIMIT ${PAGE}`,
  )
  const taken = db.prepare<[string], { id: number }>('SELECT id FROM certificates WHERE idempotency_key = ?')
  const rekey = db.prepare('UPDATE certificates SET idempotency_key = ? WHERE id = ?')
  let rewritten = 0
  for (let after = 0; ;) {
    const rows = page.all(after)
    if (rows.length === 0) return rewritten
    for (const { id, key } of rows) {
      after = id
      const nfc = key.normalize('NFC')
      if (nfc === key || taken.get(nfc)) continue
      rekey.run(nfc, id)
      rewritten++
    }
  }
}
