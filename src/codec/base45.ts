/** Base45 (RFC 9285): the text encoding HCERT uses so that the QR code can use alphanumeric mode. */
import { DccError } from '../errors.js'

const ALPHABET = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ $%*+-./:'
// every UTF-16 code unit has an entry (-1 unless in the alphabet), so that the hot loop never reads
// past the table's end
const DECODE_TABLE = new Int8Array(0x10000).fill(-1)
for (let i = 0; i < ALPHABET.length; i++) DECODE_TABLE[ALPHABET.charCodeAt(i)] = i

function valueAt(text: string, index: number, offset: number): number {
  const code = text.charCodeAt(index)
  const value = DECODE_TABLE[code] as number
  if (value < 0) {
    throw new DccError(
      'ERR_BASE45',
      `base45: character ${describeChar(text, index)} at position ${offset + index + 1} is not in the alphabet`,
    )
  }
  return value
}

function describeChar(text: string, index: number): string {
  const char = String.fromCodePoint(text.codePointAt(index) ?? 0)
  const code = char.codePointAt(0) ?? 0
  if (code < 0x20 || code === 0x7f || /\s/u.test(char))
    return `U+${code.toString(16).toUpperCase().padStart(4, '0')}`
  return `'${char}'`
}

/**
 * @param offset how many characters preceded `text` in what the user gave (e.g. 4 for `HC1:`), so
 *   that error positions count from the start of their input (1-based).
 */
export function decodeBase45(text: string, offset = 0): Uint8Array {
  if (typeof text !== 'string') throw new TypeError('decodeBase45 expects a string')
  const length = text.length
  const remainder = length % 3
  // a pooled Buffer: a new typed array costs more to allocate than decoding a certificate
  const out = Buffer.allocUnsafe(Math.floor(length / 3) * 2 + (remainder === 2 ? 1 : 0))
  let o = 0
  let i = 0
  // hot path (verify decodes thousands a second): one pass, table lookups inline; a character
  // outside the alphabet reads as -1, which makes the OR of the three negative
  for (; i + 3 <= length; i += 3) {
    const c = DECODE_TABLE[text.charCodeAt(i)] as number
    const d = DECODE_TABLE[text.charCodeAt(i + 1)] as number
    const e = DECODE_TABLE[text.charCodeAt(i + 2)] as number
    if ((c | d | e) < 0) firstInvalid(text, i, offset)
    const n = c + d * 45 + e * 2025
    if (n > 0xffff) {
      throw new DccError(
        'ERR_BASE45',
        `base45: the group at position ${offset + i + 1} encodes ${n}, above 65535`,
      )
    }
    out[o++] = n >> 8
    out[o++] = n & 0xff
  }
  if (remainder === 1) {
    valueAt(text, i, offset)
    throw new DccError(
      'ERR_BASE45',
      `base45: ${length} characters is not a valid length (base45 text has 3n or 3n+2 characters)`,
    )
  }
  if (remainder === 2) {
    const n = valueAt(text, i, offset) + valueAt(text, i + 1, offset) * 45
    if (n > 0xff) {
      throw new DccError(
        'ERR_BASE45',
        `base45: the final pair at position ${offset + i + 1} encodes ${n}, above 255`,
      )
    }
    out[o] = n
  }
  return out
}

function firstInvalid(text: string, from: number, offset: number): never {
  for (let j = from; ; j++) valueAt(text, j, offset)
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
