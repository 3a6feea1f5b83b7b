/**
 * The first stage of issuing a chunk of records: build each payload, check it, and find what the
 * ledger (or the chunk being signed) already has. Nothing is signed or written here.
 */
import { CERTIFICATE_TYPE_NAMES, type CertificateType } from '../dcc/types.js'
import { makeUvci } from '../dcc/uvci.js'
import type { Ledger } from '../ledger/ledger.js'
import { buildDcc, type IssueDefaults, type Rejection } from './build-dcc.js'
import { checkRecord } from './check-record.js'
import type { SignedShape } from './hc1-size.js'
import type { InputRecord } from './read-records.js'

export interface IssuedCertificate {
  line: number
  uvci: string
  type: string
  iat: number
  exp: number
  hc1: string
}

export interface RecordResult {
  record: InputRecord
  /** idempotency key; for a record that could not be read, its line */
  key: string
  certificate?: IssuedCertificate
  rejections?: Rejection[]
}

export interface Pending {
  result: RecordResult
  type: CertificateType
  dcc: Record<string, unknown>
}

export interface PreparedChunk {
  records: InputRecord[]
  /** one per record, in input order */
  results: RecordResult[]
  /** the accepted records still to sign */
  toSign: Pending[]
  /** records found already issued (their results carry the stored certificate) */
  alreadyIssued: number
}

export interface ChunkContext {
  ledger: Ledger
  now: Date
  defaults: IssueDefaults
  uvciIssuer?: string
  /** the certificate types the DSC may sign */
  mayIssue: readonly CertificateType[]
  /** idempotency keys and given UVCIs of the chunks being signed (not in the ledger yet) */
  inFlightKeys: ReadonlyMap<string, number>
  inFlightUvcis: ReadonlySet<string>
  /** the signer's additions, to reject a certificate too long for a QR code before signing it */
  signedShape?: SignedShape
}

export function entryOf(pending: Pending): Record<string, unknown> {
  return (pending.dcc[pending.type] as Array<Record<string, unknown>>)[0] as Record<string, unknown>
}

export function prepareChunk(records: InputRecord[], context: ChunkContext): PreparedChunk {
  let alreadyIssued = 0
  const results: RecordResult[] = []
  const toSign: Pending[] = []
  const builds = records.map((record) => (record.error ? undefined : buildDcc(record.raw, context.defaults)))
  const issuedBefore = context.ledger.issuedForKeys(builds.flatMap((b) => (b ? [b.key] : [])))
  // a record sent twice in one chunk, or in this chunk and one being signed, is flagged; further
  // apart, the second finds the first in the ledger and is written out again as already issued
  const seenInChunk = new Map<string, number>()
  for (const [i, record] of records.entries()) {
    if (record.error) {
      results.push({
        record,
        key: `line:${record.line}`,
        rejections: [{ field: 'record', reason: record.error }],
      })
      continue
    }
    const built = builds[i] as NonNullable<(typeof builds)[number]>
    const key = built.key
    const entry = built.type
      ? (built.dcc[built.type] as Array<Record<string, unknown>> | undefined)?.[0]
      : undefined
    // the UVCI is ours to assign; one given in the input is kept (and must be new to the ledger)
    const givenUvci = entry?.ci !== undefined
    if (entry && !givenUvci)
      entry.ci = makeUvci(String(entry.co ?? context.defaults.country ?? 'XX'), context.uvciIssuer)
    const rejections = checkRecord(built.dcc, built.type, context.now, built.rejections, context.signedShape)
    if (built.type && !context.mayIssue.includes(built.type)) {
      rejections.push({
        field: 'type',
        reason: `the signing certificate may not sign ${CERTIFICATE_TYPE_NAMES[built.type]} certificates (its Extended Key Usage)`,
      })
    }
    if (rejections.length > 0 || !built.type) {
      results.push({
        record,
        key,
        rejections: rejections.length > 0 ? rejections : [{ field: 'type', reason: 'is missing' }],
      })
      continue
    }
    const previous = seenInChunk.get(key) ?? context.inFlightKeys.get(key)
    if (previous !== undefined) {
      results.push({
        record,
        key,
        rejections: [
          {
            field: 'record',
            reason: `is the same record as record ${previous} of this input (issued once)`,
          },
        ],
      })
      continue
    }
    seenInChunk.set(key, record.index)
    const existing = issuedBefore.get(key)
    if (existing) {
      results.push({
        record,
        key,
        certificate: {
          line: record.line,
          uvci: existing.uvci,
          type: existing.type,
          iat: existing.iat,
          exp: existing.exp,
          hc1: existing.hc1,
        },
      })
      alreadyIssued++
      continue
    }
    if (
      givenUvci &&
      (context.ledger.uvciTaken(String(entry?.ci)) || context.inFlightUvcis.has(String(entry?.ci)))
    ) {
      results.push({
        record,
        key,
        rejections: [
          {
            field: 'ci',
            reason: `the UVCI ${String(entry?.ci)} is already used by another certificate in the ledger`,
          },
        ],
      })
      continue
    }
    const result: RecordResult = { record, key }
    results.push(result)
    toSign.push({ result, type: built.type, dcc: built.dcc })
  }

  return { records, results, toSign, alreadyIssued }
}
