/**
 * `hcert ledger copy`: a SQLite ledger into a PostgreSQL one (an office that outgrows one machine).
 * The SQLite file is opened read-only and left as it was. Everything goes in one transaction on the
 * server: the certificates with their ids (so that `replaces` and `superseded_by` still point
 * where they did; the id sequence then continues after the last one), the rejections, and
 * daily_counts and validity_counts recomputed from the certificates now on the server. Running it again adds only what
 * is new: certificates already there under the same id and UVCI are counted as such, and get the
 * `superseded_by` a renewal since gave them on the SQLite ledger; a server ledger that
 * holds other certificates under those ids is refused (ERR_LEDGER) with nothing written.
 */
import { statSync, type Stats } from 'node:fs'
import Database from 'better-sqlite3'
import { rejectionKey } from '../ledger/rejection-key.js'
import { DccError } from '../errors.js'
import { ledgerError, ledgerReadError } from '../ledger/ledger-error.js'
import { PostgresLedger } from '../ledger/pg/postgres-ledger.js'
import { isPostgresUrl } from '../ledger/pg/url.js'
import { checkLedgerSpec, redactLedgerSpec } from '../ledger/ledger-spec.js'
import { defaultBusyTimeoutMs, Ledger } from '../ledger/ledger.js'
import { openReadOnly } from '../ledger/ledger-file.js'
import { assertHcertLedger, assertSchemaComplete, checkSchemaVersion } from '../ledger/schema.js'
import { REJECTION_KEYS_SCHEMA } from '../ledger/migrate-rejections.js'
import { fillValidityCounts } from '../ledger/validity-counts.js'

export interface LedgerCopyReport {
  from: string
  /** the server's URL, without its password */
  to: string
  certificates: { copied: number; alreadyThere: number }
  rejections: { copied: number; alreadyThere: number }
}

const BATCH = 1000

const CERTIFICATE_COLUMNS = [
  'id',
  'idempotency_key',
  'uvci',
  'type',
  'country',
  'issuer',
  'kid',
  'iat',
  'exp',
  'product',
  'dose',
  'doses',
  'payload',
  'hc1',
  'batch',
  'line',
  'holder_event',
  'origin',
  'replaces',
  'superseded_by',
  'created_at',
  'content',
] as const
const PG_TYPES: Record<string, string> = {
  id: 'bigint',
  iat: 'bigint',
  exp: 'bigint',
  dose: 'int',
  doses: 'int',
  line: 'int',
  replaces: 'bigint',
  superseded_by: 'bigint',
  created_at: 'bigint',
}
const typeOf = (column: string): string => PG_TYPES[column] ?? 'text'

const INSERT_CERTIFICATES = `INSERT INTO certificates (${CERTIFICATE_COLUMNS.join(', ')})
  SELECT * FROM unnest(${CERTIFICATE_COLUMNS.map((c, i) => `$${i + 1}::${typeOf(c)}[]`).join(', ')})
  ON CONFLICT DO NOTHING RETURNING id`

/**
 * A certificate copied earlier may since have been superseded on the SQLite ledger (renew): the only
 * column that changes after issuance. Set where the server's is still empty, never undone (a
 * renewal made on the server after the copy stays).
 */
const UPDATE_SUPERSEDED = `UPDATE certificates c SET superseded_by = u.superseded_by
  FROM unnest($1::bigint[], $2::text[], $3::bigint[]) AS u(id, uvci, superseded_by)
  WHERE c.id = u.id AND c.uvci = u.uvci AND c.superseded_by IS NULL AND u.superseded_by IS NOT NULL`

const REJECTION_COLUMNS = [
  'idempotency_key',
  'batch',
  'line',
  'field',
  'reason',
  'created_at',
  'holder',
  'issued_at',
]

const INSERT_REJECTIONS = `INSERT INTO rejections (${REJECTION_COLUMNS.join(', ')})
  SELECT * FROM unnest($1::text[], $2::text[], $3::int[], $4::text[], $5::text[], $6::bigint[], $7::text[], $8::bigint[])
  ON CONFLICT DO NOTHING RETURNING 1`

const RECOUNT = [
  'DELETE FROM daily_counts',
  `INSERT INTO daily_counts (day, origin, type, product, dose, country, issuer, kid, count)
   SELECT to_char((to_timestamp(iat) AT TIME ZONE 'UTC')::date, 'YYYY-MM-DD'), origin, type, coalesce(product, ''),
     coalesce(dose, 0), country, issuer, kid, count(*)
   FROM certificates GROUP BY 1, 2, 3, 4, 5, 6, 7, 8`,
  'DELETE FROM validity_counts',
  fillValidityCounts('postgres'),
  `SELECT setval(pg_get_serial_sequence('certificates', 'id'), greatest((SELECT max(id) FROM certificates), 1))`,
]

/** what a failed copy leaves, and what to do: the copy is one transaction on the server */
export const COPY_AFTER_FAILURE =
  'the copy is one transaction, so nothing of this run is on the server (and the SQLite file is unchanged); run the same hcert ledger copy again: it copies only what is not there yet'

/** how the advice names ledger copy's arguments (where other commands say --ledger) */
const FROM_ARGUMENT = "ledger copy's first argument (FROM)"
const TO_ARGUMENT = "ledger copy's second argument (TO)"

const GIVE_SOURCE =
  'give the SQLite ledger file to copy from: the file issue wrote (its --ledger or $HCERT_LEDGER; by default ~/.local/share/hcert/ledger.sqlite)'

/**
 * The SQLite ledger to copy from, opened read only (leaving no -wal or -shm file behind that was not
 * there, as stats and export do); ERR_LEDGER saying what the file is instead (none,
 * a folder, not a SQLite database, another program's database, an empty one) and what to give.
 */
function openSource(from: string): Database.Database {
  const refuse = (what: string): DccError =>
    new DccError('ERR_LEDGER', `ledger copy: ${redactLedgerSpec(from)} ${what}; ${GIVE_SOURCE}`)
  let stat: Stats
  try {
    stat = statSync(from)
  } catch (cause) {
    if ((cause as NodeJS.ErrnoException).code === 'ENOENT') throw refuse('does not exist')
    throw ledgerReadError(cause, from, undefined, COPY_AFTER_FAILURE, FROM_ARGUMENT)
  }
  if (stat.isDirectory()) throw refuse('is a folder, not a ledger file')
  if (!stat.isFile()) throw refuse('is not a regular file')
  let db: Database.Database | undefined
  try {
    db = openReadOnly(from, defaultBusyTimeoutMs())
    const tables = db
      .prepare(`SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'`)
      .pluck()
      .all() as string[]
    if (tables.length === 0) throw refuse('is an empty SQLite database, not an hcert ledger')
    try {
      assertHcertLedger(db, from)
    } catch {
      throw refuse(
        'is a SQLite database of another program (no hcert certificates table), not an hcert ledger',
      )
    }
    return db
  } catch (cause) {
    db?.close()
    if (cause instanceof DccError) throw cause
    if ((cause as { code?: string }).code === 'SQLITE_NOTADB')
      throw refuse('is not a SQLite database (an hcert ledger is one)')
    throw ledgerReadError(cause, from, undefined, COPY_AFTER_FAILURE, FROM_ARGUMENT)
  }
}

export function copyLedger(from: string, to: string): LedgerCopyReport {
  for (const [given, what] of [
    [from, 'the first argument (the SQLite ledger file to copy from)'],
    [to, 'the second argument (the PostgreSQL ledger to copy to)'],
  ] as const)
    if (given.trim() === '')
      throw new DccError(
        'ERR_USAGE',
        `ledger copy: ${what} is empty (an unset shell variable?); ${given === from ? GIVE_SOURCE : 'give it as postgres://user@host:port/db'}`,
      )
  // a mistyped server address is refused before anything is read or reached, its password masked
  checkLedgerSpec(from, 'ledger copy: the first argument')
  checkLedgerSpec(to, 'ledger copy: the second argument')
  if (isPostgresUrl(from))
    throw new DccError('ERR_USAGE', 'ledger copy: the first argument is the SQLite ledger file to copy from')
  if (!isPostgresUrl(to))
    throw new DccError(
      'ERR_USAGE',
      'ledger copy: the second argument is the PostgreSQL ledger to copy to, as postgres://user@host:port/db',
    )
  let source = openSource(from)
  try {
    // a ledger of schema 1 or 2 still has the idempotency keys of before schema 3 (schema.ts), one of
    // schema 5 or earlier its rejections' ids in the clear and no holder or issued_at: it is brought
    // up to date first, as any issue run would, so that the server gets today's keys
    if (checkSchemaVersion(source, from) < REJECTION_KEYS_SCHEMA) {
      source.close()
      new Ledger(from).close()
      source = openReadOnly(from, defaultBusyTimeoutMs())
    }
    // a table or column dropped from the source is named as such, before the server is reached
    assertSchemaComplete(source, from, checkSchemaVersion(source, from))
  } catch (cause) {
    source.close()
    throw ledgerError(cause, from, undefined, COPY_AFTER_FAILURE, FROM_ARGUMENT)
  }
  let target: PostgresLedger
  try {
    target = new PostgresLedger(to, { create: true, afterFailure: COPY_AFTER_FAILURE, given: TO_ARGUMENT })
  } catch (err) {
    source.close()
    throw err
  }
  const report: LedgerCopyReport = {
    from,
    to: target.path,
    certificates: { copied: 0, alreadyThere: 0 },
    rejections: { copied: 0, alreadyThere: 0 },
  }
  try {
    const columns = new Set(
      source.prepare(`SELECT name FROM pragma_table_info('certificates')`).pluck().all() as string[],
    )
    const select = CERTIFICATE_COLUMNS.map((c) => (columns.has(c) ? c : `NULL AS ${c}`)).join(', ')
    const page = source.prepare(`SELECT ${select} FROM certificates WHERE id > ? ORDER BY id LIMIT ${BATCH}`)
    const rejections = source.prepare(
      `SELECT id, ${REJECTION_COLUMNS.join(', ')} FROM rejections WHERE id > ? ORDER BY id LIMIT ${BATCH}`,
    )
    target.run([{ text: 'BEGIN' }])
    try {
      // before any certificate: a copy that cannot tell the same rejection apart stops at once
      const secret = rejectionSecretFor(source, target, from)
      for (let last = 0; ;) {
        const rows = page.all(last) as Array<Record<string, unknown>>
        if (rows.length === 0) break
        last = rows[rows.length - 1]?.id as number
        const [inserted, , present] = target.run([
          { text: INSERT_CERTIFICATES, values: CERTIFICATE_COLUMNS.map((c) => rows.map((r) => r[c])) },
          {
            text: UPDATE_SUPERSEDED,
            values: ['id', 'uvci', 'superseded_by'].map((c) => rows.map((r) => r[c])),
          },
          {
            text: 'SELECT id, uvci FROM certificates WHERE id = ANY($1::bigint[])',
            values: [rows.map((r) => r.id)],
          },
        ]) as [unknown[], unknown[], Array<{ id: number; uvci: string }>]
        const uvciOf = new Map(present.map((p) => [p.id, p.uvci]))
        if (rows.some((r) => uvciOf.get(r.id as number) !== r.uvci))
          throw new DccError(
            'ERR_LEDGER',
            `ledger copy: ${report.to} already holds other certificates than ${redactLedgerSpec(from)}'s (another ledger's, or ones issued on the server): a copy keeps each certificate's internal row number, which renewals and corrections point by, and the two ledgers use the same numbers; nothing was copied. One SQLite ledger can be copied into an empty database (createdb), or again into the one that holds its earlier copy; ledgers of several sites cannot be merged into one: to share a ledger, have every site issue into the PostgreSQL ledger from the start`,
          )
        report.certificates.copied += inserted.length
        report.certificates.alreadyThere += rows.length - inserted.length
      }
      for (let last = 0; ;) {
        const rows = rejections.all(last) as Array<Record<string, unknown>>
        if (rows.length === 0) break
        last = rows[rows.length - 1]?.id as number
        // a source an older hcert wrote may hold content keys in the clear: never copied as such
        for (const r of rows) r.idempotency_key = rejectionKey(secret, String(r.idempotency_key))
        const [inserted] = target.run([
          {
            text: INSERT_REJECTIONS,
            values: REJECTION_COLUMNS.map((c) => rows.map((r) => r[c])),
          },
        ]) as [unknown[]]
        report.rejections.copied += inserted.length
        report.rejections.alreadyThere += rows.length - inserted.length
      }
      target.run(RECOUNT.map((text) => ({ text })))
      target.run([{ text: 'COMMIT' }])
    } catch (err) {
      try {
        target.run([{ text: 'ROLLBACK' }])
      } catch {
        // the first error is the one that matters
      }
      throw err
    }
  } catch (err) {
    // the server's failures are ERR_LEDGER already; what is left is the SQLite file's
    throw err instanceof DccError ? err : ledgerError(err, from, undefined, COPY_AFTER_FAILURE, FROM_ARGUMENT)
  } finally {
    source.close()
    target.close()
  }
  return report
}

/**
 * The secret the server's ledger keys rejections with (rejection-key.ts): the source's, when the
 * server holds no rejection yet, so that the copied keys go on matching the records they stand
 * for; else the server's own. A record's `hmac:` key cannot be turned back into its content key,
 * so when the server already holds rejections under another secret and the source has `hmac:`
 * keys, the same record would be counted twice (once per secret): ERR_LEDGER, nothing copied.
 */
function rejectionSecretFor(source: Database.Database, target: PostgresLedger, from: string): string {
  const hasSecret =
    source.prepare(`SELECT count(*) FROM sqlite_schema WHERE name = 'ledger_secret'`).pluck().get() === 1
  const sourceSecret = hasSecret
    ? (source.prepare('SELECT secret FROM ledger_secret WHERE id = 1').pluck().get() as string | undefined)
    : undefined
  const [counted] = target.run([{ text: 'SELECT count(*)::int AS n FROM rejections' }]) as [
    Array<{ n: number }>,
  ]
  if (sourceSecret && counted[0]?.n === 0)
    target.run([{ text: 'UPDATE ledger_secret SET secret = $1 WHERE id = 1', values: [sourceSecret] }])
  const [found] = target.run([{ text: 'SELECT secret FROM ledger_secret WHERE id = 1' }]) as [
    Array<{ secret: string }>,
  ]
  const secret = found[0]?.secret
  if (!secret) throw new DccError('ERR_LEDGER', `ledger: ${target.path} has no secret for rejection keys`)
  if (sourceSecret && secret !== sourceSecret && (counted[0]?.n ?? 0) > 0) {
    const hashed = source
      .prepare(`SELECT count(*) FROM rejections WHERE idempotency_key LIKE 'hmac:%'`)
      .pluck()
      .get() as number
    if (hashed > 0)
      throw new DccError(
        'ERR_LEDGER',
        `ledger copy: ${target.path} already holds rejections of its own, keyed with another secret than ${from}'s (rejection keys are HMACs of the record, which hcert cannot undo), so the same rejected record would be counted twice; nothing was copied. Copy into a new database (createdb), or one that holds only earlier copies of this ledger`,
      )
  }
  return secret
}
