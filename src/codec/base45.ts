/** Base45 (RFC 9285): the text encoding HCERT uses so that the QR code can use alphanumeric mode. */
import { DccError } from '../errors.js'

const ALPHABET = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ $%*+-./:'
// every UTF-16 code unit has an entry (-1 unless in the alphabet), so that the hot loop never reads
// past the table's end
const DECODE_TABLE = new Int8Array(0x10000).fill(-1)
for (let i = 0; i < ALPHABET.length; i++) DECODE_TABLE[ALPHABET.charCodeAt(i)] = i

function valueAt(text: string, index: number): number {
  const code = text.charCodeAt(index)
  const value = DECODE_TABLE[code] as number
  if (value < 0) {
    throw new DccError(
      'ERR_BASE45',
      `base45: character ${describeChar(text, index)} at position ${index + 1} is not in the alphabet`,
    )
  }
  return value
}

function describeChar(text: string, index: number): string {
  const char = String.fromCodePoint(text.codePointAt(index) ?? 0)
  const code = char.codePointAt(0) ?? 0
  if (VISIBLE.test(char) && code !== 0xfffd) return `'${char}'`
  return `U+${code.toString(16).toUpperCase().padStart(4, '0')}`
}

// a character that shows as itself: controls, spaces, invisible format characters (U+200B, U+2060,
// U+00AD), private use, combining marks and the replacement character U+FFFD are named by code point
const VISIBLE = /^[\p{L}\p{N}\p{P}\p{S}]$/u

/**
 * Decode `text` from index `start` (e.g. 4, after `HC1:`). Error positions count from the start of
 * `text`, 1-based, so that they point into what the user gave. Reading the whole text from an index,
 * rather than a slice of it, also keeps the hot loop on a flat string (a slice is read through an
 * indirection: ~1.2 µs instead of ~0.85 for a certificate).
 */
export function decodeBase45(text: string, start = 0): Uint8Array {
  if (typeof text !== 'string') throw new TypeError('decodeBase45 expects a string')
  const length = text.length
  const count = length - start
  const remainder = count % 3
  // a pooled Buffer: a new typed array costs more to allocate than decoding a certificate
  const out = Buffer.allocUnsafe(Math.floor(count / 3) * 2 + (remainder === 2 ? 1 : 0))
  let o = 0
  let i = start
  // hot path (verify decodes thousands a second): one pass, table lookups inline; a character
  // outside the alphabet reads as -1, which makes the OR of the three negative
  for (; i + 3 <= length; i += 3) {
    const c = DECODE_TABLE[text.charCodeAt(i)] as number
    const d = DECODE_TABLE[text.charCodeAt(i + 1)] as number
    const e = DECODE_TABLE[text.charCodeAt(i + 2)] as number
    if ((c | d | e) < 0) firstInvalid(text, i)
    const n = c + d * 45 + e * 2025
    if (n > 0xffff) {
      throw new DccError('ERR_BASE45', `base45: the group at position ${i + 1} encodes ${n}, above 65535`)
    }
    out[o++] = n >> 8
    out[o++] = n & 0xff
  }
  if (remainder === 1) {
    valueAt(text, i)
    throw new DccError(
      'ERR_BASE45',
      `base45: ${count} characters is not a valid length (base45 text has 3n or 3n+2 characters)`,
    )
  }
  if (remainder === 2) {
    const n = valueAt(text, i) + valueAt(text, i + 1) * 45
    if (n > 0xff) {
      throw new DccError('ERR_BASE45', `base45: the final pair at position ${i + 1} encodes ${n}, above 255`)
    }
    out[o] = n
  }
  return out
}

/** Throws for the first character from `from` outside the alphabet (the caller knows there is one). */
function firstInvalid(text: string, from: number): never {
  for (let j = from; j < text.length; j++) valueAt(text, j)
  throw new Error('base45: no invalid character where one was expected')
}

const ALPHABET_CODES = Uint8Array.from(ALPHABET, (c) => c.charCodeAt(0))

export function encodeBase45(bytes: Uint8Array): string {
  if (!(bytes instanceof Uint8Array)) throw new TypeError('encodeBase45 expects a Uint8Array')
  const out = Buffer.allocUnsafe(Math.floor(bytes.length / 2) * 3 + (bytes.length % 2) * 2)
  let o = 0
  let i = 0
  for (; i + 2 <= bytes.length; i += 2) {
    let n = (bytes[i] as number) * 256 + (bytes[i + 1] as number)
    const c = n % 45
    n = (n - c) / 45
    const d = n % 45
    out[o++] = ALPHABET_CODES[c] as number
    out[o++] = ALPHABET_CODES[d] as number
    out[o++] = ALPHABET_CODES[(n - d) / 45] as number
  }
  if (i < bytes.length) {
    const n = bytes[i] as number
    out[o++] = ALPHABET_CODES[n % 45] as number
    out[o++] = ALPHABET_CODES[Math.floor(n / 45)] as number
  }
  return out.toString('latin1', 0, o)
}
