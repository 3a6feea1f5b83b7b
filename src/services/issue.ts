/**
 * `hcert issue`: records in, signed certificates out, every record either signed exactly once or
 * rejected with a reason. Records are streamed in chunks; each chunk is checked, signed, committed to
 * the ledger in one transaction, and only then written out. A rerun after any interruption finds the
 * committed records by their idempotency key and writes them out again from the ledger, unsigned twice.
 */
import { createWriteStream, renameSync, type WriteStream } from 'node:fs'
import { holderEventKey } from '../dcc/holder-event.js'
import { allowedTypes } from '../dcc/key-usage.js'
import type { IssueDefaults } from '../issue/build-dcc.js'
import { entryOf, prepareChunk, type IssuedCertificate, type PreparedChunk } from '../issue/prepare-chunk.js'
import { RejectsWriter } from '../issue/rejects-writer.js'
import { readRecords, formatFromName, type InputFormat, type InputRecord } from '../issue/read-records.js'
import { signed, type ImageJob, type JobSigner } from '../issue/sign-jobs.js'
import type { Signer } from '../keys/signer.js'
import type { IssuedRow, Ledger, RejectionRow } from '../ledger/ledger.js'
import type { Duration } from '../time/duration.js'
import { signingWindow } from '../issue/signing-window.js'

export const CHUNK_SIZE = 1000
const CHUNKS_IN_FLIGHT = 2
/** chunks whose QR images may be still being written while the next ones are checked and signed */
const IMAGE_CHUNKS_IN_FLIGHT = 2

interface InFlight {
  prepared: PreparedChunk
  signing: Promise<string[]>
}

export type { IssuedCertificate }

export interface RejectedRecord {
  index: number
  line: number
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
  rejected: number
  rejections: RejectedRecord[]
  warnings: string[]
  dryRun: boolean
  out: string | null
  /** the certificates, when no --out file was given and the caller wants them in the report */
  certificates?: IssuedCertificate[]
}

export interface IssueOptions {
  /** a file, or '-' for stdin; ignored when `records` is given */
  source: string
  records?: AsyncIterable<InputRecord>
  format?: InputFormat
  signer: Signer
  jobSigner: JobSigner
  ledger: Ledger
  batch: string
  now: Date
  validity: Duration
  defaults: IssueDefaults
  /** the issuer segment of generated UVCIs (URN:UVCI:01:VN:<segment>/...) */
  uvciIssuer?: string
  /** JSON Lines of certificates: a file (written whole, then renamed into place) or a callback */
  out?: string
  onCertificate?: (certificate: IssuedCertificate) => void
  qrDir?: string
  rejects?: string
  dryRun: boolean
  onProgress?: (records: number) => void
  /** report rejections for at most this many records (all are counted, and all go to --rejects) */
  maxReportedRejections?: number
}

export async function issueCertificates(options: IssueOptions): Promise<IssueReport> {
  const { signer, ledger, now } = options
  const { iat, exp, warning } = signingWindow(signer, now, options.validity)
  const warnings = warning ? [warning] : []
  const mayIssue = allowedTypes(signer.certificate.eku)
  const kid = Buffer.from(signer.kid).toString('base64')

  const format = options.format ?? (options.source !== '-' ? formatFromName(options.source) : undefined)
  const report: IssueReport = {
    batch: options.batch,
    records: 0,
    issued: 0,
    alreadyIssued: 0,
    rejected: 0,
    rejections: [],
    warnings,
    dryRun: options.dryRun,
    out: options.out ?? null,
  }
  const maxReported = options.maxReportedRejections ?? 1000
  let out: WriteStream | undefined
  const tmpOut = options.out ? `${options.out}.partial` : undefined
  if (tmpOut && !options.dryRun) out = createWriteStream(tmpOut, { mode: 0o600 })
  let rejectsWriter: RejectsWriter | undefined

  const emit = async (certificate: IssuedCertificate): Promise<void> => {
    if (out && !out.write(`${JSON.stringify(certificate)}\n`))
      await new Promise<void>((resolve) => out?.once('drain', () => resolve()))
    options.onCertificate?.(certificate)
  }
  /**
   * QR images are written a chunk at a time, once its certificates are in the ledger, on the
   * signing threads (and on this one while it waits) in parallel with the next chunks' signing.
   */
  const imagesInFlight: Array<Promise<void>> = []
  const writeImages = async (jobs: ImageJob[]): Promise<void> => {
    if (!options.qrDir || jobs.length === 0) return
    const writing = options.jobSigner.writeImages(options.qrDir, jobs)
    writing.catch(() => undefined) // awaited below or at the end; this only keeps a failure from going unhandled
    imagesInFlight.push(writing)
    while (imagesInFlight.length > IMAGE_CHUNKS_IN_FLIGHT)
      await signed(imagesInFlight.shift() as Promise<void>, options.jobSigner)
  }

  /** Waits for a chunk's signatures, commits it to the ledger in one transaction, then writes it out. */
  const finish = async ({ prepared, signing }: InFlight): Promise<void> => {
    const { records, results, toSign } = prepared
    const issuedRows: IssuedRow[] = []
    const rejectionRows: RejectionRow[] = []
    if (!options.dryRun && toSign.length > 0) {
      const hc1s = await signed(signing, options.jobSigner)
      toSign.forEach((pending, i) => {
        const entry = entryOf(pending)
        const hc1 = hc1s[i] as string
        issuedRows.push({
          idempotencyKey: pending.result.key,
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
          holderEvent: holderEventKey(pending.dcc),
          origin: 'issue',
          replaces: null,
        })
        pending.result.certificate = {
          line: pending.result.record.line,
          uvci: String(entry.ci),
          type: pending.type,
          iat,
          exp,
          hc1,
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
          ...r,
        })
      }
    }
    if (!options.dryRun) ledger.record(issuedRows, rejectionRows, now)
    report.issued += issuedRows.length

    const images: ImageJob[] = []
    for (const result of results) {
      if (result.rejections) {
        report.rejected++
        for (const r of result.rejections) {
          if (report.rejections.length < maxReported)
            report.rejections.push({ index: result.record.index, line: result.record.line, ...r })
        }
        if (options.rejects) {
          rejectsWriter ??= new RejectsWriter(options.rejects, format ?? 'jsonl')
          rejectsWriter.write(
            result.record.raw,
            result.rejections.map((r) => `${r.field}: ${r.reason}`).join('; '),
          )
        }
      } else if (result.certificate) {
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
  /** idempotency keys (→ record index) and given UVCIs of the chunks in flight, not yet in the ledger */
  const inFlightKeys = new Map<string, number>()
  const inFlightUvcis = new Set<string>()
  const settle = async (): Promise<void> => {
    const oldest = inFlight.shift()
    if (!oldest) return
    await finish(oldest)
    for (const pending of oldest.prepared.toSign) {
      inFlightKeys.delete(pending.result.key)
      inFlightUvcis.delete(String(entryOf(pending).ci))
    }
  }
  let chunk: InputRecord[] = []
  const flush = async (): Promise<void> => {
    const prepared = prepareChunk(chunk, {
      ledger,
      now,
      defaults: options.defaults,
      ...(options.uvciIssuer ? { uvciIssuer: options.uvciIssuer } : {}),
      mayIssue,
      inFlightKeys,
      inFlightUvcis,
    })
    report.alreadyIssued += prepared.alreadyIssued
    chunk = []
    const signing =
      options.dryRun || prepared.toSign.length === 0
        ? Promise.resolve([])
        : options.jobSigner.sign(
            prepared.toSign.map((p) => ({ dcc: p.dcc, claims: { iss: String(entryOf(p).co), iat, exp } })),
          )
    signing.catch(() => undefined) // awaited in finish(); this only keeps an early failure from going unhandled
    for (const pending of prepared.toSign) {
      inFlightKeys.set(pending.result.key, pending.result.record.index)
      inFlightUvcis.add(String(entryOf(pending).ci))
    }
    inFlight.push({ prepared, signing })
    while (inFlight.length > CHUNKS_IN_FLIGHT) await settle()
  }

  for await (const record of options.records ?? readRecords(options.source, format)) {
    chunk.push(record)
    if (chunk.length >= CHUNK_SIZE) await flush()
  }
  await flush()
  while (inFlight.length > 0) await settle()
  while (imagesInFlight.length > 0) await signed(imagesInFlight.shift() as Promise<void>, options.jobSigner)
  await rejectsWriter?.close()
  if (out && tmpOut && options.out) {
    const stream = out
    await new Promise<void>((resolve, reject) =>
      stream.end((err?: Error | null) => (err ? reject(err) : resolve())),
    )
    renameSync(tmpOut, options.out)
  }
  return report
}
