/**
 * The PostgreSQL engine of the ledger (LedgerStore): one database shared by the processes and
 * machines that issue, through `pg` (node-postgres) on a thread of its own (sync-client.ts).
 * A chunk is one statement, so one round trip and one transaction: the certificates, the
 * supersedings, the daily counts, the rejections and the release of the chunk's reservations,
 * as data-modifying CTEs over arrays (unnest). ON CONFLICT DO NOTHING leaves out a row whose key,
 * UVCI or superseded certificate another run committed first; a deadlock or serialization failure
 * between two runs is retried (the statement is atomic). Reservation leases run on the server's
 * clock, so that machines whose clocks differ agree on when a lease has run out.
 */
import { userInfo } from 'node:os'
import { DccError } from '../../errors.js'
import { describeBadNumber, MAX_MS } from '../env-number.js'
import {
  contentOf,
  defaultBusyTimeoutMs,
  missingSecret,
  fixedRejections,
  type IssuedRecord,
  type IssuedRow,
  type RecordOutcome,
  type RejectionRow,
  type StoredCertificate,
} from '../ledger.js'
import type { LedgerStats, StatsQuery } from '../stats.js'
import { uvciSpellings, withinBatch, type DueFilter, type LedgerStore, type Reservation } from '../store.js'
import { pgLedgerError } from './pg-error.js'
import { committedByRun, NOTHING_COMMITTED } from '../ledger-error.js'
import { passwordFileNote } from './pgpass-file.js'
import { rejectionKey } from '../rejection-key.js'
import { holderKey } from '../holder-key.js'
import { assertPgSchemaComplete, ensurePgSchema, pgLedgerSecret, refuseForeignDatabase } from './pg-schema.js'
import { SCHEMA_VERSION } from '../schema.js'
import { pgLedgerStats } from './pg-stats.js'
import {
  payloadPages,
  type CertificatePayload,
  type PayloadPage,
  type PayloadRow,
  type PayloadsSinceQuery,
} from '../payloads-since.js'
import { SyncPgClient, type PgConnectionConfig } from './sync-client.js'
import { sslSettings, withoutSslParams } from './ssl-settings.js'
import {
  badEnvPort,
  badUrlParts,
  badUrlPath,
  badUrlPort,
  readableUrl,
  redactUrl,
  sslSource,
  targetOf,
  unreadService,
} from './url.js'

/** the advisory lock the secret for rejection keys is made under (one maker at a time) */
const SECRET_LOCK = 0x6863657275

const COLUMNS = `id, idempotency_key AS "idempotencyKey", uvci, type, country, issuer, kid, iat, exp, product, dose,
  doses, payload, hc1, batch, line, holder_event AS "holderEvent", origin, replaces, superseded_by AS "supersededBy",
  created_at AS "createdAt", content`

/**
 * `in_batch`: the certificates recorded under the batch name in parameter $n and every one that
 * superseded them, down their chains (as the SQLite engine's IN_BATCH): certificates_batch, then a
 * primary-key look-up a link.
 */
const inBatch = (n: number): string => `WITH RECURSIVE in_batch(id, next) AS (
  SELECT id, superseded_by FROM certificates WHERE batch = $${n}
  UNION
  SELECT c.id, c.superseded_by FROM in_batch b JOIN certificates c ON c.id = b.next
) `

const SERVER_MS = `(extract(epoch FROM clock_timestamp()) * 1000)::bigint`

const RECORD = `
WITH input AS (
  SELECT * FROM unnest($1::int[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[],
    $8::bigint[], $9::bigint[], $10::text[], $11::int[], $12::int[], $13::text[], $14::text[], $15::text[],
    $16::int[], $17::text[], $18::text[], $19::bigint[], $20::text[])
    AS t(ord, idempotency_key, uvci, type, country, issuer, kid, iat, exp, product, dose, doses, payload, hc1,
      batch, line, holder_event, origin, replaces, content)
),
ins AS (
  INSERT INTO certificates (idempotency_key, uvci, type, country, issuer, kid, iat, exp, product, dose, doses,
    payload, hc1, batch, line, holder_event, origin, replaces, created_at, content)
  SELECT idempotency_key, uvci, type, country, issuer, kid, iat, exp, product, dose, doses, payload, hc1, batch,
    line, holder_event, origin, replaces, $21, content
  FROM input i
  WHERE i.replaces IS NULL
     OR EXISTS (SELECT 1 FROM certificates c WHERE c.id = i.replaces AND c.superseded_by IS NULL)
  ORDER BY ord
  ON CONFLICT DO NOTHING
  RETURNING id, idempotency_key, replaces, iat, exp, origin, type, product, dose, country, issuer, kid
),
superseding AS (
  UPDATE certificates c SET superseded_by = ins.id FROM ins WHERE c.id = ins.replaces
  RETURNING c.iat, c.exp, c.origin
),
validity AS (
  -- one upsert per key: a certificate added (+1 at superseded 0), one superseded (-1 at 0, +1 at 1)
  INSERT INTO validity_counts (day, exp_day, origin, superseded, count)
  SELECT floor(iat / 86400.0)::bigint, floor(exp / 86400.0)::bigint, origin, superseded, sum(delta)
  FROM (
    SELECT iat, exp, origin, 0 AS superseded, 1 AS delta FROM ins
    UNION ALL SELECT iat, exp, origin, 0, -1 FROM superseding
    UNION ALL SELECT iat, exp, origin, 1, 1 FROM superseding
  ) v
  GROUP BY 1, 2, 3, 4 HAVING sum(delta) <> 0 ORDER BY 1, 2, 3, 4
  ON CONFLICT (day, exp_day, origin, superseded)
  DO UPDATE SET count = validity_counts.count + excluded.count
  RETURNING 1
),
daily AS (
  INSERT INTO daily_counts (day, origin, type, product, dose, country, issuer, kid, count)
  SELECT to_char((to_timestamp(iat) AT TIME ZONE 'UTC')::date, 'YYYY-MM-DD'), origin, type, coalesce(product, ''),
    coalesce(dose, 0), country, issuer, kid, count(*)
  FROM ins GROUP BY 1, 2, 3, 4, 5, 6, 7, 8 ORDER BY 1, 2, 3, 4, 5, 6, 7, 8
  ON CONFLICT (day, origin, type, product, dose, country, issuer, kid)
  DO UPDATE SET count = daily_counts.count + excluded.count
  RETURNING 1
),
rejected AS (
  INSERT INTO rejections (idempotency_key, batch, line, field, reason, holder, created_at)
  SELECT r.*, $21 FROM unnest($22::text[], $23::text[], $24::int[], $25::text[], $26::text[], $29::text[]) AS r
  ON CONFLICT DO NOTHING
  RETURNING 1
),
fixed AS (
  -- rejections a certificate of this chunk fixes (chosen before: fixedRejections), when it landed
  UPDATE rejections r SET issued_at = $21
  FROM unnest($30::bigint[], $31::text[]) AS f(id, key) JOIN ins ON ins.idempotency_key = f.key
  WHERE r.id = f.id AND r.issued_at IS NULL
  RETURNING 1
),
released AS (
  DELETE FROM reservations WHERE owner = $27 AND key = ANY($28::text[]) RETURNING 1
)
SELECT idempotency_key AS key, id FROM ins`

const RESERVE = `
INSERT INTO reservations (key, owner, expires_at)
SELECT k, $2, ${SERVER_MS} + $3 FROM unnest($1::text[]) AS k ORDER BY k
ON CONFLICT (key) DO UPDATE SET owner = excluded.owner, expires_at = excluded.expires_at
WHERE reservations.expires_at < ${SERVER_MS} OR reservations.owner = $2 OR reservations.owner = ANY($4::text[])
RETURNING key`

/**
 * How long to wait for the server to accept a connection, in ms, as libpq reads it: the URL's
 * `connect_timeout` (seconds), else $PGCONNECT_TIMEOUT (a whole number; 0 waits without a limit;
 * below 2, 2), else 30 s. (pg itself reads neither: hcert passes the result on.)
 * @throws DccError ERR_USAGE for anything but a whole number from 0 to MAX_CONNECT_SECONDS (2147483 s),
 * naming where it came from and never quoting the URL
 */
export function connectTimeoutMs(env: NodeJS.ProcessEnv = process.env, url?: string): number {
  let fromUrl: string | null = null
  try {
    fromUrl = url === undefined ? null : new URL(url).searchParams.get('connect_timeout')
  } catch {
    // a URL that cannot be read is refused as such when pg reads it
  }
  const given = (fromUrl ?? env.PGCONNECT_TIMEOUT)?.trim()
  const source = fromUrl === null ? '$PGCONNECT_TIMEOUT' : "the URL's connect_timeout"
  if (fromUrl === null && !given) return 30_000
  // libpq refuses what is not a whole number; a negative one is a typing mistake, not "no limit"
  const seconds = given && /^\+?\d+$/.test(given) ? Number.parseInt(given, 10) : Number.NaN
  // a timer takes at most 2^31 - 1 ms: a longer one would fire at once (and its message lie)
  if (!(seconds <= MAX_CONNECT_SECONDS))
    throw new DccError(
      'ERR_USAGE',
      `${source} ${describeBadNumber(given ?? '')}: it must be a whole number of seconds up to ${MAX_CONNECT_SECONDS} (about 24.8 days), or 0 to wait without a limit; ${fromUrl === null ? 'unset it' : 'leave it out'} for the default (30)`,
    )
  return seconds <= 0 ? 0 : Math.max(2, seconds) * 1000
}

/** the longest PGCONNECT_TIMEOUT, in seconds, that a timer can hold */
export const MAX_CONNECT_SECONDS = Math.floor(MAX_MS / 1000)

/**
 * `spec` with the operating system's user name as its user when neither the URL, $PGUSER nor $USER
 * gives one, as libpq does (pg would send no user name and be refused with 28000).
 */
export function withDefaultUser(spec: string, env: NodeJS.ProcessEnv = process.env): string {
  const url = new URL(spec)
  if (url.username || env.PGUSER || env.USER || url.searchParams.get('user')) return spec
  let name: string
  try {
    name = userInfo().username
  } catch {
    return spec // no user name known here either: the server's refusal says what to set
  }
  // a URL without a host (postgres:///db, the socket or $PGHOST) takes no user name before it:
  // WHATWG URL ignores one set there, so the name goes in the query, which pg reads as libpq does
  if (url.host === '') url.searchParams.set('user', name)
  else url.username = encodeURIComponent(name)
  return url.toString()
}

/**
 * What the session's settings forbid, before any table is looked at (ERR_LEDGER, nothing written):
 * a search_path naming no schema that exists (hcert would find no ledger, or see another
 * application's tables), and, for a run that writes, a read-only session (a standby, or
 * default_transaction_read_only): found here rather than as SQLSTATE 3F000 or 25006 mid-run.
 */
function checkSession(
  client: SyncPgClient,
  where: string,
  target: string,
  readOnly: boolean,
  given: string,
): void {
  const [session] = client.query<{ schema: string | null; path: string; ro: string; standby: boolean }>(
    `SELECT current_schema() AS schema, current_setting('search_path') AS path,
       current_setting('transaction_read_only') AS ro, pg_is_in_recovery() AS standby`,
  )
  if (!session) return
  if (session.schema === null)
    throw new DccError(
      'ERR_LEDGER',
      `ledger: ${where}: the search_path on ${target} (${session.path}) names no schema that exists in the database, so hcert can neither find nor make its tables. Check search_path in the URL's options (options=-c search_path=…), $PGOPTIONS, and the role's or database's setting (ALTER ROLE … SET search_path); the default, "$user", public, finds the tables hcert made; nothing was written`,
    )
  if (!readOnly && session.ro === 'on')
    throw new DccError(
      'ERR_LEDGER',
      session.standby
        ? `ledger: ${where}: the server at ${target} is a standby (a read-only replica in recovery), and this command writes to the ledger. Give ${given} the primary server; stats and export may read from a standby; nothing was written`
        : `ledger: ${where}: sessions on ${target} are read only (default_transaction_read_only is on: in the URL's options, $PGOPTIONS, or set for the role or the database with ALTER ROLE/DATABASE … SET), and this command writes to the ledger. Remove that setting for hcert's role; stats and export only read; nothing was written`,
    )
}

export interface PostgresLedgerOptions {
  /** create the tables when the database holds no ledger yet (issue, ledger copy); otherwise ERR_LEDGER */
  create?: boolean
  /** how long one statement may wait for a lock another session holds before ERR_LEDGER (lock_timeout); default HCERT_LEDGER_TIMEOUT or 30 s */
  busyTimeoutMs?: number
  /** stats, export, dry runs: errors do not speak of committed chunks and resuming */
  readOnly?: boolean
  /** what errors say was kept and how to go on, instead of the words on chunks (ledger copy) */
  afterFailure?: string
  /** where the URL was given, for the advice: `--ledger, $HCERT_LEDGER` (default), or ledger copy's second argument */
  given?: string
}

export class PostgresLedger implements LedgerStore {
  readonly engine = 'postgres' as const
  /** the URL without its password */
  readonly path: string
  private readonly target: string
  private readonly client: SyncPgClient
  private readonly readOnly: boolean
  private readonly afterFailure: string | undefined
  private readonly given: string
  /** the lock_timeout in force (milliseconds), for what a 55P03 says */
  private readonly lockTimeoutMs: number
  /** where SSL was asked for (the URL's sslmode or ssl, $PGSSLMODE), for the server's refusal of it */
  private readonly sslFrom: string | undefined
  /** whether this run committed a chunk: what a failure says was kept */
  private committed = false
  /** the certificates this run's committed chunks added, for what a failure says was kept */
  private certificatesCommitted = 0
  /** the ledger's secret for rejection keys (rejection-key.ts); undefined when read only */
  private secret: string | undefined

  constructor(url: string, options: PostgresLedgerOptions = {}) {
    this.path = redactUrl(url)
    this.target = targetOf(url)
    this.readOnly = options.readOnly ?? false
    this.afterFailure = options.afterFailure
    this.given = options.given ?? '--ledger, $HCERT_LEDGER'
    const ssl = readableUrl(url) ? sslSettings(url, this.path) : undefined
    if (badUrlPort(url) !== undefined)
      throw new DccError(
        'ERR_LEDGER',
        `ledger: ${this.path}: the URL is not valid: its port must be a number from 1 to 65535 (5432 by default); give the server's port, or leave it out`,
      )
    const path = badUrlPath(url) ?? badUrlParts(url)
    if (path !== undefined)
      throw new DccError('ERR_LEDGER', `ledger: ${this.path}: the URL is not valid: ${path}`)
    const service = unreadService(url)
    if (service !== undefined) throw new DccError('ERR_LEDGER', `ledger: ${this.path}: ${service}`)
    const port = badEnvPort(url)
    if (port !== undefined)
      throw new DccError(
        'ERR_LEDGER',
        `ledger: ${this.path}: $PGPORT is not a port number (1-65535). Set it to the server's port (5432 by default), unset it, or give the port in the URL`,
      )
    this.sslFrom = ssl?.from ?? sslSource(url)
    const timeout = options.busyTimeoutMs ?? defaultBusyTimeoutMs()
    this.lockTimeoutMs = timeout
    const connectMs = connectTimeoutMs(process.env, url)
    const given = ssl ? withoutSslParams(url) : url
    const config: PgConnectionConfig = {
      connectionString: readableUrl(given) ? withDefaultUser(given) : given,
      connectionTimeoutMillis: connectMs,
      application_name: 'hcert',
      ...(ssl ? { sslPlan: ssl } : {}),
    }
    // HCERT_LEDGER_TIMEOUT bounds waiting for a lock another session holds (lock_timeout), as
    // SQLite's busy timeout does; a statement's own work is not bounded by it (no statement_timeout:
    // the server's default stays). The thread's limit, for a server that stops answering at all, is
    // well past both, so that the server's answer (55P03) comes first.
    this.client = new SyncPgClient(config, timeout + 120_000)
    try {
      // a connection is not a statement: HCERT_LEDGER_TIMEOUT does not shorten it (a busy server
      // may take seconds to accept many runs at once); 0 waits as long as the system does
      const info = this.client.connect(connectMs === 0 ? Infinity : connectMs + 15_000)
      this.target = `${info.host}:${info.port}`
      this.client.query(`SET lock_timeout = ${Math.round(timeout)}`)
      checkSession(this.client, this.path, this.target, this.readOnly, this.given)
      const before = ensurePgSchema(this.client, this.path, options.create ?? false)
      if (before === undefined && !options.create) {
        // another application's tables are named as such; an empty database is "no ledger yet"
        refuseForeignDatabase(this.client, this.path)
        throw new DccError(
          'ERR_LEDGER',
          `ledger: ${this.path} holds no hcert ledger (issue certificates first, or check the database in the URL or $PGDATABASE)`,
          { details: { noLedger: true } },
        )
      }
      // a table or column dropped or renamed is named as such by every command, on opening
      assertPgSchemaComplete(this.client, this.path, SCHEMA_VERSION)
      if (!this.readOnly) this.secret = this.ensureRejectionSecret()
      else this.assertSecretKept()
    } catch (cause) {
      this.client.close()
      throw this.error(cause)
    }
  }

  /**
   * The ledger's secret for rejection keys: made with the tables (pg-schema.ts) or by the migration
   * to schema 6, so its table is there (assertPgSchemaComplete). A row found missing is made (under
   * an advisory lock) only while the ledger holds no rejection (a ledger an earlier hcert made,
   * stopped between its tables and its secret); one deleted from a ledger that holds rejections is
   * ERR_LEDGER (missingSecret): a new secret would no longer match them.
   */
  private ensureRejectionSecret(): string {
    const found = this.client.query<{ secret: string }>('SELECT secret FROM ledger_secret WHERE id = 1')[0]
      ?.secret
    if (found) return found
    this.client.query('BEGIN')
    try {
      this.client.query('SELECT pg_advisory_xact_lock($1)', [SECRET_LOCK])
      const [made] = this.client.query<{ secret: string }>('SELECT secret FROM ledger_secret WHERE id = 1')
      if (!made && this.client.query('SELECT 1 FROM rejections LIMIT 1').length > 0)
        throw missingSecret(this.path)
      const secret = made?.secret ?? pgLedgerSecret(this.client)
      this.client.query('COMMIT')
      return secret
    } catch (err) {
      try {
        this.client.query('ROLLBACK')
      } catch {
        // the first error is the one that matters
      }
      throw err
    }
  }

  /**
   * A read-only open makes no secret, but reports the same damage as a writing one
   * (ensureRejectionSecret): ERR_LEDGER (missingSecret) when the ledger_secret row is gone while
   * rejections remain. A ledger older than schema 6 has no ledger_secret table and is left as it is.
   */
  private assertSecretKept(): void {
    const [row] = this.client.query<{ kept: boolean | null }>(
      `SELECT CASE WHEN to_regclass('ledger_secret') IS NULL THEN NULL
        ELSE EXISTS (SELECT 1 FROM ledger_secret WHERE id = 1) END AS kept`,
    )
    if (row?.kept !== false) return
    if (this.client.query('SELECT 1 FROM rejections LIMIT 1').length > 0) throw missingSecret(this.path)
  }

  private error(cause: unknown): DccError {
    return pgLedgerError(
      cause,
      this.path,
      this.target,
      this.afterFailure ??
        (this.readOnly || (this.committed ? committedByRun(this.certificatesCommitted) : NOTHING_COMMITTED)),
      this.sslFrom,
      process.env.PGPASSWORD === undefined ? passwordFileNote() : undefined,
      this.given,
      this.lockTimeoutMs,
    )
  }

  /** Runs `work`, turning PostgreSQL's failures into ERR_LEDGER with what to check. */
  guard<T>(work: () => T): T {
    try {
      return work()
    } catch (cause) {
      throw this.error(cause)
    }
  }

  private rows<T>(text: string, values?: unknown[]): T[] {
    return this.guard(() => this.client.query<T>(text, values))
  }

  /** A statement that is atomic on its own, run again after a deadlock or serialization failure. */
  private retried<T>(text: string, values: unknown[]): T[] {
    for (let attempt = 1; ; attempt++) {
      try {
        return this.client.query<T>(text, values)
      } catch (cause) {
        const code = (cause as { code?: string }).code
        if ((code === '40P01' || code === '40001') && attempt < 5) continue
        throw this.error(cause)
      }
    }
  }

  issuedForKeys(keys: readonly string[]): Map<string, IssuedRecord> {
    const found = new Map<string, IssuedRecord>()
    if (keys.length === 0) return found
    const rows = this.rows<StoredCertificate>(
      `SELECT ${COLUMNS} FROM certificates WHERE idempotency_key = ANY($1::text[])`,
      [keys],
    )
    for (const row of rows) {
      const chain = this.follow(row)
      const head = chain[chain.length - 1] as StoredCertificate
      found.set(row.idempotencyKey, { head, content: contentOf(head), uvcis: chain.map((c) => c.uvci) })
    }
    return found
  }

  /** `first` and the certificates that superseded it, in order. */
  private follow(first: StoredCertificate): StoredCertificate[] {
    const chain = [first]
    const seen = new Set([first.id])
    for (let row = first; row.supersededBy !== null;) {
      const next = this.findById(row.supersededBy)
      if (!next || seen.has(next.id)) break
      seen.add(next.id)
      chain.push(next)
      row = next
    }
    return chain
  }

  chainOf(key: string): StoredCertificate[] {
    const [first] = this.rows<StoredCertificate>(
      `SELECT ${COLUMNS} FROM certificates WHERE idempotency_key = $1`,
      [key],
    )
    return first ? this.follow(first) : []
  }

  recordKeyOf(row: StoredCertificate): string {
    let first = row
    const seen = new Set([row.id])
    while (first.replaces !== null) {
      const previous = this.findById(first.replaces)
      if (!previous || seen.has(previous.id)) break
      seen.add(previous.id)
      first = previous
    }
    return first.idempotencyKey
  }

  uvciTaken(uvci: string): boolean {
    return this.rows('SELECT 1 FROM certificates WHERE uvci = $1', [uvci]).length > 0
  }

  record(
    issued: readonly IssuedRow[],
    rejected: readonly RejectionRow[],
    now: Date,
    done?: { owner: string; keys: readonly string[] },
  ): RecordOutcome[] {
    if (issued.length === 0 && rejected.length === 0 && !done) return []
    const createdAt = Math.floor(now.getTime() / 1000)
    const secret = this.secret
    if (!secret) throw new TypeError('PostgresLedger.record: this ledger was opened read only')
    const fixes = this.rejectionsFixedBy(issued, secret, createdAt)
    const column = <K extends keyof IssuedRow>(k: K): Array<IssuedRow[K]> => issued.map((row) => row[k])
    const inserted = this.retried<{ key: string; id: number }>(RECORD, [
      issued.map((_, i) => i),
      column('idempotencyKey'),
      column('uvci'),
      column('type'),
      column('country'),
      column('issuer'),
      column('kid'),
      column('iat'),
      column('exp'),
      column('product'),
      column('dose'),
      column('doses'),
      column('payload'),
      column('hc1'),
      column('batch'),
      column('line'),
      column('holderEvent'),
      column('origin'),
      column('replaces'),
      column('content'),
      createdAt,
      rejected.map((r) => rejectionKey(secret, r.idempotencyKey)),
      rejected.map((r) => r.batch),
      rejected.map((r) => r.line),
      rejected.map((r) => r.field),
      rejected.map((r) => r.reason),
      done?.owner ?? '',
      done?.keys ?? [],
      rejected.map((r) => (r.holder ? holderKey(secret, r.holder) : null)),
      fixes.map((f) => f.id),
      fixes.map((f) => f.key),
    ])
    if (issued.length > 0 || rejected.length > 0) this.committed = true
    this.certificatesCommitted += inserted.length
    const ids = new Map(inserted.map((r) => [r.key, r.id]))
    const lost = issued.filter((row) => !ids.has(row.idempotencyKey))
    let taken: Array<{ key: string; uvci: string; replaces: number | null }> = []
    if (lost.length > 0)
      taken = this.rows(
        `SELECT idempotency_key AS key, uvci, replaces FROM certificates
         WHERE idempotency_key = ANY($1::text[]) OR uvci = ANY($2::text[]) OR replaces = ANY($3::bigint[])`,
        [
          lost.map((r) => r.idempotencyKey),
          lost.map((r) => r.uvci),
          lost.flatMap((r) => (r.replaces === null ? [] : [r.replaces])),
        ],
      )
    const keys = new Set(taken.map((t) => t.key))
    const uvcis = new Set(taken.map((t) => t.uvci))
    return issued.map((row) => {
      const id = ids.get(row.idempotencyKey)
      if (id !== undefined) return { id }
      return { conflict: keys.has(row.idempotencyKey) ? 'key' : uvcis.has(row.uvci) ? 'uvci' : 'superseded' }
    })
  }

  /**
   * The open rejections the certificates of `issued` (origin issue) would fix: same record key (a
   * correction's is its chain's first), recorded before `createdAt`, of plausibly the same person
   * (fixedRejections); each with the idempotency key of the certificate that fixes it, so that the
   * chunk's statement marks it only when that certificate lands.
   */
  private rejectionsFixedBy(
    issued: readonly IssuedRow[],
    secret: string,
    createdAt: number,
  ): Array<{ id: string; key: string }> {
    const rows = issued.filter((row) => row.origin === 'issue')
    if (rows.length === 0) return []
    const keyOf = new Map<string, IssuedRow[]>()
    for (const row of rows) {
      const replaced = row.replaces === null ? undefined : this.findById(row.replaces)
      const recordKey = replaced ? this.recordKeyOf(replaced) : row.idempotencyKey
      const hashed = rejectionKey(secret, recordKey)
      keyOf.set(hashed, [...(keyOf.get(hashed) ?? []), row])
    }
    const open = this.rows<{ id: string; key: string; holder: string | null; field: string | null }>(
      `SELECT id::text, idempotency_key AS key, holder, field FROM rejections
       WHERE idempotency_key = ANY($1::text[]) AND issued_at IS NULL AND created_at < $2`,
      [[...keyOf.keys()], createdAt],
    )
    const fixes: Array<{ id: string; key: string }> = []
    for (const [hashed, certificates] of keyOf) {
      const candidates = open.filter((r) => r.key === hashed)
      for (const row of certificates)
        for (const id of fixedRejections(candidates, secret, row))
          fixes.push({ id: String(id), key: row.idempotencyKey })
    }
    return fixes
  }

  hasKid(kid: string): boolean {
    return this.rows('SELECT 1 FROM certificates WHERE kid = $1 LIMIT 1', [kid]).length > 0
  }

  /** UVCIs compare without regard to case (uvciSpellings): the stored spelling is tried first. */
  findByUvci(uvci: string): StoredCertificate | undefined {
    for (const spelling of uvciSpellings(uvci)) {
      const row = this.rows<StoredCertificate>(`SELECT ${COLUMNS} FROM certificates WHERE uvci = $1`, [
        spelling,
      ])[0]
      if (row) return row
    }
    return undefined
  }

  findById(id: number): StoredCertificate | undefined {
    return this.rows<StoredCertificate>(`SELECT ${COLUMNS} FROM certificates WHERE id = $1`, [id])[0]
  }

  latestForHolderEvent(holderEvent: string): StoredCertificate | undefined {
    return this.rows<StoredCertificate>(
      `SELECT ${COLUMNS} FROM certificates WHERE holder_event = $1 ORDER BY iat DESC, id DESC LIMIT 1`,
      [holderEvent],
    )[0]
  }

  currentForHolderEvents(holderEvents: readonly string[]): Map<string, number[]> {
    const found = new Map<string, number[]>()
    if (holderEvents.length === 0) return found
    const rows = this.rows<{ holderEvent: string; id: number | string }>(
      'SELECT holder_event AS "holderEvent", id FROM certificates WHERE holder_event = ANY($1::text[]) AND superseded_by IS NULL ORDER BY id',
      [holderEvents],
    )
    for (const { holderEvent, id } of rows)
      found.set(holderEvent, [...(found.get(holderEvent) ?? []), Number(id)])
    return found
  }

  dueIds(filter: DueFilter): number[] {
    const where = ['superseded_by IS NULL', 'exp <= $1']
    const values: unknown[] = [filter.dueBy]
    if (filter.replacedSince !== undefined) {
      values.push(filter.replacedSince)
      where.push(`NOT (replaces IS NOT NULL AND created_at >= $${values.length})`)
    }
    for (const column of ['country', 'type', 'kid'] as const) {
      const value = filter[column]
      if (!value) continue
      values.push(value)
      where.push(`${column} = $${values.length}`)
    }
    let sql = `SELECT id FROM certificates WHERE ${where.join(' AND ')} ORDER BY exp, id`
    if (filter.batch) {
      values.push(filter.batch)
      sql = withinBatch(
        `SELECT id, exp, id, replaces, batch FROM certificates WHERE ${where.join(' AND ')}`,
        `$${values.length}::text`,
      )
    }
    return this.rows<{ id: number }>(sql, values).map((r) => Number(r.id))
  }

  renewedIds(filter: DueFilter): number[] {
    const values: unknown[] = [filter.dueBy]
    const where = ["r.origin = 'renew'", 'r.replaces = c.id', 'r.superseded_by IS NULL', 'c.exp <= $1']
    if (filter.replacedSince !== undefined) {
      values.push(filter.replacedSince)
      where.push(`(r.exp > $1 OR r.created_at >= $${values.length})`)
    } else where.push('r.exp > $1')
    for (const column of ['country', 'type', 'kid'] as const) {
      const value = filter[column]
      if (!value) continue
      values.push(value)
      where.push(`c.${column} = $${values.length}`)
    }
    const from = `FROM certificates c JOIN certificates r ON r.id = c.superseded_by WHERE ${where.join(' AND ')}`
    let sql = `SELECT c.id ${from} ORDER BY c.exp, c.id`
    if (filter.batch) {
      values.push(filter.batch)
      sql = withinBatch(`SELECT c.id, c.exp, c.id, c.replaces, c.batch ${from}`, `$${values.length}::text`)
    }
    return this.rows<{ id: number }>(sql, values).map((r) => Number(r.id))
  }

  batchIds(batch: string): number[] {
    return this.rows<{ id: number }>('SELECT id FROM certificates WHERE batch = $1 ORDER BY id', [batch]).map(
      (r) => r.id,
    )
  }

  batchChainIds(batch: string): number[] {
    return this.rows<{ id: number }>(`${inBatch(1)}SELECT id FROM in_batch ORDER BY id`, [batch]).map((r) =>
      Number(r.id),
    )
  }

  allIds(): number[] {
    return this.rows<{ id: number }>('SELECT id FROM certificates ORDER BY id').map((r) => r.id)
  }

  idsCreatedAfter(seconds: number): number[] {
    return this.rows<{ id: number }>('SELECT id FROM certificates WHERE created_at > $1 ORDER BY id', [
      seconds,
    ]).map((r) => Number(r.id))
  }

  payloadsSince(query: PayloadsSinceQuery, pageSize?: number): Iterable<CertificatePayload[]> {
    const page: PayloadPage = (after, createdAfter, fromId, limit) =>
      this.rows<PayloadRow>(
        'SELECT id, type, payload, created_at AS "createdAt" FROM certificates WHERE id > $1 AND (created_at > $2 OR id >= $3) ORDER BY id LIMIT $4',
        [after, createdAfter, fromId, limit],
      )
    return payloadPages(page, query, pageSize)
  }

  stats(query: StatsQuery): LedgerStats {
    return this.guard(() => pgLedgerStats(this.client, query))
  }

  reserve(
    keys: readonly string[],
    owner: string,
    leaseMs: number,
    takeOverFrom: readonly string[] = [],
  ): Reservation {
    const reserved = new Set(
      this.retried<{ key: string }>(RESERVE, [keys, owner, Math.round(leaseMs), takeOverFrom]).map(
        (r) => r.key,
      ),
    )
    const heldBy = new Map<string, string>()
    const others = keys.filter((k) => !reserved.has(k))
    if (others.length > 0)
      for (const row of this.rows<{ key: string; owner: string }>(
        'SELECT key, owner FROM reservations WHERE key = ANY($1::text[])',
        [others],
      ))
        heldBy.set(row.key, row.owner)
    // a key released between the two statements is held by nobody: reported as held, tried again
    for (const key of others) if (!heldBy.has(key)) heldBy.set(key, '')
    return { reserved, heldBy }
  }

  release(owner: string, alsoOwners: readonly string[] = []): void {
    this.rows(
      `DELETE FROM reservations WHERE owner = $1 OR expires_at < ${SERVER_MS} OR owner = ANY($2::text[])`,
      [owner, alsoOwners],
    )
  }

  reservationOwners(): string[] {
    return this.rows<{ owner: string }>('SELECT DISTINCT owner FROM reservations').map((r) => r.owner)
  }

  reservationCount(): number {
    return this.rows<{ n: number }>('SELECT count(*) AS n FROM reservations')[0]?.n ?? 0
  }

  /** Runs statements on the connection (ledger copy, tests): rows of each. */
  run(queries: Array<{ text: string; values?: unknown[] }>): unknown[][] {
    return this.guard(() => this.client.run(queries))
  }

  close(): void {
    this.client.close()
  }
}
