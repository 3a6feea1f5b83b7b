/**
 * The key a rejection is stored under. A record without an `id` is keyed by the fingerprint of its
 * cleaned content (`record:<SHA-256>`), which anyone can recompute from a guessed name and date of
 * birth: stored as such in the `rejections` table, a dictionary attack on it would tell who was
 * rejected. Rejections are therefore keyed by `hmac:<HMAC-SHA-256(ledger secret, key)>` instead: the
 * same record gives the same key in one ledger (so a rejection recorded twice stays one row, and
 * `stats` counts records), and without the ledger's secret no guess can be checked. The secret is
 * 32 random bytes (64 hex digits) made with the ledger, in its `ledger_secret` table (one row). `id:` and `line:`
 * keys hold no holder data and are kept. The keys of issued certificates are not changed: they are
 * what makes issuance exactly-once.
 */
import { createHmac, randomBytes } from 'node:crypto'

/** `CREATE TABLE` for the secret (64 hex digits), the same in SQLite and PostgreSQL */
export const SECRET_TABLE =
  'CREATE TABLE IF NOT EXISTS ledger_secret (id INTEGER PRIMARY KEY CHECK (id = 1), secret TEXT NOT NULL)'

/** 32 random bytes, as 64 hex digits */
export function newSecret(): string {
  return randomBytes(32).toString('hex')
}

/** Whether a stored rejection key is one this module turns into an HMAC. */
export function isContentKey(key: string): boolean {
  return key.startsWith('record:')
}

/** The key a rejection of `key` is stored under, in a ledger with `secret`. */
export function rejectionKey(secret: string, key: string): string {
  return isContentKey(key)
    ? `hmac:${createHmac('sha256', Buffer.from(secret, 'hex')).update(key).digest('hex')}`
    : key
}
