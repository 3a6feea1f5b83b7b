/**
 * The mode of a QR code's first segment (ISO/IEC 18004:2015 §7.4.1, table 2), read from the module
 * matrix ZXing sampled: HCERT asks for alphanumeric (HCERT §4.2.2), and ZXing reports only the text.
 */
import type { ReadResult } from 'zxing-wasm/reader'
import { MASKS } from './qr-masks.js'

export type QrMode = 'numeric' | 'alphanumeric' | 'byte' | 'kanji' | 'ECI' | 'other'

const MODES: Readonly<Record<number, QrMode>> = {
  0b0001: 'numeric',
  0b0010: 'alphanumeric',
  0b0100: 'byte',
  0b1000: 'kanji',
  0b0111: 'ECI',
}

/**
 * The first codeword is the first data codeword of block 1, placed from the bottom-right corner
 * upwards, right module before left (§7.7.3): its first four bits, unmasked, are the mode indicator.
 * Undefined when ZXing gave no module matrix or data mask (not a QR Model 2 symbol).
 */
export function firstSegmentMode(result: ReadResult): QrMode | undefined {
  const { symbol } = result
  let mask: unknown
  try {
    mask = (JSON.parse(result.extra || '{}') as { DataMask?: unknown }).DataMask
  } catch {
    return undefined
  }
  const unmask = typeof mask === 'number' ? MASKS[mask] : undefined
  const n = symbol?.width ?? 0
  if (!unmask || n < 21 || symbol.height !== n || symbol.data.length < n * n) return undefined
  // 0 is a dark module (a 1 bit); a mirrored symbol was read transposed
  const dark = (i: number, j: number): boolean =>
    (result.isMirrored ? symbol.data[j * n + i] : symbol.data[i * n + j]) === 0
  let indicator = 0
  for (const [i, j] of [
    [n - 1, n - 1],
    [n - 1, n - 2],
    [n - 2, n - 1],
    [n - 2, n - 2],
  ] as const) {
    indicator = (indicator << 1) | (dark(i, j) !== unmask(i, j) ? 1 : 0)
  }
  return MODES[indicator] ?? 'other'
}
