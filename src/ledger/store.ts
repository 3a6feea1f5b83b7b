/**
 * The ledger as the commands see it, whichever engine keeps it: SQLite (a file, the embedded
 * default: ledger.ts) or PostgreSQL (a server shared by several machines: pg/postgres-ledger.ts).
 * Both are synchronous (the PostgreSQL connection answers through a thread of its own), both turn
 * every failure into ERR_LEDGER, and both keep the same tables and the same figures.
 *
 * Exactly once across processes: before a chunk is signed, its idempotency keys are reserved
 * (reserve: a row per key in `reservations`, with its owner and a lease). A key another live run
 * holds is not signed here; a key whose lease ran out, or whose owner is a process of this machine
 * that no longer exists, is taken over. The commit of the chunk removes its reservations in the
 * same transaction (record's `done`), and the unique keys stay the last word: a row another run
 * committed first is reported back as a conflict, never stored twice.
 *
 * No reservation outlives the runs: a run that ends (finished, interrupted or failed) removes its
 * own, those of runs of this machine that died (killed: their process is gone), and those whose
 * lease ran out (releaseRun). A killed run's reservation of a key another run has committed since
 * (or had committed just before: the reservation came after the check) is never taken over, since
 * nobody signs that key again: it goes with the next run's end on this machine, or with its lease.
 */
import { hostname } from 'node:os'
import { envMilliseconds } from './env-number.js'
import { randomBytes } from 'node:crypto'
import type { IssuedRecord, IssuedRow, RecordOutcome, RejectionRow, StoredCertificate } from './ledger.js'
import type { LedgerStats, StatsQuery } from './stats.js'
import type { CertificatePayload, PayloadsSinceQuery } from './payloads-since.js'

export type LedgerEngine = 'sqlite' | 'postgres'

export interface DueFilter {
  dueBy: number
  /**
   * leave out the renewals and corrections (rows that replace another) recorded at or after this
   * instant (seconds): with a window as long as their validity they would be due at once, and each
   * run would renew its own renewals
   */
  replacedSince?: number
  country?: string
  type?: string
  /** certificates of this batch's chains (batchChainIds): recorded under it, or superseding one that was */
  batch?: string
  kid?: string
}

/**
 * renew's --batch on top of a selection (SQL for both engines): `seed` selects the candidates as
 * `(start, exp, link, replaces, batch)` (each its own first link), and they are kept when they, or
 * a certificate they replace down their chain (followed back by `replaces`, a primary-key look-up a
 * link), were recorded under the batch in `batchParam`: a renewal (recorded under `renew <date>`)
 * or a correction (under the corrected file's name) stays in its record's first batch. The cost
 * follows the candidates, not the ledger. Ids in the order exp, id; UNION stops at a loop.
 */
export function withinBatch(seed: string, batchParam: string): string {
  return `WITH RECURSIVE chain(start, exp, link, replaces, batch) AS (
  ${seed}
  UNION
  SELECT d.start, d.exp, c.id, c.replaces, c.batch FROM chain d JOIN certificates c ON c.id = d.replaces
  WHERE d.batch <> ${batchParam}
) SELECT start AS id FROM chain WHERE batch = ${batchParam} ORDER BY exp, start`
}

/** What reserve() got: the keys now held by this owner, and who holds the others. */
export interface Reservation {
  reserved: Set<string>
  /** key → owner, for the keys another run holds */
  heldBy: Map<string, string>
}

export interface LedgerStore {
  readonly engine: LedgerEngine
  /** the file, or the server's URL without its password: what messages may show */
  readonly path: string
  issuedForKeys(keys: readonly string[]): Map<string, IssuedRecord>
  chainOf(key: string): StoredCertificate[]
  recordKeyOf(row: StoredCertificate): string
  uvciTaken(uvci: string): boolean
  /**
   * One transaction for a chunk; one outcome per row of `issued`. `done`: reservations of this
   * owner to remove in the same transaction (the chunk's keys, committed or lost).
   */
  record(
    issued: readonly IssuedRow[],
    rejected: readonly RejectionRow[],
    now: Date,
    done?: { owner: string; keys: readonly string[] },
  ): RecordOutcome[]
  findByUvci(uvci: string): StoredCertificate | undefined
  /** whether any certificate (issued, renewed or imported) was signed by this kid (base64) */
  hasKid(kid: string): boolean
  findById(id: number): StoredCertificate | undefined
  latestForHolderEvent(holderEvent: string): StoredCertificate | undefined
  /**
   * The current certificates (superseded by nothing) of these holder-event keys (holderEventKey):
   * key → their ids. One indexed look-up (certificates_holder_event) for a chunk.
   */
  currentForHolderEvents(holderEvents: readonly string[]): Map<string, number[]>
  dueIds(filter: DueFilter): number[]
  /**
   * Ids of the certificates the same filter selects that a renewal already replaced, when that
   * renewal is current (superseded by nothing) and not due itself: what an earlier run of the same
   * renew made, to write out again on a re-run (a resume's output is then complete). Ordered as dueIds.
   */
  renewedIds(filter: DueFilter): number[]
  /** Ids of the certificates recorded under this batch name, in the order they were recorded. */
  batchIds(batch: string): number[]
  /**
   * What `--batch` selects (renew, export): ids of the certificates recorded under this batch name
   * and of every certificate that superseded one of them, down the chain (its renewals, recorded
   * under `renew <date>`, and its corrections, under the corrected file's name), in the order
   * they were recorded. Followed with a recursive query, a primary-key look-up a step.
   */
  batchChainIds(batch: string): number[]
  allIds(): number[]
  /** Ids of the certificates recorded after `seconds` (Unix seconds, created_at > it), in id order. */
  idsCreatedAfter(seconds: number): number[]
  /**
   * The id, type and payload of the certificates recorded after `query.createdAfter` (Unix seconds,
   * created_at > it) or among `query.ids`, in id order, a page of at most `pageSize` rows
   * (default PAYLOAD_PAGE_ROWS) at a time: one query a page (payloads-since.ts). Lazy: each page
   * is read when the one before has been taken; ERR_LEDGER as every read.
   */
  payloadsSince(query: PayloadsSinceQuery, pageSize?: number): Iterable<CertificatePayload[]>
  stats(query: StatsQuery): LedgerStats
  /**
   * Reserves `keys` for `owner` for `leaseMs`: a key nobody holds, one this owner holds already,
   * one whose lease has run out, and one held by an owner in `takeOverFrom` become this owner's.
   */
  reserve(
    keys: readonly string[],
    owner: string,
    leaseMs: number,
    takeOverFrom?: readonly string[],
  ): Reservation
  /**
   * Removes every reservation of `owner` (a run that ends, finished or interrupted), those of the
   * owners in `alsoOwners` (runs of this machine that died: see releaseRun), and those whose lease
   * has run out.
   */
  release(owner: string, alsoOwners?: readonly string[]): void
  /** The owners that hold reservations now (each once). */
  reservationOwners(): string[]
  /** Reservations held now (all owners): for tests and `ledger` diagnostics. */
  reservationCount(): number
  close(): void
}

/** Default lease of a reservation: $HCERT_LEDGER_LEASE (milliseconds, 1..2147483647, else ERR_USAGE), else 60 s. */
export function defaultLeaseMs(): number {
  return envMilliseconds('HCERT_LEDGER_LEASE', 60_000)
}

/** A run's owner name in `reservations`: host, process id and a random part (`host:pid:random`). */
export function newOwner(): string {
  return `${hostname()}:${process.pid}:${randomBytes(4).toString('hex')}`
}

/** Owners among `owners` that are processes of this machine that no longer exist. */
export function deadLocalOwners(owners: Iterable<string>): string[] {
  const here = hostname()
  const dead: string[] = []
  for (const owner of new Set(owners)) {
    const match = /^(.*):(\d+):[0-9a-f]+$/.exec(owner)
    if (!match || match[1] !== here) continue
    const pid = Number(match[2])
    if (pid === process.pid) continue
    try {
      process.kill(pid, 0)
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ESRCH') dead.push(owner)
    }
  }
  return dead
}

/**
 * Reserves `keys` for `owner`, taking over at once the keys of runs of this machine that have
 * died (a killed process need not wait for its lease to run out here; on other machines, it does).
 */
export function reserveKeys(
  ledger: LedgerStore,
  keys: readonly string[],
  owner: string,
  leaseMs = defaultLeaseMs(),
): Reservation {
  if (keys.length === 0) return { reserved: new Set(), heldBy: new Map() }
  const first = ledger.reserve(keys, owner, leaseMs)
  if (first.heldBy.size === 0) return first
  const dead = deadLocalOwners(first.heldBy.values())
  if (dead.length === 0) return first
  const again = ledger.reserve([...first.heldBy.keys()], owner, leaseMs, dead)
  for (const key of again.reserved) first.reserved.add(key)
  return { reserved: first.reserved, heldBy: again.heldBy }
}

/**
 * Ends a run's part in `reservations`: removes `owner`'s reservations, those of runs of this
 * machine whose process is gone (a SIGKILL, a crash: whatever they reserved and did not commit),
 * and those whose lease ran out. A failure here (the ledger gone) is not reported: the error that
 * ended the run is the one that matters, and the leases free the keys in time.
 */
export function releaseRun(ledger: LedgerStore, owner: string): void {
  try {
    ledger.release(owner, deadLocalOwners(ledger.reservationOwners()))
  } catch {
    // left to the leases
  }
}

/**
 * The spellings of a UVCI to look up, as given first: UVCIs compare without regard to case (eHN
 * UVCI guidelines: upper-case letters; hcert signs them upper case, and upper-cases one given in
 * the input), so `urn:uvci:01:vn:…` finds `URN:UVCI:01:VN:…`. An exact lookup each, on the
 * unique index; a certificate recorded elsewhere in mixed case is found as given or all-lower.
 */
export function uvciSpellings(uvci: string): string[] {
  return [...new Set([uvci, uvci.toUpperCase(), uvci.toLowerCase()])]
}
