/**
 * The ledger's tables, and the migration of ledgers made by earlier versions. The schema version is
 * kept in SQLite's `PRAGMA user_version`:
 * - 0: no tables yet, or schema 1 (hcert 0.1 before content fingerprints): `certificates`,
 *   `daily_counts`, `rejections`;
 * - 2: `certificates.content` added (the content fingerprint of each certificate, see
 *   content-fingerprint.ts). Rows from schema 1 keep NULL there; their fingerprint is computed from
 *   their stored payload when it is needed, which gives the same value;
 * - 3: idempotency keys of records without an id are `record:<record fingerprint>` (of the payload
 *   as built) instead of `sha256:<hash of the raw record>`: the keys already there are rewritten
 *   from the stored payloads, and `id:` keys are put in NFC (migrate-record-keys.ts). Tables and
 *   columns are unchanged.
 * - 4: `reservations` added (idempotency keys a run is signing, with its owner and lease: store.ts).
 * - 5 (migration `validity-counts`): `validity_counts` added (certificates by day of issuance, day of
 *   expiry, origin and superseded, for stats' validity totals: validity-counts.ts), filled from the
 *   certificates already there.
 * - 6 (migration `rejection-keys`): `rejections.holder` and `rejections.issued_at` added, and every
 *   rejection key HMAC-ed (migrate-rejections.ts).
 * - 7 (migration `rejection-holders`): a rejection is unique by key, holder, field and reason (index
 *   `rejections_record`), no longer by key, field and reason: the table is rebuilt without that
 *   constraint (migrate-rejections.ts rebuildRejections).
 * Migrations add (ALTER TABLE … ADD COLUMN is instant whatever the size of the ledger; 7 alone
 * rebuilds a table, as SQLite cannot drop a constraint), run in one IMMEDIATE transaction, and check the version again inside it, so two processes opening an
 * old ledger at once migrate it once.
 */
import Database from 'better-sqlite3'
import { DccError } from '../errors.js'
import { migrateIdKeys, migrateRecordKeys } from './migrate-record-keys.js'
import {
  ledgerSecret,
  migrateRejections,
  rebuildRejections,
  REJECTION_HOLDERS_SCHEMA,
  REJECTION_INDEX,
  REJECTION_KEYS_SCHEMA,
  rejectionsTable,
} from './migrate-rejections.js'
import { SECRET_TABLE } from './rejection-key.js'
import { fillValidityCounts, VALIDITY_COUNTS_SCHEMA, validityCountsTable } from './validity-counts.js'

export const SCHEMA_VERSION = 7

/** the schema from which idempotency keys of records without an id are `record:` keys (see above) */
export const RECORD_KEYS_SCHEMA = 3

const TABLES = `
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
  created_at INTEGER NOT NULL,
  content TEXT
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
${rejectionsTable('rejections')};
-- keys a run is signing (store.ts): taken over when expires_at (ms since the epoch) has passed
CREATE TABLE IF NOT EXISTS reservations (
  key TEXT PRIMARY KEY,
  owner TEXT NOT NULL,
  expires_at INTEGER NOT NULL
) WITHOUT ROWID;
-- stats' validity totals (validity-counts.ts), kept by Ledger.record in the same transaction
${validityCountsTable('sqlite')};
-- the secret rejections are keyed with (rejection-key.ts): made with the ledger, never again
${SECRET_TABLE};
`

/** The error for a ledger whose schema is newer than this hcert's (`version`, found at `path`). */
export const tooNew = (path: string, version: number): DccError =>
  new DccError(
    'ERR_LEDGER',
    `ledger: ${path} has schema version ${version}, newer than this hcert knows (${SCHEMA_VERSION}); use the hcert that wrote it, or a later one`,
  )

/**
 * Reads the schema version before anything is written to the file: a file that is not a ledger
 * (SQLITE_NOTADB) or one from a newer hcert (ERR_LEDGER) is left exactly as it was.
 */
export function checkSchemaVersion(db: Database.Database, path: string): number {
  const version = db.pragma('user_version', { simple: true }) as number
  if (version > SCHEMA_VERSION) throw tooNew(path, version)
  return version
}

/** The columns every hcert ledger's certificates table has had since schema 1. */
export const LEDGER_COLUMNS = ['idempotency_key', 'uvci', 'payload', 'hc1', 'holder_event', 'superseded_by']

/**
 * Throws ERR_LEDGER "holds no hcert ledger" when `db` holds tables of its own but no hcert
 * certificates table (none, or one without hcert's columns): another program's database is never
 * taken over. An empty database (a new file) passes: it becomes a ledger.
 */
export function assertHcertLedger(db: Database.Database, path: string): void {
  const tables = db
    .prepare(`SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'`)
    .pluck()
    .all() as string[]
  if (tables.length === 0) return
  const columns = db.prepare(`SELECT name FROM pragma_table_info('certificates')`).pluck().all() as string[]
  if (columns.length === 0)
    throw new DccError(
      'ERR_LEDGER',
      `ledger: ${path} holds no hcert ledger (tables of its own, no certificates table): give --ledger another file`,
    )
  if (!LEDGER_COLUMNS.every((c) => columns.includes(c)))
    throw new DccError(
      'ERR_LEDGER',
      `ledger: ${path} holds no hcert ledger (its certificates table lacks hcert's columns): give --ledger another file`,
    )
}

/** Brings `db` to SCHEMA_VERSION (creating the tables of a new ledger). Throws ERR_LEDGER for a newer one. */
export function ensureSchema(db: Database.Database, path: string): void {
  const current = (): number => db.pragma('user_version', { simple: true }) as number
  if (checkSchemaVersion(db, path) === SCHEMA_VERSION) return
  db.transaction(() => {
    const version = current()
    if (version === SCHEMA_VERSION) return
    if (version > SCHEMA_VERSION) throw tooNew(path, version)
    const columns = db.prepare(`SELECT name FROM pragma_table_info('certificates')`).pluck().all() as string[]
    // an existing ledger missing a table or column of its version is damaged: never made again here
    // (an empty ledger_secret, daily_counts or rejections table would change what stats counts)
    if (columns.length > 0 || version > 0) assertSchemaComplete(db, path, version)
    // schema 1 → 2: the content fingerprint (NULL for the rows already there)
    if (columns.length > 0 && !columns.includes('content'))
      db.exec('ALTER TABLE certificates ADD COLUMN content TEXT')
    db.exec(TABLES)
    // schema 2 → 3 (and 1 → 3; 4 adds only the reservations table, made by TABLES): the keys of records without an id, from their stored payloads
    if (columns.length > 0 && version < RECORD_KEYS_SCHEMA) {
      migrateRecordKeys(db)
      migrateIdKeys(db)
    }
    // schema 4 → 5 (migration validity-counts): the summary of the certificates already there
    // (emptied first: a ledger whose version was set back holds the table already)
    if (columns.length > 0 && version < VALIDITY_COUNTS_SCHEMA) {
      db.exec('DELETE FROM validity_counts')
      db.exec(fillValidityCounts('sqlite'))
    }
    // schema 5 → 6 (migration rejection-keys): holder and issued_at, and every rejection key HMAC-ed
    if (columns.length > 0 && version < REJECTION_KEYS_SCHEMA) migrateRejections(db)
    // schema 6 → 7 (migration rejection-holders): one rejection per key, holder, field and reason
    if (columns.length > 0 && version < REJECTION_HOLDERS_SCHEMA) rebuildRejections(db)
    db.exec(REJECTION_INDEX)
    // a new ledger's secret, in the same transaction as its tables (a migrated one has it from 6)
    if (columns.length === 0) ledgerSecret(db)
    db.pragma(`user_version = ${SCHEMA_VERSION}`)
  }).immediate()
}

/** each table of the current schema with its columns, read once from TABLES in a database in memory */
let shape: Map<string, string[]> | undefined
function schemaShape(): Map<string, string[]> {
  if (!shape) {
    const db = new Database(':memory:')
    try {
      db.exec(TABLES)
      const tables = db
        .prepare(`SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'`)
        .pluck()
        .all() as string[]
      shape = new Map(
        tables.map((t) => [
          t,
          db.prepare(`SELECT name FROM pragma_table_info(?)`).pluck().all(t) as string[],
        ]),
      )
    } finally {
      db.close()
    }
  }
  return shape
}

/** the tables (and columns) a ledger of schema `version` has: later tables and columns are added by migrations */
export function expectedAt(version: number): Map<string, string[]> {
  const expected = new Map(schemaShape())
  if (version < REJECTION_KEYS_SCHEMA)
    expected.set(
      'rejections',
      (expected.get('rejections') ?? []).filter((c) => c !== 'holder' && c !== 'issued_at'),
    )
  if (version < REJECTION_KEYS_SCHEMA) expected.delete('ledger_secret')
  if (version < 5) expected.delete('validity_counts')
  if (version < 4) expected.delete('reservations')
  // schema 1 (user_version 0) has no content column; a read-only open reads it as NULL
  if (version < 2)
    expected.set(
      'certificates',
      (expected.get('certificates') ?? []).filter((c) => c !== 'content'),
    )
  return expected
}

/**
 * Throws ERR_LEDGER "damaged or not complete" when a table or a column that a ledger of schema
 * `version` has is missing (dropped by hand, a partial restore): every command says so when it opens
 * the ledger, instead of a generic SQLite failure in the middle of a run (or no error at all, when
 * the command does not happen to read what is missing). One query per table, on sqlite_master.
 */
export function assertSchemaComplete(db: Database.Database, path: string, version: number): void {
  const columnsOf = db.prepare(`SELECT name FROM pragma_table_info(?)`).pluck()
  for (const [table, columns] of expectedAt(version)) {
    const found = new Set(columnsOf.all(table) as string[])
    const missing = found.size === 0 ? `its ${table} table is missing` : undefined
    const lacking = columns.filter((c) => !found.has(c))
    if (missing || lacking.length > 0)
      throw new DccError(
        'ERR_LEDGER',
        `ledger: ${path} is damaged or not complete (${missing ?? `its ${table} table lacks the column${lacking.length === 1 ? '' : 's'} ${lacking.join(', ')}`}): a table or column of schema version ${version} was dropped or never restored; hcert does not make it again, as an empty one would change what the ledger counts (a new ledger_secret would no longer match the rejections recorded). Running again cannot help: restore the ledger from a copy (a backup)`,
      )
  }
}
