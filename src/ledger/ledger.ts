/**
 * The issuance ledger: every certificate issued and every record rejected, in SQLite. Writes happen
 * in transactions, so a run killed at any point leaves either whole chunks or nothing; the unique
 * idempotency key makes a rerun issue each input record exactly once, and makes two runs at once on
 * one ledger issue it once between them: a commit takes the write lock first (BEGIN IMMEDIATE,
 * waiting up to the busy timeout), and a row whose key another run committed in the meantime is not
 * inserted but reported back as a conflict (Ledger.record), for the caller to resolve.
 * The file is created readable by its owner only: it holds personal health data.
 * Every SQLite failure comes out as ERR_LEDGER (ledger-error.ts).
 */
import { checkLedgerPath, openReadOnly, secureLedgerFile } from './ledger-file.js'
import { lstatSync, statSync } from 'node:fs'
import Database from 'better-sqlite3'
import { DccError } from '../errors.js'
import { envMilliseconds } from './env-number.js'
import { storedContentFingerprint } from './content-fingerprint.js'
import { committedByRun, ledgerError, ledgerReadError, NOTHING_COMMITTED } from './ledger-error.js'
import { rejectionKey } from './rejection-key.js'
import { certificateHolder, holderFieldOf, holderKey, sameHolder, type RecordHolder } from './holder-key.js'
import { ledgerSecret } from './migrate-rejections.js'
import {
  assertHcertLedger,
  assertSchemaComplete,
  checkSchemaVersion,
  ensureSchema,
  SCHEMA_VERSION,
} from './schema.js'
import { ValidityDeltas } from './validity-counts.js'
import { ledgerStats, type LedgerStats, type StatsQuery } from './stats.js'
import {
  payloadPages,
  type CertificatePayload,
  type PayloadPage,
  type PayloadRow,
  type PayloadsSinceQuery,
} from './payloads-since.js'
import { uvciSpellings, withinBatch, type DueFilter, type LedgerStore, type Reservation } from './store.js'

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
  /** the certificate this one supersedes: a renewal's or a correction's predecessor */
  replaces: number | null
  /** content fingerprint of the payload (content-fingerprint.ts) */
  content: string
}

export interface StoredCertificate extends Omit<IssuedRow, 'content'> {
  id: number
  supersededBy: number | null
  createdAt: number
  /** NULL for certificates recorded by schema 1: use contentOf() */
  content: string | null
}

/** A record key's certificates: the one first issued for it, then its corrections and renewals. */
export interface IssuedRecord {
  /** the record's current certificate: the last of the chain, superseded by nothing */
  head: StoredCertificate
  /** the content fingerprint of head (the content the key stands for now) */
  content: string
  /** UVCIs of every certificate of the chain, first to head */
  uvcis: string[]
}

/**
 * What became of one row given to Ledger.record: inserted with this id, or not inserted because
 * another run committed first: the same idempotency key (`key`), the same UVCI (`uvci`), or, for a
 * renewal or correction, the certificate it replaces was superseded meanwhile (`superseded`).
 */
export type RecordOutcome = { id: number } | { conflict: 'key' | 'uvci' | 'superseded' }

export interface LedgerOptions {
  /** how long to wait for another process's write lock before ERR_LEDGER; default HCERT_LEDGER_TIMEOUT or 30 s */
  busyTimeoutMs?: number
  /**
   * Open for reading only (stats, export): the file must exist, nothing is written to it (no
   * migration, no pragma, no change of mode), so a ledger the user may only read can be read.
   */
  readOnly?: boolean
}

/** Default busy timeout: $HCERT_LEDGER_TIMEOUT (milliseconds, 1..2147483647, else ERR_USAGE), else 30 s. */
export function defaultBusyTimeoutMs(): number {
  return envMilliseconds('HCERT_LEDGER_TIMEOUT', 30_000)
}

/**
 * The fingerprint of a stored certificate, computed from its payload for rows from schema 1.
 * ERR_LEDGER naming the row when that payload is damaged (edited by hand, truncated).
 */
export function contentOf(row: StoredCertificate): string {
  if (row.content !== null) return row.content
  try {
    return storedContentFingerprint(row.payload)
  } catch (cause) {
    throw damagedRow(row.id, cause)
  }
}

/** ERR_LEDGER for a certificate row whose stored payload cannot be read (never quoting it). */
export function damagedRow(id: number, cause?: unknown): DccError {
  return new DccError(
    'ERR_LEDGER',
    `ledger: the certificate in row ${id} has a damaged stored payload (not a DCC payload as hcert wrote it: edited by hand, or truncated); restore the ledger from a backup`,
    cause === undefined ? undefined : { cause },
  )
}

export interface RejectionRow {
  idempotencyKey: string
  batch: string
  line: number
  field: string
  reason: string
  /** the rejected record's holder as read (stored as keyed hashes only: holder-key.ts); absent when not known */
  holder?: RecordHolder | undefined
}

/**
 * `in_batch`: the certificates recorded under `@batch` and every one that superseded them, down
 * their chains (renewals, recorded under `renew <date>`, and corrections, under the corrected
 * file's name): what export's `--batch` selects. The batch's rows come from one pass over the
 * table (the SQLite ledger has no index on batch, as before), each later link from a primary-key
 * look-up; UNION stops at a chain edited into a loop.
 */
const IN_BATCH = `WITH RECURSIVE in_batch(id, next) AS (
  SELECT id, superseded_by FROM certificates WHERE batch = @batch
  UNION
  SELECT c.id, c.superseded_by FROM in_batch b JOIN certificates c ON c.id = b.next
) `

const COLUMNS_BUT_CONTENT = `id, idempotency_key AS idempotencyKey, uvci, type, country, issuer, kid, iat, exp, product, dose, doses,
  payload, hc1, batch, line, holder_event AS holderEvent, origin, replaces, superseded_by AS supersededBy, created_at AS createdAt`

/** The SQLite engine of the ledger (LedgerStore): one file, the embedded default. */
export class Ledger implements LedgerStore {
  readonly engine = 'sqlite' as const
  readonly path: string
  readonly busyTimeoutMs: number
  readonly readOnly: boolean
  private readonly db: Database.Database
  /** the ledger's secret for rejection keys (rejection-key.ts); undefined when read only */
  private readonly secret: string | undefined
  /** the certificates' columns as StoredCertificate names them (content NULL on a schema-1 ledger read only) */
  private readonly columns: string
  private readonly findUvci: Database.Statement<[string], { id: number }>
  private readonly findKey: Database.Statement<[string], { id: number }>
  private readonly findSuperseded: Database.Statement<
    [number],
    { supersededBy: number | null; iat?: number; exp?: number; origin?: string }
  >
  /** undefined when read only */
  private readonly writes:
    | {
        insertIssued: Database.Statement
        markSuperseded: Database.Statement
        addDaily: Database.Statement
        addValidity: Database.Statement
        insertRejection: Database.Statement
        openRejections: Database.Statement<
          [string, number],
          { id: number; holder: string | null; field: string }
        >
        markIssued: Database.Statement
        reserveKey: Database.Statement
        holderOf: Database.Statement<[string], { owner: string }>
        dropReservation: Database.Statement
      }
    | undefined
  private readonly byId: Database.Statement<[number], StoredCertificate>
  private checkpoint: { request(): void } | undefined
  private checkpointEvery = 0
  private rowsSinceCheckpoint = 0
  /** whether this run committed a chunk: what a failure says was kept */
  private committed = false
  /** the certificates this run's committed chunks added, for what a failure says was kept */
  private certificatesCommitted = 0

  constructor(path: string, options: LedgerOptions = {}) {
    this.path = path
    this.busyTimeoutMs = options.busyTimeoutMs ?? defaultBusyTimeoutMs()
    let db: Database.Database | undefined
    try {
      this.readOnly = options.readOnly ?? false
      checkLedgerPath(path)
      if (this.readOnly) db = openReadOnly(path, this.busyTimeoutMs)
      else {
        // an existing file is looked at, read only, before anything changes it (mode, WAL switch)
        if (path !== ':memory:') refuseForeignDatabase(path, this.busyTimeoutMs)
        // created (or made) 0600 before SQLite opens it, never through a symbolic link
        if (path !== ':memory:') secureLedgerFile(path)
        // the timeout is SQLite's busy_timeout: a lock held by another process is waited for that long
        db = new Database(path, { timeout: this.busyTimeoutMs })
      }
      const version = checkSchemaVersion(db, path)
      if (this.readOnly) {
        this.db = db
        this.writes = undefined
        // read as it is: a ledger of schema 1 has no content column (contentOf computes it)
        const names = db.prepare(`SELECT name FROM pragma_table_info('certificates')`).pluck().all()
        if (names.length === 0 && version === 0)
          throw new DccError(
            'ERR_LEDGER',
            // a 0-byte file (made by touch, or by a run stopped before its first commit) is no other database
            path !== ':memory:' && statSync(path, { throwIfNoEntry: false })?.size === 0
              ? `ledger: ${path} is empty (no certificates were issued into it yet)`
              : `ledger: ${path} holds no hcert ledger (no certificates table)`,
          )
        assertHcertLedger(db, path)
        assertSchemaComplete(db, path, version)
        assertSecretKept(db, path)
        this.columns = `${COLUMNS_BUT_CONTENT}, ${names.includes('content') ? 'content' : 'NULL AS content'}`
        this.findUvci = db.prepare('SELECT id FROM certificates WHERE uvci = ?')
        this.findKey = db.prepare('SELECT id FROM certificates WHERE idempotency_key = ?')
        this.findSuperseded = db.prepare(
          'SELECT superseded_by AS supersededBy FROM certificates WHERE id = ?',
        )
        this.byId = db.prepare(`SELECT ${this.columns} FROM certificates WHERE id = ?`)
        return
      }
      // A new ledger gets 16 KB pages (SQLite's default is 4 KB; an existing ledger keeps its own): a
      // row is ~1.5 KB with its payload and HC1 text, and on 4 KB pages a 1,000-row transaction cost
      // 11.5 µs a row, on 16 KB pages 8–8.7 µs (measured alone, checkpoints aside).
      db.pragma('page_size = 16384')
      db.pragma('journal_mode = WAL')
      db.pragma('synchronous = NORMAL')
      // The indexes on idempotency keys (content hashes) and holder/event hashes take keys in random
      // order, so each chunk of 1,000 certificates touches pages all over them (generated UVCIs start
      // with the time, so theirs does not): a 16 MB page cache (default 2 MB) keeps those pages
      // from being read back for every chunk, and checkpoints every 40 MB of WAL (default 4 MB) write
      // each hot page once instead of once per chunk. Measured in README "Benchmarks".
      db.pragma('cache_size = -16384')
      const pageSize = db.pragma('page_size', { simple: true }) as number
      db.pragma(`wal_autocheckpoint = ${Math.round((40 * 1024 * 1024) / pageSize)}`)
      ensureSchema(db, path)
      assertSchemaComplete(db, path, SCHEMA_VERSION)
      this.secret = ensureRejectionSecret(db, path)
      this.db = db
      this.columns = `${COLUMNS_BUT_CONTENT}, content`
      this.findUvci = db.prepare('SELECT id FROM certificates WHERE uvci = ?')
      this.findKey = db.prepare('SELECT id FROM certificates WHERE idempotency_key = ?')
      this.findSuperseded = db.prepare(
        'SELECT superseded_by AS supersededBy, iat, exp, origin FROM certificates WHERE id = ?',
      )
      this.writes = {
        insertIssued: db.prepare(`INSERT INTO certificates (idempotency_key, uvci, type, country, issuer, kid,
      iat, exp, product, dose, doses, payload, hc1, batch, line, holder_event, origin, replaces, created_at, content)
      VALUES (${Array(20).fill('?').join(', ')}) ON CONFLICT DO NOTHING`),
        markSuperseded: db.prepare('UPDATE certificates SET superseded_by = ? WHERE id = ?'),
        addDaily: db.prepare(`INSERT INTO daily_counts VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
      ON CONFLICT DO UPDATE SET count = count + excluded.count`),
        addValidity: db.prepare(`INSERT INTO validity_counts (day, exp_day, origin, superseded, count)
      VALUES (?, ?, ?, ?, ?) ON CONFLICT DO UPDATE SET count = count + excluded.count`),
        insertRejection:
          db.prepare(`INSERT OR IGNORE INTO rejections (idempotency_key, batch, line, field, reason, created_at, holder)
      VALUES (@idempotencyKey, @batch, @line, @field, @reason, @createdAt, @holder)`),
        openRejections: db.prepare(
          'SELECT id, holder, field FROM rejections WHERE idempotency_key = ? AND issued_at IS NULL AND created_at < ?',
        ),
        markIssued: db.prepare('UPDATE rejections SET issued_at = ? WHERE id = ?'),
        reserveKey:
          db.prepare(`INSERT INTO reservations (key, owner, expires_at) VALUES (@key, @owner, @expiresAt)
      ON CONFLICT (key) DO UPDATE SET owner = excluded.owner, expires_at = excluded.expires_at
      WHERE reservations.expires_at < @now OR reservations.owner = @owner OR reservations.owner IN (SELECT value FROM json_each(@takeOver))`),
        holderOf: db.prepare('SELECT owner FROM reservations WHERE key = ?'),
        dropReservation: db.prepare('DELETE FROM reservations WHERE key = ? AND owner = ?'),
      }
      this.byId = db.prepare(`SELECT ${this.columns} FROM certificates WHERE id = ?`)
    } catch (cause) {
      try {
        db?.close()
      } catch {
        // the error that matters is the first one
      }
      throw this.error(cause)
    }
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

  /**
   * The certificates already issued for any of these idempotency keys, in one query (a chunk at a
   * time): for each key found, its current certificate (following corrections and renewals), the
   * content that certificate stands for, and the UVCIs on the way.
   */
  issuedForKeys(keys: readonly string[]): Map<string, IssuedRecord> {
    return this.guard(() => {
      const found = new Map<string, IssuedRecord>()
      for (let i = 0; i < keys.length; i += 500) {
        const part = keys.slice(i, i + 500)
        const rows = this.db
          .prepare(
            `SELECT ${this.columns} FROM certificates WHERE idempotency_key IN (${part.map(() => '?').join(',')})`,
          )
          .all(...part) as StoredCertificate[]
        for (const row of rows) found.set(row.idempotencyKey, this.follow(row))
      }
      return found
    })
  }

  /** The chain from `first` to its current certificate (superseded by nothing). */
  private follow(first: StoredCertificate): IssuedRecord {
    let head = first
    const uvcis = [first.uvci]
    const seen = new Set([first.id])
    while (head.supersededBy !== null) {
      const next = this.byId.get(head.supersededBy)
      if (!next || seen.has(next.id)) break
      seen.add(next.id)
      head = next
      uvcis.push(next.uvci)
    }
    return { head, content: contentOf(head), uvcis }
  }

  /** Every certificate of the record issued under `key`, first to current; empty when none. */
  chainOf(key: string): StoredCertificate[] {
    return this.guard(() => {
      const first = this.db
        .prepare(`SELECT ${this.columns} FROM certificates WHERE idempotency_key = ?`)
        .get(key) as StoredCertificate | undefined
      if (!first) return []
      const chain = [first]
      const seen = new Set([first.id])
      for (let row = first; row.supersededBy !== null;) {
        const next = this.byId.get(row.supersededBy)
        if (!next || seen.has(next.id)) break
        seen.add(next.id)
        chain.push(next)
        row = next
      }
      return chain
    })
  }

  /**
   * The idempotency key of the record a certificate was first issued for (following `replaces`
   * back): `id:<id>` or `sha256:<hash>` for issued records, `import:<UVCI>` for imported ones.
   */
  recordKeyOf(row: StoredCertificate): string {
    return this.guard(() => {
      let first = row
      const seen = new Set([row.id])
      while (first.replaces !== null) {
        const previous = this.byId.get(first.replaces)
        if (!previous || seen.has(previous.id)) break
        seen.add(previous.id)
        first = previous
      }
      return first.idempotencyKey
    })
  }

  /** The idempotency key of the first certificate of the chain `id` is in (a correction's record). */
  private firstKeyOf(id: number): string {
    const row = this.byId.get(id)
    return row ? this.recordKeyOf(row) : ''
  }

  uvciTaken(uvci: string): boolean {
    return this.guard(() => this.findUvci.get(uvci) !== undefined)
  }

  /**
   * One transaction for a whole chunk: all of it lands, or none of it. The transaction takes the
   * write lock first (BEGIN IMMEDIATE: waits up to the busy timeout, then ERR_LEDGER), so what it
   * checks cannot change before it commits. A row whose idempotency key or UVCI is already there,
   * or whose `replaces` is already superseded, is left out (another run committed first): its
   * outcome says why, and the caller decides. Returns one outcome per row of `issued`, in order.
   */
  record(
    issued: readonly IssuedRow[],
    rejected: readonly RejectionRow[],
    now: Date,
    done?: { owner: string; keys: readonly string[] },
  ): RecordOutcome[] {
    const createdAt = Math.floor(now.getTime() / 1000)
    const secret = this.secret
    const writes = this.writes
    if (!writes || !secret) throw new TypeError('Ledger.record: this ledger was opened read only')
    const rejections = rejected.map(({ holder, ...r }) => ({
      ...r,
      idempotencyKey: rejectionKey(secret, r.idempotencyKey),
      holder: holder ? holderKey(secret, holder) : null,
    }))
    let outcomes: RecordOutcome[] = []
    let inserted = 0
    this.guard(() =>
      this.db
        .transaction(() => {
          outcomes = []
          inserted = 0
          const daily = new Map<string, { values: unknown[]; count: number }>()
          const validity = new ValidityDeltas()
          for (const row of issued) {
            let target: ReturnType<typeof this.findSuperseded.get>
            if (row.replaces !== null) {
              target = this.findSuperseded.get(row.replaces)
              if (!target || target.supersededBy !== null) {
                outcomes.push({ conflict: 'superseded' })
                continue
              }
            }
            const { changes, lastInsertRowid } = writes.insertIssued.run(
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
              row.content,
            )
            if (changes === 0) {
              outcomes.push({ conflict: this.findKey.get(row.idempotencyKey) ? 'key' : 'uvci' })
              continue
            }
            inserted++
            outcomes.push({ id: Number(lastInsertRowid) })
            validity.added(row.iat, row.exp, row.origin)
            if (row.replaces !== null && target) {
              writes.markSuperseded.run(lastInsertRowid, row.replaces)
              validity.superseded(target.iat as number, target.exp as number, target.origin as string)
            }
            if (row.origin === 'issue') {
              const key = row.replaces === null ? row.idempotencyKey : this.firstKeyOf(row.replaces)
              for (const id of fixedRejections(
                writes.openRejections.all(rejectionKey(secret, key), createdAt),
                secret,
                row,
              ))
                writes.markIssued.run(createdAt, id)
            }
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
          for (const { values, count } of daily.values()) writes.addDaily.run(...values, count)
          for (const d of validity.all())
            writes.addValidity.run(d.day, d.expDay, d.origin, d.superseded, d.delta)
          for (const row of rejections) writes.insertRejection.run({ ...row, createdAt })
          if (done) for (const key of done.keys) writes.dropReservation.run(key, done.owner)
        })
        .immediate(),
    )
    if (issued.length > 0 || rejected.length > 0) this.committed = true
    this.certificatesCommitted += inserted
    this.rowsSinceCheckpoint += inserted
    if (this.checkpoint && this.rowsSinceCheckpoint >= this.checkpointEvery) {
      this.rowsSinceCheckpoint = 0
      this.checkpoint.request()
    }
    return outcomes
  }

  /** A scan when no row has it (there is no index on kid): renew asks only when it selected nothing. */
  hasKid(kid: string): boolean {
    return this.guard(
      () => this.db.prepare('SELECT 1 FROM certificates WHERE kid = ? LIMIT 1').get(kid) !== undefined,
    )
  }

  /** UVCIs compare without regard to case (uvciSpellings): the stored spelling is tried first. */
  findByUvci(uvci: string): StoredCertificate | undefined {
    return this.guard(() => {
      const find = this.db.prepare(`SELECT ${this.columns} FROM certificates WHERE uvci = ?`)
      for (const spelling of uvciSpellings(uvci)) {
        const row = find.get(spelling) as StoredCertificate | undefined
        if (row) return row
      }
      return undefined
    })
  }

  findById(id: number): StoredCertificate | undefined {
    return this.guard(() => this.byId.get(id))
  }

  /** The newest certificate for the same holder and event (by iat, then id). */
  latestForHolderEvent(holderEvent: string): StoredCertificate | undefined {
    return this.guard(
      () =>
        this.db
          .prepare(
            `SELECT ${this.columns} FROM certificates WHERE holder_event = ? ORDER BY iat DESC, id DESC LIMIT 1`,
          )
          .get(holderEvent) as StoredCertificate | undefined,
    )
  }

  currentForHolderEvents(holderEvents: readonly string[]): Map<string, number[]> {
    return this.guard(() => {
      const found = new Map<string, number[]>()
      for (let i = 0; i < holderEvents.length; i += 500) {
        const part = holderEvents.slice(i, i + 500)
        const rows = this.db
          .prepare(
            `SELECT holder_event AS holderEvent, id FROM certificates WHERE holder_event IN (${part.map(() => '?').join(',')}) AND superseded_by IS NULL ORDER BY id`,
          )
          .all(...part) as Array<{ holderEvent: string; id: number }>
        for (const { holderEvent, id } of rows)
          found.set(holderEvent, [...(found.get(holderEvent) ?? []), id])
      }
      return found
    })
  }

  /**
   * Ids of certificates not yet superseded whose exp is at or before `dueBy`, oldest expiry first.
   * Ids, not rows: the caller writes while it works through them, which an open cursor would forbid.
   */
  dueIds(filter: DueFilter): number[] {
    const where = ['superseded_by IS NULL', 'exp <= @dueBy']
    if (filter.replacedSince !== undefined)
      where.push('NOT (replaces IS NOT NULL AND created_at >= @replacedSince)')
    if (filter.country) where.push('country = @country')
    if (filter.type) where.push('type = @type')
    if (filter.kid) where.push('kid = @kid')
    const sql = filter.batch
      ? withinBatch(
          `SELECT id, exp, id, replaces, batch FROM certificates WHERE ${where.join(' AND ')}`,
          '@batch',
        )
      : `SELECT id FROM certificates WHERE ${where.join(' AND ')} ORDER BY exp, id`
    return this.guard(() => this.db.prepare(sql).pluck().all(filter) as number[])
  }

  renewedIds(filter: DueFilter): number[] {
    const where = [
      "r.origin = 'renew'",
      'r.replaces = c.id',
      'r.superseded_by IS NULL',
      'c.exp <= @dueBy',
      filter.replacedSince !== undefined
        ? '(r.exp > @dueBy OR r.created_at >= @replacedSince)'
        : 'r.exp > @dueBy',
    ]
    if (filter.country) where.push('c.country = @country')
    if (filter.type) where.push('c.type = @type')
    if (filter.kid) where.push('c.kid = @kid')
    const from = `FROM certificates c JOIN certificates r ON r.id = c.superseded_by WHERE ${where.join(' AND ')}`
    const sql = filter.batch
      ? withinBatch(`SELECT c.id, c.exp, c.id, c.replaces, c.batch ${from}`, '@batch')
      : `SELECT c.id ${from} ORDER BY c.exp, c.id`
    return this.guard(() => this.db.prepare(sql).pluck().all(filter) as number[])
  }

  /** Ids of the certificates of a batch (as --batch named it), in the order they were recorded. */
  batchIds(batch: string): number[] {
    return this.guard(
      () =>
        this.db
          .prepare('SELECT id FROM certificates WHERE batch = ? ORDER BY id')
          .pluck()
          .all(batch) as number[],
    )
  }

  batchChainIds(batch: string): number[] {
    return this.guard(
      () =>
        this.db.prepare(`${IN_BATCH}SELECT id FROM in_batch ORDER BY id`).pluck().all({ batch }) as number[],
    )
  }

  /** Ids of every certificate, in the order they were recorded. */
  allIds(): number[] {
    return this.guard(
      () => this.db.prepare('SELECT id FROM certificates ORDER BY id').pluck().all() as number[],
    )
  }

  idsCreatedAfter(seconds: number): number[] {
    return this.guard(
      () =>
        this.db
          .prepare('SELECT id FROM certificates WHERE created_at > ? ORDER BY id')
          .pluck()
          .all(seconds) as number[],
    )
  }

  payloadsSince(query: PayloadsSinceQuery, pageSize?: number): Iterable<CertificatePayload[]> {
    const select = this.guard(() =>
      this.db.prepare(
        'SELECT id, type, payload, created_at AS createdAt FROM certificates WHERE id > ? AND (created_at > ? OR id >= ?) ORDER BY id LIMIT ?',
      ),
    )
    const page: PayloadPage = (after, createdAfter, fromId, limit) =>
      this.guard(() => select.all(after, createdAfter, fromId, limit) as PayloadRow[])
    return payloadPages(page, query, pageSize)
  }

  stats(query: StatsQuery): LedgerStats {
    return this.guard(() => ledgerStats(this.db, query))
  }

  reserve(
    keys: readonly string[],
    owner: string,
    leaseMs: number,
    takeOverFrom: readonly string[] = [],
  ): Reservation {
    const reserved = new Set<string>()
    const heldBy = new Map<string, string>()
    const now = Date.now()
    const takeOver = JSON.stringify(takeOverFrom)
    const writes = this.writes
    if (!writes) throw new TypeError('Ledger.reserve: this ledger was opened read only')
    this.guard(() =>
      this.db
        .transaction(() => {
          for (const key of keys) {
            if (writes.reserveKey.run({ key, owner, expiresAt: now + leaseMs, now, takeOver }).changes > 0)
              reserved.add(key)
            else heldBy.set(key, writes.holderOf.get(key)?.owner ?? '')
          }
        })
        .immediate(),
    )
    return { reserved, heldBy }
  }

  release(owner: string, alsoOwners: readonly string[] = []): void {
    this.guard(() =>
      this.db
        .prepare(
          'DELETE FROM reservations WHERE owner = ? OR expires_at < ? OR owner IN (SELECT value FROM json_each(?))',
        )
        .run(owner, Date.now(), JSON.stringify(alsoOwners)),
    )
  }

  reservationOwners(): string[] {
    return this.guard(
      () => this.db.prepare('SELECT DISTINCT owner FROM reservations').pluck().all() as string[],
    )
  }

  reservationCount(): number {
    return this.guard(() => this.db.prepare('SELECT count(*) FROM reservations').pluck().get() as number)
  }

  /** Direct access for read-only reports (stats) and renewal selection. */
  get database(): Database.Database {
    return this.db
  }

  /** Runs `work`, turning SQLite's failures into ERR_LEDGER with what to do. */
  guard<T>(work: () => T): T {
    try {
      return work()
    } catch (cause) {
      throw this.error(cause)
    }
  }

  /** worded for what this ledger was opened for: a read (stats, export, a dry run) commits no chunk */
  private error(cause: unknown): DccError {
    return this.readOnly
      ? ledgerReadError(cause, this.path, this.busyTimeoutMs)
      : ledgerError(
          cause,
          this.path,
          this.busyTimeoutMs,
          this.committed ? committedByRun(this.certificatesCommitted) : NOTHING_COMMITTED,
        )
  }

  /**
   * Closes the connection. Never throws: what was committed is durable in the write-ahead log
   * already, and a failure here (a full disk at the closing checkpoint) must not hide the error
   * that ended the run.
   */
  close(): void {
    try {
      this.db.close()
    } catch {
      // see above
    }
  }
}

/** An existing, non-empty regular file that is not an hcert ledger is refused untouched (assertHcertLedger). */
function refuseForeignDatabase(path: string, timeoutMs: number): void {
  const stat = lstatSync(path, { throwIfNoEntry: false })
  if (!stat || !stat.isFile() || stat.size === 0) return
  const db = openReadOnly(path, timeoutMs)
  try {
    assertHcertLedger(db, path)
  } finally {
    db.close()
  }
}

/**
 * The ledger's secret for rejection keys (rejection-key.ts): made with the ledger's tables (schema.ts)
 * or by the migration to schema 6, so its table is there (assertSchemaComplete). A row found missing
 * is made only while the ledger holds no rejection (a ledger an earlier hcert made, stopped between
 * its tables and its secret); one deleted from a ledger that holds rejections is ERR_LEDGER
 * (missingSecret): a new secret would no longer match them.
 */
function ensureRejectionSecret(db: Database.Database, path: string): string {
  // a read first: a ledger that has its secret takes no write lock for it
  const found = db.prepare('SELECT secret FROM ledger_secret WHERE id = 1').pluck().get() as
    string | undefined
  if (found) return found
  return db
    .transaction(() => {
      if (db.prepare('SELECT 1 FROM rejections LIMIT 1').get() !== undefined) throw missingSecret(path)
      return ledgerSecret(db)
    })
    .immediate()
}

/**
 * A read-only open makes no secret, but reports the same damage as a writing one (ensureRejectionSecret):
 * ERR_LEDGER (missingSecret) when the ledger_secret row is gone while rejections remain. A ledger older
 * than schema 6 has no ledger_secret table (its rejections are keyed otherwise) and is left as it is.
 */
function assertSecretKept(db: Database.Database, path: string): void {
  const table = db
    .prepare(`SELECT 1 FROM sqlite_schema WHERE type = 'table' AND name = 'ledger_secret'`)
    .get()
  if (table === undefined) return
  if (db.prepare('SELECT 1 FROM ledger_secret WHERE id = 1').get() !== undefined) return
  if (db.prepare('SELECT 1 FROM rejections LIMIT 1').get() !== undefined) throw missingSecret(path)
}

/** ERR_LEDGER for a ledger whose ledger_secret row is gone while rejections keyed with it remain. */
export function missingSecret(where: string): DccError {
  return new DccError(
    'ERR_LEDGER',
    `ledger: ${where} is damaged: its ledger_secret table is empty, while it holds rejections keyed with that secret; hcert does not make a new one, as the rejections recorded would no longer match their records (stats would count them twice). Running again cannot help: restore the ledger from a copy (a backup)`,
  )
}

/**
 * The ids of the open rejections (`candidates`: same record key, not yet marked issued, recorded
 * before) that the certificate `row` fixes: those whose holder is plausibly the same person
 * (holder-key.ts sameHolder; a name may differ only in a field the record's rejections named: those
 * of the candidates with the same stored holder), and those whose holder is not known (a line that
 * could not be read, a rejection recorded before schema 6), matched by the record's key alone.
 */
export function fixedRejections(
  candidates: ReadonlyArray<{ id: number | string; holder: string | null; field?: string | null }>,
  secret: string,
  row: Pick<IssuedRow, 'type' | 'payload'>,
): Array<number | string> {
  if (candidates.length === 0) return []
  const holder = certificateHolder(row.type, row.payload)
  const stored = holder ? holderKey(secret, holder) : undefined
  const named = new Map<string, Set<'surname' | 'given'>>()
  for (const c of candidates) {
    const field = holderFieldOf(c.field ?? '')
    if (c.holder === null || field === undefined) continue
    named.set(c.holder, (named.get(c.holder) ?? new Set()).add(field))
  }
  return candidates
    .filter(
      (c) => c.holder === null || (stored !== undefined && sameHolder(c.holder, stored, named.get(c.holder))),
    )
    .map((c) => c.id)
}
