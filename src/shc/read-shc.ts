/**
 * From the `shc:/` texts of one SMART Health Card (one, or its chunks in any order) to its JWS in
 * compact form. Errors: ERR_PREFIX, ERR_SHC_CHUNK, ERR_SHC_NUMERIC (see numeric.ts, chunks.ts).
 */
import { DccError } from '../errors.js'
import { joinChunks } from './chunks.js'
import { decodeNumeric, parseShcText, type ShcPart } from './numeric.js'

export interface ShcText {
  /** how many chunks the card came in (1 when not chunked) */
  chunks: number
  digits: string
}

/** The digits of the whole card: the prefix and chunk headers checked, the chunks joined. */
export function unprefixShc(texts: readonly string[]): ShcText {
  const parts: ShcPart[] = texts.map(parseShcText)
  if (parts.length === 1 && parts[0]?.total === 1) return { chunks: 1, digits: parts[0].digits }
  const whole = parts.findIndex((part) => part.total === 1)
  if (whole >= 0) {
    throw new DccError(
      'ERR_SHC_CHUNK',
      `unprefix: ${parts.length} texts were given as one card, but text ${whole + 1} is a whole card, not a chunk (shc:/i/n/…); decode reads one card (verify reads one a line)`,
    )
  }
  return { chunks: parts[0]?.total ?? 0, digits: joinChunks(parts) }
}

/** The JWS of the card. */
export function shcToJws(texts: readonly string[]): { chunks: number; digits: number; jws: string } {
  const { chunks, digits } = unprefixShc(texts)
  return { chunks, digits: digits.length, jws: decodeNumeric(digits) }
}
