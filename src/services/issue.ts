/**
 * `hcert issue`: records in, signed certificates out, every record either signed exactly once or
 * rejected with a reason. Records are streamed in chunks; each chunk is checked, signed, committed to
 * the ledger in one transaction, and only then written out. A rerun after any interruption finds the
 * committed records by their idempotency key and writes them out again from the ledger, unsigned twice.
 * Two runs at once on one ledger issue each record once between them, on one machine or several
 * (PostgreSQL): a chunk's keys are reserved before it is signed (store.ts), and a record whose key
 * another live run holds is put aside and looked at again once that run has committed it (or died
 * and its lease has run out): it comes out as already issued, with the ledger's certificate. A
 * chunk's commit still leaves out the records another run committed after this one looked them up
 * (a lease that ran out mid-chunk), and those come out the same way (resolveConflicts).
 */
import { statSync } from 'node:fs'
import { DccError } from '../errors.js'
import { holderEventOf } from '../issue/icvp-holder-event.js'
import { issuableTypes, type IssueKind } from '../issue/issue-types.js'
import type { IssueDefaults } from '../issue/build-dcc.js'
import {
  correctedSince,
  correctionKey,
  entryOf,
  expiredAt,
  idOfKey,
  ledgerReuseRejection,
  lineOf,
  placeOf,
  prepareChunk,
  reusedKeyRejection,
  sameContent,
  uvciField,
  uvciInLedger,
  type IssuedCertificate,
  type Pending,
  type PreparedChunk,
} from '../issue/prepare-chunk.js'
import { signedShapeOf } from '../issue/hc1-size.js'
import { RunKeys } from '../issue/run-keys.js'
import { RejectsWriter } from '../issue/rejects-writer.js'
import { lockOutput } from '../fs/output-lock.js'
import { findConflictingIds, type ConflictingIds } from '../issue/conflicting-ids.js'
import { readEarlierRejects, rejectsWrittenAt, sortEarlierRejects } from '../issue/stale-rejects.js'
import { RunReads } from '../issue/run-reads.js'
import {
  readRecords,
  formatFromName,
  sniffStdin,
  type InputFormat,
  type InputRecord,
} from '../issue/read-records.js'
import { ICVP_READ_COLUMNS } from '../issue/icvp-columns.js'
import { signed, type ImageJob, type JobSigner } from '../issue/sign-jobs.js'
import type { Signer } from '../keys/signer.js'
import type { IssuedRow, RejectionRow } from '../ledger/ledger.js'
import { rejectedHolder } from '../ledger/holder-key.js'
import { newOwner, releaseRun, reserveKeys, type LedgerStore as Ledger } from '../ledger/store.js'
import { AtomicFile } from '../fs/atomic-file.js'
import type { Duration } from '../time/duration.js'
import { signingWindow } from '../issue/signing-window.js'
import { prepareQrDir, refuseOverlappingPaths } from './output-paths.js'

export const CHUNK_SIZE = 1000
/** how long to wait before looking again at records another run is signing: doubles up to the maximum */
const HELD_WAIT_MS = { first: 50, max: 1000 }
const CHUNKS_IN_FLIGHT = 2
/** chunks whose QR images may be still being written while the next ones are checked and signed */
const IMAGE_CHUNKS_IN_FLIGHT = 2

interface InFlight {
  prepared: PreparedChunk
  signing: Promise<string[]>
}

export type { IssuedCertificate }

export interface RejectedRecord {
  /** 1-based position of the record in the input */
  index: number
  /** the line the record starts on */
  line: number
  /** for an element of a JSON array: its 0-based index in the array (all of a one-line array are on line 1) */
  element?: number
  field: string
  reason: string
}

export interface IssueReport {
  batch: string
  /** records read */
  records: number
  /** signed in this run */
  issued: number
  /** found in the ledger from an earlier run of the same records, written out again, not re-signed */
  alreadyIssued: number
  /**
   * of `alreadyIssued`: records whose certificate (the current one: issued, corrected or renewed)
   * had expired at the run's time; written out again all the same, with a warning (hcert renew)
   */
  alreadyIssuedExpired: number
  /**
   * of `alreadyIssued`: records whose content is an earlier version of their record, one a
   * correction superseded since (a resent old batch); the current certificate is written out
   */
  alreadyIssuedCorrected: number
  /** of `issued`, the corrections (--correct): records whose id was issued for other content, signed anew */
  corrected: number
  /**
   * of `issued` (with --dry-run, of `wouldIssue`): records whose holder and event (names, date of
   * birth, disease, dose, date: holderEventKey) already had a current certificate under another
   * idempotency key, in this input or the ledger; issued, with a warning naming their record numbers
   */
  sameHolderEvent: number
  rejected: number
  rejections: RejectedRecord[]
  warnings: string[]
  dryRun: boolean
  /** with --dry-run: the records a real run would sign (issued is 0: nothing is signed) */
  wouldIssue?: number
  /** with --dry-run: of `wouldIssue`, the corrections (--correct) a real run would sign (corrected is 0) */
  wouldCorrect?: number
  out: string | null
  /** the certificates, when no --out file was given and the caller wants them in the report */
  certificates?: IssuedCertificate[]
  /**
   * set when the run was stopped by this signal: the counts are those committed to the ledger; no
   * file was written (the same command resumes)
   */
  interrupted?: string
}

export interface IssueOptions {
  /** a file, or '-' for stdin; ignored when `records` is given */
  source: string
  records?: AsyncIterable<InputRecord>
  format?: InputFormat
  signer: Signer
  jobSigner: JobSigner
  /**
   * the ledger, or how to open it: an opener is called once every check that can fail before a
   * record is read has passed (the DSC's validity, the destinations, the rejects file it replaces),
   * so that such a failure creates no ledger; the caller has checked its path against the outputs
   */
  ledger: Ledger | (() => Ledger)
  batch: string
  now: Date
  /**
   * the real time now (default: the system clock), whatever `now` (--at) says: a correction that
   * would be expired by then is never signed in place of a certificate still valid then
   */
  realNow?: Date
  validity: Duration
  defaults: IssueDefaults
  /** the issuer segment of generated UVCIs (URN:UVCI:01:VN:<segment>/...) */
  uvciIssuer?: string
  /** JSON Lines of certificates: a file (written whole, then renamed into place) or a callback */
  out?: string
  /** stops the run between records: the chunks not yet committed are dropped, no file is written */
  signal?: AbortSignal
  /** each certificate written out (issued, or already issued); never called in a dry run */
  onCertificate?: (certificate: IssuedCertificate) => void
  /** told once, when the run first waits for `records` another run has reserved (its lease) */
  onWaiting?: (records: number) => void
  /** the first record read, before it is checked (its `alone` says whether the input is one JSON object) */
  onFirstRecord?: (record: InputRecord) => void
  qrDir?: string
  rejects?: string
  dryRun: boolean
  onProgress?: (records: number) => void
  /** report rejections for at most this many records (all are counted, and all go to --rejects) */
  maxReportedRejections?: number
  /** issue a record whose id was issued for other content as a correction superseding that certificate */
  correct?: boolean
  /**
   * with `correct`: a record whose content is an earlier version of its certificate, one a
   * correction superseded, is signed as a correction restoring it (`--restore`); without, it is
   * already issued (alreadyIssuedCorrected), so a resent old batch never undoes its corrections
   */
  restore?: boolean
  /** what the records are (`--kind`): EU DCC records (the default) or ICVP records */
  kind?: IssueKind
}

export async function issueCertificates(options: IssueOptions): Promise<IssueReport> {
  const { signer, now } = options
  // first of all: a DSC not valid at `now` signs nothing, and fails before anything is created
  const { iat, exp, warning } = signingWindow(signer, now, options.validity)
  const warnings = warning ? [warning] : []
  const mayIssue = issuableTypes(signer.certificate.eku)
  const kid = Buffer.from(signer.kid).toString('base64')
  const signedShape = signedShapeOf(signer, iat, exp)

  const format = options.format ?? (options.source !== '-' ? formatFromName(options.source) : undefined)
  const report: IssueReport = {
    batch: options.batch,
    records: 0,
    issued: 0,
    alreadyIssued: 0,
    alreadyIssuedExpired: 0,
    alreadyIssuedCorrected: 0,
    corrected: 0,
    sameHolderEvent: 0,
    rejected: 0,
    rejections: [],
    warnings,
    dryRun: options.dryRun,
    ...(options.dryRun ? { wouldIssue: 0, wouldCorrect: 0 } : {}),
    out: options.out ?? null,
  }
  const maxReported = options.maxReportedRejections ?? 1000
  const { signal } = options
  // every destination is checked, and its file created, before a record is read
  refuseOverlappingPaths({
    inputs: [options.source],
    ...(typeof options.ledger !== 'function' && options.ledger.engine === 'sqlite'
      ? { ledger: options.ledger.path }
      : {}),
    ...(options.out ? { out: options.out } : {}),
    ...(options.rejects ? { rejects: options.rejects } : {}),
    ...(options.qrDir ? { qrDir: options.qrDir } : {}),
    ...(format && !options.records ? { inputFormat: format } : {}),
  })
  // stdin of unknown format: the rejects file's own extension says which format to write
  // (a name that does not say: the input's, from stdin's first bytes)
  const rejectsFormat =
    format ??
    (options.rejects ? formatFromName(options.rejects) : undefined) ??
    (options.rejects && !options.dryRun && options.source === '-' && !options.records
      ? await sniffStdin()
      : 'jsonl')
  let out: AtomicFile | undefined
  let rejectsWriter: RejectsWriter | undefined
  let earlier: InputRecord[] = []
  let earlierWrittenAt: number | undefined
  /** the ledger ids of the certificates this run issued (an earlier rejects row issued since: stale-rejects.ts) */
  const issuedNow = new Set<number>()
  /** frees the --rejects path this run took for itself (fs/output-lock.ts) */
  let releaseRejects = (): void => undefined
  const discard = (): void => {
    out?.discard()
    rejectsWriter?.discard()
    releaseRejects()
  }
  if (!options.dryRun) {
    try {
      if (options.out) out = new AtomicFile(options.out, { lockAs: '--out' })
      if (options.rejects) rejectsWriter = new RejectsWriter(options.rejects, rejectsFormat)
      // a second run at this --rejects path stops here, before anything is read or committed
      if (options.rejects) releaseRejects = lockOutput('--rejects', options.rejects)
      if (options.qrDir) prepareQrDir(options.qrDir)
      // the rejects file this run replaces: none of its records may be lost (stale-rejects.ts)
      if (options.rejects) {
        earlierWrittenAt = rejectsWrittenAt(options.rejects)
        earlier = await readEarlierRejects(options.rejects, rejectsFormat, options.kind)
        rejectsWriter?.expectCarried(earlier)
      }
    } catch (err) {
      discard()
      throw err
    }
  }
  let ledger: Ledger
  try {
    ledger = typeof options.ledger === 'function' ? options.ledger() : options.ledger
  } catch (err) {
    discard()
    throw err
  }
  /** what this run read, for the earlier rejects file it replaces (see sortEarlierRejects) */
  const reads = new RunReads(options.kind, options.defaults)

  /**
   * An output (--out, --qr-dir, --rejects) that fails (a full disk) after chunks are committed: the
   * message says they are in the ledger and how to get every line back, as a failed stdout's does.
   */
  const outFailure = (err: unknown): unknown => {
    if (!(err instanceof DccError) || report.issued + report.alreadyIssued === 0) return err
    const batch = /^[\w.-]+$/.test(options.batch)
      ? options.batch
      : `'${options.batch.replaceAll("'", `'\\''`)}'`
    return new DccError(
      err.code,
      `${err.message}; the certificates signed before it are committed to the ledger (${report.issued} by this run): run the same command again to write every record out (none is signed twice), or get them back with hcert export --batch ${batch}`,
      { cause: err },
    )
  }
  const emit = async (certificate: IssuedCertificate): Promise<void> => {
    // a dry run shows nothing it would write: not even the stored lines of records already issued
    if (options.dryRun) return
    try {
      out?.write(`${JSON.stringify(certificate)}\n`)
    } catch (err) {
      throw outFailure(err)
    }
    options.onCertificate?.(certificate)
  }
  /**
   * QR images are written a chunk at a time, once its certificates are in the ledger, on the
   * signing threads (and on this one while it waits) in parallel with the next chunks' signing.
   */
  const imagesInFlight: Array<Promise<void>> = []
  const writeImages = async (jobs: ImageJob[]): Promise<void> => {
    // a dry run writes no image, not even those of certificates already in the ledger
    if (!options.qrDir || options.dryRun || jobs.length === 0) return
    const writing = options.jobSigner.writeImages(options.qrDir, jobs)
    writing.catch(() => undefined) // awaited below or at the end; this only keeps a failure from going unhandled
    imagesInFlight.push(writing)
    while (imagesInFlight.length > IMAGE_CHUNKS_IN_FLIGHT)
      await signed(imagesInFlight.shift() as Promise<void>, options.jobSigner).catch((err: unknown) => {
        throw outFailure(err)
      })
  }

  /**
   * Records another run committed between this run's lookup and its commit (the same key, a given
   * UVCI, or the certificate a correction replaces): the ledger's certificate for the record is
   * written out as already issued when it has this record's content, never a second one; otherwise
   * the record is rejected, as it would have been had the other run committed first.
   */
  const resolveConflicts = (
    lost: ReadonlyArray<{ pending: Pending; conflict: 'key' | 'uvci' | 'superseded' }>,
  ): void => {
    const current = ledger.issuedForKeys(lost.map(({ pending }) => pending.result.key))
    const rejectionRows: RejectionRow[] = []
    for (const { pending, conflict } of lost) {
      const result = pending.result
      delete result.certificate
      const issued = current.get(result.key)
      if (issued && sameContent(issued, pending.content, undefined)) {
        result.certificate = lineOf(placeOf(result.record), result.key, issued)
        if (expiredAt(issued, now)) result.expired = true
        report.alreadyIssued++
        continue
      }
      result.rejections = [
        conflict === 'uvci'
          ? uvciInLedger(result.record, pending.type)
          : issued && !pending.corrects
            ? (ledgerReuseRejection(
                result.key,
                issued,
                pending.type,
                pending.dcc,
                false,
                undefined,
                uvciField(result.record, pending.type),
              ) ?? reusedKeyRejection(result.key))
            : {
                field: 'record',
                reason:
                  'another run corrected or renewed this record at the same time; run again to see what the ledger holds now',
              },
      ]
      for (const r of result.rejections)
        rejectionRows.push({
          idempotencyKey: result.key,
          batch: options.batch,
          line: result.record.line,
          holder: rejectedHolder(options.kind, result.record.raw),
          ...r,
        })
    }
    if (rejectionRows.length > 0) ledger.record([], rejectionRows, now)
  }

  /** records counted in alreadyIssued as repeats of an earlier record of this input, and the first ones' numbers */
  let repeats = 0
  const repeatRecords: number[] = []
  /** record numbers of the first records counted in alreadyIssuedExpired, for the warning */
  const expiredRecords: number[] = []
  /** record numbers of the first records counted in alreadyIssuedCorrected, for the warning */
  const correctedRecords: number[] = []
  /** record numbers of the first records counted in sameHolderEvent, for the warning */
  const sameEventRecords: number[] = []
  const sameEvent = (pending: Pending): void => {
    report.sameHolderEvent++
    if (sameEventRecords.length < 10) sameEventRecords.push(pending.result.record.index)
  }

  /** Waits for a chunk's signatures, commits it to the ledger in one transaction, then writes it out. */
  const finish = async ({ prepared, signing }: InFlight): Promise<void> => {
    const { records, results, toSign } = prepared
    const issuedRows: IssuedRow[] = []
    const rejectionRows: RejectionRow[] = []
    if (!options.dryRun && toSign.length > 0) {
      const hc1s = await signed(signing, options.jobSigner)
      if (signal?.aborted) return // rolled back: nothing of this chunk is committed
      toSign.forEach((pending, i) => {
        const entry = entryOf(pending)
        const hc1 = hc1s[i] as string
        issuedRows.push({
          idempotencyKey: pending.corrects ? correctionKey(pending.corrects.uvci) : pending.result.key,
          uvci: String(entry.ci),
          type: pending.type,
          country: String(entry.co),
          issuer: String(entry.is),
          kid,
          iat,
          exp,
          product: typeof entry.mp === 'string' ? entry.mp : typeof entry.tt === 'string' ? entry.tt : null,
          dose: typeof entry.dn === 'number' ? entry.dn : null,
          doses: typeof entry.sd === 'number' ? entry.sd : null,
          payload: JSON.stringify(pending.dcc),
          hc1,
          batch: options.batch,
          line: pending.result.record.line,
          holderEvent: pending.holderEvent ?? holderEventOf(pending.type, pending.dcc),
          origin: 'issue',
          replaces: pending.corrects?.id ?? null,
          content: pending.content,
        })
        const id = idOfKey(pending.result.key)
        pending.result.certificate = {
          ...placeOf(pending.result.record),
          ...(id !== undefined ? { id } : {}),
          uvci: String(entry.ci),
          type: pending.type,
          iat,
          exp,
          hc1,
          ...(pending.corrects ? { replaces: pending.corrects.uvci } : {}),
        }
      })
    }
    for (const result of results) {
      if (!result.rejections) continue
      for (const r of result.rejections) {
        rejectionRows.push({
          idempotencyKey: result.key,
          batch: options.batch,
          line: result.record.line,
          holder: rejectedHolder(options.kind, result.record.raw),
          ...r,
        })
      }
    }
    if (!options.dryRun) {
      const outcomes = ledger.record(issuedRows, rejectionRows, now, {
        owner,
        keys: toSign.map((p) => p.result.key),
      })
      const lost: Array<{ pending: Pending; conflict: 'key' | 'uvci' | 'superseded' }> = []
      outcomes.forEach((outcome, i) => {
        const pending = toSign[i] as Pending
        if ('conflict' in outcome) lost.push({ pending, conflict: outcome.conflict })
        else {
          report.issued++
          if (earlier.length > 0) issuedNow.add(outcome.id)
          if (pending.corrects) report.corrected++
          if (pending.sameEvent) sameEvent(pending)
        }
      })
      if (lost.length > 0) resolveConflicts(lost)
    } else {
      report.wouldIssue = (report.wouldIssue ?? 0) + toSign.length
      report.wouldCorrect = (report.wouldCorrect ?? 0) + toSign.filter((p) => p.corrects).length
      for (const pending of toSign) if (pending.sameEvent) sameEvent(pending)
    }
    // counted with the chunk's commit: an interrupted run reports what it finished
    report.alreadyIssued += prepared.alreadyIssued

    const images: ImageJob[] = []
    // a repeat of an earlier record of this input gets its own line: the certificate its first
    // record was issued (committed by now: chunks settle in order); no image of its own (same UVCI)
    const repeatKeys = options.dryRun
      ? []
      : results.flatMap((r) => (r.repeatOf !== undefined && !r.rejections ? [r.key] : []))
    const repeated = repeatKeys.length > 0 ? ledger.issuedForKeys(repeatKeys) : undefined
    for (const result of results) {
      rejectsWriter?.noteInputHeader(result.record.header)
      if (earlier.length > 0) {
        reads.add(result.record, result.key)
      }
      if (result.rejections) {
        report.rejected++
        for (const r of result.rejections) {
          if (report.rejections.length < maxReported)
            report.rejections.push({
              index: result.record.index,
              line: result.record.line,
              ...(result.record.element === undefined ? {} : { element: result.record.element }),
              ...r,
            })
        }
        try {
          rejectsWriter?.write(
            result.record,
            result.rejections.map((r) => `${r.field}: ${r.reason}`).join('; '),
          )
        } catch (err) {
          throw outFailure(err)
        }
      } else if (result.repeatOf !== undefined) {
        repeats++
        if (repeatRecords.length < 10) repeatRecords.push(result.record.index)
        // its first copy's line: the current certificate of its content, or of the version a
        // correction has superseded since (a resent old batch)
        const issued = repeated?.get(result.key)
        const content = result.content
        if (
          issued &&
          content !== undefined &&
          (sameContent(issued, content, undefined) ||
            correctedSince(ledger, result.key, issued, content, undefined))
        )
          if (!signal?.aborted) await emit(lineOf(placeOf(result.record), result.key, issued))
      } else if (result.certificate && !signal?.aborted) {
        if (result.expired) {
          report.alreadyIssuedExpired++
          if (expiredRecords.length < 10) expiredRecords.push(result.record.index)
        }
        if (result.correctedSince) {
          report.alreadyIssuedCorrected++
          if (correctedRecords.length < 10) correctedRecords.push(result.record.index)
        }
        await emit(result.certificate)
        images.push({ uvci: result.certificate.uvci, hc1: result.certificate.hc1 })
      }
    }
    await writeImages(images)
    report.records += records.length
    options.onProgress?.(report.records)
  }

  // A pipeline: while the workers sign the chunks in flight, this thread reads and checks the next
  // one, then commits the oldest. Two chunks in flight keep both threads busy through the ups and
  // downs of either (a WAL checkpoint, a garbage collection); one left each waiting ~20% of the time.
  const inFlight: InFlight[] = []
  /** the idempotency keys this run read (→ the first record's index, content, rejected), however long ago */
  const runKeys = new RunKeys()
  /** the holder-event keys of the records this run signs (→ the first record's number) */
  const runEvents = new RunKeys()
  /**
   * Marks the records to sign whose holder and event already have a current certificate under
   * another key: one signed earlier in this run, or in the ledger (other than the one a correction
   * replaces; a renewal is its original's current certificate). They are still signed: two people
   * may share their names, date of birth, dose and day (README "The same holder and event").
   */
  const markSameEvents = (prepared: PreparedChunk): void => {
    if (prepared.toSign.length === 0) return
    const events = prepared.toSign.map((p) => (p.holderEvent ??= holderEventOf(p.type, p.dcc)))
    const current = ledger.currentForHolderEvents([...new Set(events)])
    for (const pending of prepared.toSign) {
      const event = pending.holderEvent as string
      const inLedger = (current.get(event) ?? []).some((id) => id !== pending.corrects?.id)
      if (inLedger || runEvents.get(event) !== undefined) pending.sameEvent = true
      else runEvents.add(event, pending.result.record.index, '0')
    }
  }
  /** given UVCIs of the chunks in flight, not yet in the ledger */
  const inFlightUvcis = new Set<string>()
  const settle = async (): Promise<void> => {
    const oldest = inFlight.shift()
    if (!oldest) return
    await finish(oldest)
    for (const pending of oldest.prepared.toSign) inFlightUvcis.delete(String(entryOf(pending).ci))
  }
  /** this run's name in the ledger's reservations */
  const owner = newOwner()
  /** records whose key another run holds: looked at again later */
  const held: InputRecord[] = []
  /**
   * Reserves the keys of a chunk's records to sign; those another run holds leave the chunk (their
   * results and records) for `held`, to be looked at again once that run has committed them.
   */
  const reserve = (prepared: PreparedChunk): void => {
    const { reserved } = reserveKeys(
      ledger,
      prepared.toSign.map((p) => p.result.key),
      owner,
    )
    if (reserved.size === prepared.toSign.length) return
    const away = new Set<InputRecord>()
    const keyOf = new Map<InputRecord, string>()
    prepared.toSign = prepared.toSign.filter((p) => {
      if (reserved.has(p.result.key)) return true
      away.add(p.result.record)
      keyOf.set(p.result.record, p.result.key)
      return false
    })
    prepared.results = prepared.results.filter((r) => !away.has(r.record))
    prepared.records = prepared.records.filter((r) => !away.has(r))
    for (const record of away) heldKeys.set(keyOf.get(record) as string, record.index)
    held.push(...away)
  }
  /** the keys whose first record is in `held` (→ that record's index) */
  const heldKeys = new Map<string, number>()
  /**
   * A repeat of a record another run holds waits with it in `held` (its line is the certificate its
   * first record gets, not in the ledger yet); it is counted when it comes back.
   */
  const holdRepeats = (prepared: PreparedChunk): void => {
    const away = new Set<InputRecord>()
    for (const r of prepared.results)
      if (r.repeatOf !== undefined && !r.rejections && heldKeys.get(r.key) === r.repeatOf) away.add(r.record)
    if (away.size === 0) return
    prepared.alreadyIssued -= away.size
    prepared.results = prepared.results.filter((r) => !away.has(r.record))
    prepared.records = prepared.records.filter((r) => !away.has(r))
    held.push(...away)
  }
  let chunk: InputRecord[] = []
  let conflicts: ConflictingIds | undefined
  const flush = async (): Promise<void> => {
    const prepared = prepareChunk(chunk, {
      ledger,
      now,
      defaults: options.defaults,
      ...(options.uvciIssuer ? { uvciIssuer: options.uvciIssuer } : {}),
      mayIssue,
      signedShape,
      runKeys,
      inFlightUvcis,
      window: { iat, exp, realNow: Math.floor((options.realNow ?? new Date()).getTime() / 1000) },
      ...(options.correct ? { correct: true } : {}),
      ...(options.correct && options.restore ? { restore: true } : {}),
      ...(options.kind ? { kind: options.kind } : {}),
      ...(conflicts ? { conflicts } : {}),
    })
    chunk = []
    // before reserve(): a record another run holds leaves the chunk for a while, and its key stays
    // its own meanwhile (a later record of the key is this input's repeat or reuse, not the owner)
    for (const [key, seen] of prepared.owned)
      runKeys.add(key, seen.index, seen.content, seen.rejected, seen.uvci)
    if (heldKeys.size > 0)
      for (const r of prepared.results)
        if (r.repeatOf === undefined && heldKeys.get(r.key) === r.record.index) heldKeys.delete(r.key)
    if (!options.dryRun && prepared.toSign.length > 0) reserve(prepared)
    if (heldKeys.size > 0) holdRepeats(prepared)
    markSameEvents(prepared)
    const signing =
      options.dryRun || prepared.toSign.length === 0
        ? Promise.resolve([])
        : options.jobSigner.sign(
            prepared.toSign.map((p) => ({
              dcc: p.dcc,
              claims: {
                iss: String(entryOf(p).co),
                iat,
                exp,
                ...(p.type === 'icvp' ? { key: -6 as const } : {}),
              },
            })),
          )
    signing.catch(() => undefined) // awaited in finish(); this only keeps an early failure from going unhandled
    for (const pending of prepared.toSign) inFlightUvcis.add(String(entryOf(pending).ci))
    inFlight.push({ prepared, signing })
    while (inFlight.length > CHUNKS_IN_FLIGHT) await settle()
  }

  // with --correct, the ids this input gives different contents, before anything is signed
  // (conflicting-ids.ts); stdin, a pipe (/dev/stdin, <(…)) and records given in-process cannot
  // be read twice
  // and of those, the ones the ledger held before this run (a new id given twice stays the first
  // record's, as without --correct)
  if (options.correct && !options.records && options.source !== '-' && isRegularFile(options.source)) {
    const found = await findConflictingIds(options.source, format, {
      defaults: options.defaults,
      ...(options.kind ? { kind: options.kind } : {}),
      ...(signal ? { signal } : {}),
    })
    const issued = found.size > 0 ? ledger.issuedForKeys([...found.keys()]) : new Map()
    conflicts = new Map([...found].filter(([key]) => issued.has(key)))
  }
  try {
    for await (const record of options.records ??
      readRecords(options.source, format, {
        onWarning: (w) => warnings.push(w),
        kind: options.kind ?? 'dcc',
        ...(options.kind === 'icvp' ? { columns: ICVP_READ_COLUMNS } : {}),
        ...(signal ? { signal } : {}),
      })) {
      if (signal?.aborted) break
      if (report.records === 0 && chunk.length === 0 && inFlight.length === 0) options.onFirstRecord?.(record)
      chunk.push(record)
      if (chunk.length >= CHUNK_SIZE) {
        await flush()
        // records another run held are looked at again a chunk at a time, once per chunk of input
        if (held.length >= CHUNK_SIZE && !signal?.aborted) {
          chunk = held.splice(0, CHUNK_SIZE)
          await flush()
        }
      }
    }
    // an empty export (no byte, blank lines, a header row whose rows were lost, `[]`) is no batch:
    // exit 0 with "0 records" would tell a site everything was issued
    if (!signal?.aborted && report.records === 0 && chunk.length === 0 && inFlight.length === 0)
      throw new DccError(
        'ERR_INPUT',
        `${options.source === '-' ? 'stdin' : options.source} holds no record (it is empty, blank lines or a header row only): nothing to issue; check the export`,
      )
    if (!signal?.aborted) await flush()
    for (let wait = HELD_WAIT_MS.first; !signal?.aborted; wait = Math.min(wait * 2, HELD_WAIT_MS.max)) {
      while (inFlight.length > 0 && !signal?.aborted) await settle()
      if (held.length === 0 || signal?.aborted) break
      if (wait === HELD_WAIT_MS.first) options.onWaiting?.(held.length)
      await new Promise((resolve) => setTimeout(resolve, wait))
      // those still held come back to `held`, for the next round after a wait
      const again = held.splice(0)
      for (let i = 0; i < again.length && !signal?.aborted; i += CHUNK_SIZE) {
        chunk = again.slice(i, i + CHUNK_SIZE)
        await flush()
      }
    }
    if (signal?.aborted) {
      // the chunks still in flight are dropped uncommitted; the files are left as they were
      report.interrupted = String(signal.reason ?? 'interrupted')
      // images of committed chunks are finished, so that no temporary image file is left
      await Promise.allSettled(imagesInFlight)
      discard()
      return report
    }
    while (imagesInFlight.length > 0)
      await signed(imagesInFlight.shift() as Promise<void>, options.jobSigner).catch((err: unknown) => {
        throw outFailure(err)
      })
    if (report.sameHolderEvent > 0) {
      const n = report.sameHolderEvent
      const more = n > sameEventRecords.length ? ', …' : ''
      warnings.push(
        `${n} record${n === 1 ? '' : 's'} (record${n === 1 ? '' : 's'} ${sameEventRecords.join(', ')}${more}) ${n === 1 ? 'has' : 'have'} the holder and ${options.kind === 'icvp' ? 'vaccination (name, date of birth, product, date)' : 'vaccination, test or recovery (names, date of birth, disease, dose, date)'} of a current certificate under another id (or none), in this input or the ledger, and ${options.dryRun ? 'would be' : n === 1 ? 'was' : 'were'} issued: check them: one sent twice under two ids should not be handed out twice; one that corrects that certificate is issued with its id and --correct`,
      )
    }
    if (repeats > 0) {
      const n = repeats
      const more = n > repeatRecords.length ? ', …' : ''
      warnings.push(
        `${n} record${n === 1 ? '' : 's'} (record${n === 1 ? '' : 's'} ${repeatRecords.join(', ')}${more}) ${n === 1 ? 'is the same record as an earlier one' : 'are the same records as earlier ones'} of this input: issued once, by the first, and counted as already issued${options.dryRun ? '' : `; ${n === 1 ? 'its line has' : 'their lines have'} the first's certificate`}`,
      )
    }
    if (report.alreadyIssuedCorrected > 0) {
      const n = report.alreadyIssuedCorrected
      const more = n > correctedRecords.length ? ', …' : ''
      warnings.push(
        `${n} record${n === 1 ? '' : 's'} (record${n === 1 ? '' : 's'} ${correctedRecords.join(', ')}${more}) ${n === 1 ? 'is an earlier version of its record' : 'are earlier versions of their records'}: corrected since: ${n === 1 ? 'its' : 'their'} current certificate${n === 1 ? ' (the correction) is' : 's (the corrections) are'} written out again as already issued, nothing is signed (with or without --correct); resend the corrected records rather than the old batch (to undo a mistaken correction, issue the earlier version with --correct --restore)`,
      )
    }
    if (report.alreadyIssuedExpired > 0) {
      const n = report.alreadyIssuedExpired
      const more = n > expiredRecords.length ? ', …' : ''
      warnings.push(
        `${n} record${n === 1 ? '' : 's'} (record${n === 1 ? '' : 's'} ${expiredRecords.join(', ')}${more}) ${n === 1 ? 'was' : 'were'} issued before and ${n === 1 ? 'its certificate has' : 'their certificates have'} expired: ${options.dryRun ? (n === 1 ? 'it would be' : 'they would be') : n === 1 ? 'it is' : 'they are'} written out again as already issued, and no verifier accepts ${n === 1 ? 'it' : 'them'}; give the holders new ones with hcert renew --expired (the ledger's expired certificates) or hcert renew with these certificates`,
      )
    }
    if (rejectsWriter && earlier.length > 0 && options.rejects) {
      const { carry, outstanding, unsure } = sortEarlierRejects(earlier, {
        ledger,
        reads,
        defaults: options.defaults,
        since: { ...(earlierWrittenAt === undefined ? {} : { writtenAt: earlierWrittenAt }), issuedNow },
        ...(options.kind ? { kind: options.kind } : {}),
      })
      for (const record of carry) rejectsWriter.carry(record)
      const records = (count: number): string => `${count} record${count === 1 ? '' : 's'}`
      if (outstanding > 0)
        warnings.push(
          `--rejects ${options.rejects}: ${records(outstanding)} of the rejects file it replaces, neither issued since nor in this input, ${outstanding === 1 ? 'is' : 'are'} carried into it unchanged`,
        )
      if (unsure > 0)
        warnings.push(
          `--rejects ${options.rejects}: ${records(unsure)} without an id of the rejects file it replaces ${unsure === 1 ? 'is' : 'are'} carried into it unchanged: hcert cannot tell whether this input held ${unsure === 1 ? 'it' : 'them'} fixed (a fixed record has other content); remove those it did`,
        )
    }
    try {
      await rejectsWriter?.close()
      out?.commit()
    } catch (err) {
      throw outFailure(err)
    }
  } catch (err) {
    discard()
    throw err
  } finally {
    // what this run reserved and did not commit (an interrupt, a failure), and what runs of this
    // machine that died left, is free again at once
    if (!options.dryRun) releaseRun(ledger, owner)
    releaseRejects()
  }
  return report
}

/** Whether `path` is a regular file (one that can be read twice: not a FIFO, a device or stdin). */
function isRegularFile(path: string): boolean {
  try {
    return statSync(path).isFile()
  } catch {
    return false
  }
}
