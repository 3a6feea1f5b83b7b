/**
 * Reassembling a chunked SMART Health Card (`shc:/i/n/…`, SMART Health Cards 1.4 "Chunking"): the
 * chunks may come in any order, from several lines, files or images. Errors: ERR_SHC_CHUNK (chunks
 * of different counts, a chunk given twice with other digits, chunks missing).
 */
import { DccError } from '../errors.js'
import type { ShcPart } from './numeric.js'

/**
 * How a chunk fits the chunks of a card read so far (digits by index): `new`, `duplicate` (the same
 * index with the same digits: the same QR code read twice, merged), or `conflict` (the same index
 * with other digits: another card). The one rule for `decode` (joinChunks) and `verify` (verify-stream.ts).
 */
export function chunkFit(
  byIndex: ReadonlyMap<number, string>,
  part: ShcPart,
): 'new' | 'duplicate' | 'conflict' {
  const seen = byIndex.get(part.index)
  return seen === undefined ? 'new' : seen === part.digits ? 'duplicate' : 'conflict'
}

/** The digits of the whole card, chunks in index order. */
export function joinChunks(parts: readonly ShcPart[]): string {
  const first = parts[0]
  if (!first) throw new DccError('ERR_SHC_CHUNK', 'unprefix: no chunk of a SMART Health Card was given')
  const total = first.total
  const byIndex = new Map<number, string>()
  for (const part of parts) {
    if (part.total !== total) {
      throw new DccError(
        'ERR_SHC_CHUNK',
        `unprefix: the chunks do not agree on their count (${total} and ${part.total}); they are not the chunks of one card`,
      )
    }
    if (chunkFit(byIndex, part) === 'conflict') {
      throw new DccError(
        'ERR_SHC_CHUNK',
        `unprefix: chunk ${part.index} of ${total} is given twice with different digits; they are not the chunks of one card`,
      )
    }
    byIndex.set(part.index, part.digits)
  }
  const missing: number[] = []
  for (let i = 1; i <= total; i++) if (!byIndex.has(i)) missing.push(i)
  if (missing.length > 0) {
    throw new DccError(
      'ERR_SHC_CHUNK',
      `unprefix: chunk${missing.length > 1 ? 's' : ''} ${missing.join(', ')} of ${total} ${missing.length > 1 ? 'are' : 'is'} missing`,
    )
  }
  let digits = ''
  for (let i = 1; i <= total; i++) digits += byIndex.get(i)
  return digits
}
