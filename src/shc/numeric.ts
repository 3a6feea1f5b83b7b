/**
 * The QR text of a SMART Health Card: `shc:/` then the JWS in numeric form, each character as two
 * digits, its code minus 45 (`-` is 00, `z` is 77), optionally after a chunk header `i/n/`
 * (SMART Health Cards 1.4 "Encoding QRs", "Chunking"). Errors: ERR_PREFIX (no `shc:/`, too long),
 * ERR_SHC_CHUNK (a chunk header out of range), ERR_SHC_NUMERIC (a character that is not a digit,
 * an odd number of digits, a pair above 77). Messages give positions, never the text.
 */
import { DccError } from '../errors.js'

export const SHC_PREFIX = 'shc:/'

/** Digits a QR code holds at most (version 40, error correction L, numeric mode), and a prefix. */
export const MAX_SHC_TEXT_LENGTH = 7089 + 32

/** More chunks than this are refused: the spec's own limit is a handful (chunks hold ≤1191 characters). */
export const MAX_SHC_CHUNKS = 16

/** One `shc:/` text: the whole card (`index` 1 of `total` 1) or one of its chunks. */
export interface ShcPart {
  /** 1-based */
  index: number
  total: number
  /** the numeric digits after the prefix and chunk header */
  digits: string
}

const CHUNK_HEADER = /^(\d{1,3})\/(\d{1,3})\//

/** Whether a text is meant as a SMART Health Card (whatever the case of its prefix). */
export const isShcText = (text: string): boolean => /^shc:\//i.test(text)

/** Splits `shc:/` and a chunk header off the digits, without reading them (see decodeNumeric). */
export function parseShcText(text: string): ShcPart {
  if (!text.startsWith(SHC_PREFIX)) {
    throw new DccError(
      'ERR_PREFIX',
      isShcText(text)
        ? `prefix: the text starts with '${text.slice(0, 5)}'; a SMART Health Card starts with 'shc:/' in lower case`
        : "prefix: a SMART Health Card starts with 'shc:/'",
    )
  }
  if (text.length > MAX_SHC_TEXT_LENGTH) {
    throw new DccError(
      'ERR_PREFIX',
      `prefix: the input is ${text.length} characters long; no QR code holds more than ${MAX_SHC_TEXT_LENGTH - 32} digits`,
    )
  }
  const rest = text.slice(SHC_PREFIX.length)
  const header = CHUNK_HEADER.exec(rest)
  if (!header) {
    if (/^\d*\//.test(rest))
      throw new DccError(
        'ERR_SHC_CHUNK',
        "unprefix: the chunk header after 'shc:/' is not 'i/n/' (chunk i of n, both whole numbers)",
      )
    return { index: 1, total: 1, digits: rest }
  }
  const index = Number(header[1])
  const total = Number(header[2])
  if (total < 1 || total > MAX_SHC_CHUNKS || index < 1 || index > total) {
    throw new DccError(
      'ERR_SHC_CHUNK',
      `unprefix: the chunk header says chunk ${index} of ${total}; chunks are numbered 1 to n, n at most ${MAX_SHC_CHUNKS}`,
    )
  }
  return { index, total, digits: rest.slice(header[0].length) }
}

/** The JWS the digits encode: each pair is one character, its code minus 45 (00-77). */
export function decodeNumeric(digits: string): string {
  if (digits.length === 0) throw new DccError('ERR_SHC_NUMERIC', "numeric: there are no digits after 'shc:/'")
  const bad = /[^0-9]/.exec(digits)
  if (bad) {
    throw new DccError(
      'ERR_SHC_NUMERIC',
      `numeric: the character at position ${bad.index + 1} of the digits is not a digit (a SMART Health Card QR holds digits only)`,
    )
  }
  if (digits.length % 2 !== 0) {
    throw new DccError(
      'ERR_SHC_NUMERIC',
      `numeric: ${digits.length} digits is an odd number; each character of the JWS is two digits`,
    )
  }
  const codes = new Uint8Array(digits.length / 2)
  for (let i = 0; i < codes.length; i++) {
    const value = (digits.charCodeAt(2 * i) - 48) * 10 + (digits.charCodeAt(2 * i + 1) - 48)
    if (value > 77) {
      throw new DccError(
        'ERR_SHC_NUMERIC',
        `numeric: the digit pair at position ${2 * i + 1} is ${value}; pairs run from 00 to 77 ('-' to 'z')`,
      )
    }
    codes[i] = value + 45
  }
  return Buffer.from(codes).toString('latin1')
}

/** The numeric form of a JWS (for `shc:/` QR codes); the JWS characters must lie in '-'..'z'. */
export function encodeNumeric(jws: string): string {
  let out = ''
  for (let i = 0; i < jws.length; i++) {
    const value = jws.charCodeAt(i) - 45
    if (value < 0 || value > 77) throw new RangeError(`character ${i + 1} is outside '-'..'z'`)
    out += value < 10 ? `0${value}` : String(value)
  }
  return out
}
