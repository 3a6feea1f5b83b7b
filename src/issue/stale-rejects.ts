/**
 * Nothing lost when a run replaces the rejects file an earlier run left at the same path (issue 11).
 * The earlier file is read before this run reads a record; once the run has committed, each of its
 * records is accounted for when it is issued since (the ledger holds its key) or this run read it
 * (it is issued now, or in the new file with this run's reason); under an id, only a record of
 * plausibly the same holder counts (sites number their rows 1, 2, 3 every day). The others are carried into the
 * new file unchanged, with their reasons, and the run says how many (counts only, never data):
 * those with an id were neither issued since nor in this input; of those without one hcert cannot
 * tell whether this input held them fixed (a fixed record has another content, so another key).
 */
import { existsSync } from 'node:fs'
import { DccError } from '../errors.js'
import type { LedgerStore } from '../ledger/store.js'
import { holderOfPayload, holderOfRecord, holderUnknown, samePerson, type Holder } from './holder-match.js'
import { buildDcc, type IssueDefaults } from './build-dcc.js'
import { buildIcvp } from './build-icvp.js'
import { ICVP_READ_COLUMNS } from './icvp-columns.js'
import type { IssueKind } from './issue-types.js'
import { readRecords, type InputFormat, type InputRecord } from './read-records.js'

/**
 * The records of the rejects file at `path` (none when there is no file). ERR_USAGE when it cannot
 * be read as rejects of `format` (it would be replaced by a file that loses them).
 */
export async function readEarlierRejects(
  path: string,
  format: InputFormat,
  kind: IssueKind | undefined,
): Promise<InputRecord[]> {
  if (!existsSync(path)) return []
  const records: InputRecord[] = []
  try {
    for await (const record of readRecords(
      path,
      format,
      kind === 'icvp' ? { columns: ICVP_READ_COLUMNS } : {},
    ))
      records.push(record)
  } catch (cause) {
    throw new DccError(
      'ERR_USAGE',
      `--rejects ${path} cannot be read as a rejects file of this input's format (${format}), so replacing it could lose its records; give another path`,
      { cause },
    )
  }
  return records
}

export interface EarlierRejects {
  /** the records to carry into the new rejects file, in their order */
  carry: InputRecord[]
  /** of `carry`, those with an id: neither issued since nor in this input */
  outstanding: number
  /** of `carry`, those without an id: hcert cannot tell whether this input held them fixed */
  unsure: number
}

/** Which earlier records are accounted for (see the module comment), and which are carried. */
export function sortEarlierRejects(
  records: readonly InputRecord[],
  context: {
    ledger: LedgerStore
    /** the idempotency keys of the records this run read, each with the holders read under it */
    inputKeys: ReadonlyMap<string, readonly Holder[]>
    defaults: IssueDefaults
    kind?: IssueKind
  },
): EarlierRejects {
  const result: EarlierRejects = { carry: [], outstanding: 0, unsure: 0 }
  for (const record of records) {
    const { key, id } = keyOfEarlier(record, context)
    if (key && accountedFor(record, key, id, context)) continue
    result.carry.push(record)
    if (id) result.outstanding++
    else result.unsure++
  }
  return result
}

/**
 * Whether THIS earlier record was issued since or read in this input. A content key stands for its
 * content; an id is numbered by a site (1, 2, 3 every day), so under an id the record counts only
 * when the holder is plausibly the same person (samePerson: at most one of the standardised names
 * and the date of birth differ, so a record resent with its typo fixed counts). A record of which
 * no holder field could be read (a line that did not parse) is matched by its id alone.
 */
function accountedFor(
  record: InputRecord,
  key: string,
  id: boolean,
  context: { ledger: LedgerStore; inputKeys: ReadonlyMap<string, readonly Holder[]>; kind?: IssueKind },
): boolean {
  const read = context.inputKeys.get(key)
  const chain = context.ledger.chainOf(key)
  if (!id) return read !== undefined || chain.length > 0
  const holder = holderOfRecord(context.kind, record.raw)
  if (holderUnknown(holder)) return read !== undefined || chain.length > 0
  if (read?.some((h) => holderUnknown(h) || samePerson(context.kind, h, holder))) return true
  return chain.some((certificate) => {
    try {
      const payload = JSON.parse(certificate.payload) as Record<string, unknown>
      return samePerson(
        certificate.type === 'icvp' ? 'icvp' : context.kind,
        holderOfPayload(certificate.type, payload),
        holder,
      )
    } catch {
      return false
    }
  })
}

/** The idempotency key of an earlier rejects record (as issue would key it), or its id as typed. */
function keyOfEarlier(
  record: InputRecord,
  context: { defaults: IssueDefaults; kind?: IssueKind },
): { key?: string; id: boolean } {
  if (!record.error) {
    try {
      const { key } = (context.kind === 'icvp' ? buildIcvp : buildDcc)(record.raw, context.defaults)
      return { key, id: key.startsWith('id:') }
    } catch {
      // keyed by its id below, if it has one
    }
  }
  // a record that could not be read: its id as it can be seen (a CSV cell, a JSON text's "id")
  const id = typeof record.raw.id === 'string' ? record.raw.id : idInText(record.source ?? record.text)
  const clean = id?.normalize('NFC').trim()
  return clean ? { key: `id:${clean}`, id: true } : { id: false }
}

/** The value of the first `"id"` key in a JSON text that may not parse, as text. */
function idInText(text: string | undefined): string | undefined {
  const match = text?.match(/"id"\s*:\s*(?:("(?:[^"\\]|\\.)*")|(-?\d+)\b)/)
  if (!match) return undefined
  if (match[2] !== undefined) return match[2]
  try {
    return JSON.parse(match[1] as string) as string
  } catch {
    return undefined
  }
}
