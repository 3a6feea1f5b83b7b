/**
 * A run that rejects nothing may remove the rejects file an earlier run left at the same path only
 * when every record in it is accounted for: issued since, under its `id` (the ledger holds a
 * certificate for `id:<id>`). Otherwise the file may be another batch's, whose records exist nowhere
 * else: it is kept, and the run warns with a count (never a record's data).
 */
import { existsSync } from 'node:fs'
import type { LedgerStore } from '../ledger/store.js'
import { readRecords, type InputFormat } from './read-records.js'

/** How many records of the rejects file at `path` are not issued since (0: it may be removed). */
export async function outstandingRejects(
  path: string,
  format: InputFormat,
  ledger: LedgerStore,
): Promise<number> {
  if (!existsSync(path)) return 0
  let outstanding = 0
  try {
    for await (const record of readRecords(path, format)) {
      const id = record.error === undefined ? record.raw.id : undefined
      const key = typeof id === 'string' && id.trim() !== '' ? `id:${id.normalize('NFC').trim()}` : undefined
      if (!key || ledger.chainOf(key).length === 0) outstanding++
    }
  } catch {
    return Math.max(outstanding, 1) // not readable as rejects of this format: not ours to remove
  }
  return outstanding
}
