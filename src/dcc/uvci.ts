/**
 * Unique vaccination certificate identifiers (UVCI, eHN guidelines Annex 2):
 * `URN:UVCI:01:<CC>:<issuer>/<unique>#<check>`, with the optional Luhn mod 38 check character over the
 * whole string (code points `A–Z 0–9 / :`). The check character is for print; it is never a validity
 * criterion when reading.
 */
import { randomBytes } from 'node:crypto'

const CODE_POINTS = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789/:'
const N = CODE_POINTS.length

export function luhnMod38(text: string): string {
  let factor = 2
  let sum = 0
  const input = text.toUpperCase()
  for (let i = input.length - 1; i >= 0; i--) {
    const codePoint = CODE_POINTS.indexOf(input[i] as string)
    if (codePoint < 0) throw new TypeError(`luhnMod38: '${input[i]}' is not in the UVCI alphabet`)
    const addend = factor * codePoint
    factor = factor === 2 ? 1 : 2
    sum += Math.floor(addend / N) + (addend % N)
  }
  return CODE_POINTS[(N - (sum % N)) % N] as string
}

export function hasValidChecksum(uvci: string): boolean {
  const [body, check] = uvci.split('#')
  return (
    check !== undefined && check.length === 1 && body !== undefined && luhnMod38(body) === check.toUpperCase()
  )
}

/**
 * The UVCI grammar (eHN guidelines Annex 2; HCERT.md §10), as an issuer writes it in full:
 * `URN:UVCI:01:<CC>:<part>[/<part>[/<part>]]` with each part `[A-Z0-9]+`, CC two letters, and an
 * optional `#` and check character; case-insensitive; at most 80 characters (the DCC schema's
 * limit for `ci`). The check character itself is not verified (HCERT: never a validity criterion).
 */
const UVCI_GRAMMAR = /^URN:UVCI:01:[A-Z]{2}:[A-Z0-9]+(?:\/[A-Z0-9]+){0,2}(?:#[A-Z0-9/:])?$/i
export const MAX_UVCI_LENGTH = 80

/** Whether `text` is a UVCI written in full by the grammar above. */
export function isWellFormedUvci(text: string): boolean {
  return text.length <= MAX_UVCI_LENGTH && UVCI_GRAMMAR.test(text)
}

const UNIQUE_ALPHABET = 'ABCDEFGHJKLMNPQRSTUVWXYZ23456789' // no 0/O or 1/I, for people reading it aloud

// random bytes drawn in bulk: one call per 4 KiB instead of one per UVCI (each call costs ~15 µs here)
let pool = Buffer.alloc(0)
let poolOffset = 0

function takeRandom(length: number): Uint8Array {
  if (poolOffset + length > pool.length) {
    pool = randomBytes(Math.max(4096, length))
    poolOffset = 0
  }
  const out = pool.subarray(poolOffset, poolOffset + length)
  poolOffset += length
  return out
}

/**
 * 20 characters from a 32-letter alphabet: 9 for the time in milliseconds, then 11 random (55 bits,
 * unique without coordination: a collision needs two of 2^55 draws in the same millisecond, and
 * the ledger's unique index would refuse it). The time comes first so that a batch's UVCIs share a
 * prefix: the ledger's UVCI index then takes each chunk in a few pages, not all over the index.
 * The UVCI is opaque to verifiers; nothing reads the time back.
 */
export function randomUniquePart(now: number = Date.now()): string {
  let out = ''
  let time = Math.floor(now)
  for (let i = 0; i < 9; i++) {
    out = UNIQUE_ALPHABET[time % 32] + out
    time = Math.floor(time / 32)
  }
  for (const byte of takeRandom(11)) out += UNIQUE_ALPHABET[byte & 31]
  return out
}

export function makeUvci(
  country: string,
  issuerSegment: string | undefined,
  unique: string = randomUniquePart(),
): string {
  const segment = issuerSegment ? `${issuerSegment.toUpperCase()}/` : ''
  const body = `URN:UVCI:01:${country.toUpperCase()}:${segment}${unique}`
  return `${body}#${luhnMod38(body)}`
}
