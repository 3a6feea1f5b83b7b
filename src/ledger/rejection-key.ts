/**
 * The key a rejection is stored under. A record's idempotency key holds what identifies it: its
 * `id` (`id:<id>`: an office's reference, which may be a national ID number) or, without one, the
 * fingerprint of its cleaned content (`record:<SHA-256>`, which anyone can recompute from a guessed
 * name and date of birth). Stored as such in the `rejections` table, it would tell who was rejected.
 * Rejections are therefore keyed by `hmac:<HMAC-SHA-256(ledger secret, key)>` instead: the same
 * record gives the same key in one ledger (so a rejection recorded twice stays one row, `stats`
 * counts records, and a certificate issued later under the same id finds it: Ledger.record), and
 * without the ledger's secret no guess can be checked. The secret is 32 random bytes (64 hex
 * digits) made with the ledger, in its `ledger_secret` table (one row). `line:<n>` keys (a line that
 * could not be read: a position in a file) hold no holder data and are kept. The keys of issued
 * certificates are not changed: they are what makes issuance exactly-once.
 * Ledger schema 6 (migration `rejection-keys`) rewrote the `id:` keys stored before in the clear.
 */
import { createHmac, randomBytes } from 'node:crypto'

/** `CREATE TABLE` for the secret (64 hex digits), the same in SQLite and PostgreSQL */
export const SECRET_TABLE =
  'CREATE TABLE IF NOT EXISTS ledger_secret (id INTEGER PRIMARY KEY CHECK (id = 1), secret TEXT NOT NULL)'

/** 32 random bytes, as 64 hex digits */
export function newSecret(): string {
  return randomBytes(32).toString('hex')
}

/** Whether a stored rejection key is one this module turns into an HMAC (not `hmac:` already, not `line:`). */
export function isClearKey(key: string): boolean {
  return !key.startsWith('hmac:') && !key.startsWith('line:')
}

/** The key a rejection of `key` is stored under, in a ledger with `secret`. */
export function rejectionKey(secret: string, key: string): string {
  return isClearKey(key)
    ? `hmac:${createHmac('sha256', Buffer.from(secret, 'hex')).update(key).digest('hex')}`
    : key
}
