/**
 * `hcert export`: certificates out of the ledger again, as the same JSON Lines lines `hcert issue`
 * writes ({line, id, uvci, type, iat, exp, hc1, replaces}), so that a lost output file is not a lost
 * certificate. Selected by batch, by the input's id (every certificate of that record: the first,
 * then its corrections and renewals), by UVCI, or all; --current keeps those superseded by nothing.
 */
import { idOfKey, type IssuedCertificate } from '../issue/prepare-chunk.js'
import type { StoredCertificate } from '../ledger/ledger.js'
import type { LedgerStore as Ledger } from '../ledger/store.js'

/** An exported line: as issue writes it; `line` is absent for certificates imported by renew. */
export type ExportedCertificate = Omit<IssuedCertificate, 'line'> & { line?: number }

export interface ExportSelection {
  /** certificates recorded under this batch name (issue's --batch, default the input file name) */
  batch?: string
  /** input ids (the `id` column): every certificate of each record */
  ids?: readonly string[]
  /** certificates by UVCI */
  uvcis?: readonly string[]
  /** every certificate (when nothing else selects) */
  all?: boolean
  /** only certificates superseded by nothing (the ones in force) */
  current?: boolean
}

export interface ExportReport {
  exported: number
  /** ids, UVCIs and a batch name asked for that the ledger does not have */
  missing: Array<{ id: string } | { uvci: string } | { batch: string }>
  /** the signal (SIGINT, SIGTERM) that stopped the run before every certificate was written */
  interrupted?: string
}

/** how many certificates are written between two looks at the signal (each look lets a signal in) */
const CHECK_EVERY = 64

/**
 * Writes each selected certificate, in the order the ledger recorded them, to `onCertificate`.
 * When `signal` aborts (Ctrl-C, SIGTERM) it stops before the next certificate and sets
 * `interrupted` to the signal's reason; it lets the event loop run every CHECK_EVERY certificates
 * so that a signal is seen even when `onCertificate` never waits.
 */
export async function exportCertificates(
  ledger: Ledger,
  selection: ExportSelection,
  onCertificate: (certificate: ExportedCertificate) => void | Promise<void>,
  signal?: AbortSignal,
): Promise<ExportReport> {
  const report: ExportReport = { exported: 0, missing: [] }
  let chosen: number[] | undefined
  const narrow = (ids: Iterable<number>): void => {
    const set = new Set(ids)
    chosen = chosen === undefined ? [...set] : chosen.filter((id) => set.has(id))
  }
  if (selection.batch !== undefined) {
    // the batch's certificates and what superseded them since (renewals, corrections): the records
    // first issued in it, each with its whole chain (--current keeps the one in force)
    const ids = ledger.batchChainIds(selection.batch)
    // a batch name no certificate was recorded under (a typing mistake) is missing, as an unknown id is
    if (ids.length === 0) report.missing.push({ batch: selection.batch })
    narrow(ids)
  }
  if (selection.ids?.length || selection.uvcis?.length) {
    const named: number[] = []
    for (const id of selection.ids ?? []) {
      const chain = ledger.chainOf(`id:${id.normalize('NFC').trim()}`)
      if (chain.length === 0) report.missing.push({ id })
      named.push(...chain.map((row) => row.id))
    }
    for (const uvci of selection.uvcis ?? []) {
      const row = ledger.findByUvci(uvci.trim())
      if (row) named.push(row.id)
      else report.missing.push({ uvci })
    }
    narrow(named)
  }
  if (chosen === undefined && selection.all) chosen = ledger.allIds()
  let sinceCheck = 0
  for (const id of (chosen ?? []).sort((a, b) => a - b)) {
    if (signal && ++sinceCheck >= CHECK_EVERY) {
      sinceCheck = 0
      await new Promise((resolve) => setImmediate(resolve))
    }
    if (signal?.aborted) {
      report.interrupted = String(signal.reason ?? 'interrupted')
      break
    }
    const row = ledger.findById(id)
    if (!row || (selection.current && row.supersededBy !== null)) continue
    await onCertificate(exportedLine(ledger, row))
    report.exported++
  }
  return report
}

/** The output line of a stored certificate, as issue (or renew) wrote it. */
export function exportedLine(ledger: Ledger, row: StoredCertificate): ExportedCertificate {
  const id = idOfKey(ledger.recordKeyOf(row))
  const replaces = row.replaces !== null ? ledger.findById(row.replaces)?.uvci : undefined
  return {
    ...(row.line !== null ? { line: row.line } : {}),
    ...(id !== undefined ? { id } : {}),
    uvci: row.uvci,
    type: row.type,
    iat: row.iat,
    exp: row.exp,
    hc1: row.hc1,
    ...(replaces !== undefined ? { replaces } : {}),
  }
}
