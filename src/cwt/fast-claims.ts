/**
 * The CWT claims of an ordinary certificate in one pass over the bytes, straight into the JSON
 * payload: no well-formedness pass, no cbor-x Maps, no conversion afterwards (together ~4 µs of the
 * ~15 µs that verify spends around the signature check).
 *
 * It handles what certificates contain: integers in any width up to 2^53, floats, definite-length
 * strings, arrays and maps, tag 0 on text, true/false/null/undefined; iat and exp as integers from
 * 0 to 10^11. For anything else, and for anything wrong or unexpected (a duplicate map key, another
 * tag, a NumericDate the general path warns about), it returns undefined and parseClaims takes the
 * general path (the well-formedness guard, cbor-x, toJson), which gives the error or the warning its
 * words. So both paths give the same claims for every input the fast one accepts
 * (test/cwt/fast-claims.test.ts compares them).
 */
import { MAX_CBOR_DEPTH } from '../codec/cbor-guard.js'
import { attempt, fallback } from '../codec/fast-path.js'
import { halfFloat } from '../codec/half-float.js'
import { CLAIM, HCERT_EU_DCC_V1, MAX_NUMERIC_DATE, type CwtClaims } from './claims.js'

let bytes: Uint8Array = new Uint8Array(0)
/**
 * Buffer's own latin1 slice, which toString('latin1') calls after checking its arguments: called
 * directly where Node has it (every version to date), through toString otherwise.
 */
const latin1Slice = (Buffer.prototype as { latin1Slice?: (start: number, end: number) => string }).latin1Slice

/** the same bytes as a Buffer, for its native latin1 decoding of ASCII strings */
let latin1: Buffer = Buffer.alloc(0)
let pos = 0
let end = 0

// fatal: invalid UTF-8 goes to the general path; ignoreBOM: a leading U+FEFF is kept, as cbor-x keeps it
const utf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true })

export function parseClaimsFast(payload: Uint8Array): CwtClaims | undefined {
  bytes = payload
  latin1 = Buffer.isBuffer(payload)
    ? payload
    : Buffer.from(payload.buffer, payload.byteOffset, payload.length)
  pos = 0
  end = payload.length
  try {
    const claims = attempt(readClaims)
    return pos === end ? claims : undefined
  } finally {
    bytes = EMPTY
  }
}

const EMPTY = new Uint8Array(0)

/** The argument of a head whose major type the caller has read; only 0..2^53-2^32 (any width). */
function argument(info: number): number {
  if (info < 24) return info
  if (info === 24) {
    if (pos + 1 > end) fallback()
    return bytes[pos++] as number
  }
  if (info === 25) {
    if (pos + 2 > end) fallback()
    const value = ((bytes[pos] as number) << 8) | (bytes[pos + 1] as number)
    pos += 2
    return value
  }
  if (info === 26) {
    if (pos + 4 > end) fallback()
    const value =
      (((bytes[pos] as number) << 24) |
        ((bytes[pos + 1] as number) << 16) |
        ((bytes[pos + 2] as number) << 8) |
        (bytes[pos + 3] as number)) >>>
      0
    pos += 4
    return value
  }
  if (info === 27) {
    if (pos + 8 > end) fallback()
    const high =
      (((bytes[pos] as number) << 24) |
        ((bytes[pos + 1] as number) << 16) |
        ((bytes[pos + 2] as number) << 8) |
        (bytes[pos + 3] as number)) >>>
      0
    if (high >= 0x1fffff) fallback() // beyond 2^53: cbor-x gives a BigInt
    pos += 4
    return high * 0x100000000 + argument(26)
  }
  return fallback() // indefinite lengths, reserved values
}

function readClaims(): CwtClaims {
  const head = next()
  if (head >> 5 !== 5) fallback()
  const entries = argument(head & 31)
  if (entries > (end - pos) / 2) fallback()
  let iss: unknown
  let iat: unknown
  let exp: unknown
  let hcert: Record<string, unknown> | undefined
  claimCount = 0
  for (let i = 0; i < entries; i++) {
    const key = readKey()
    see(key, 0, claimCount++)
    if (key === CLAIM.iss) {
      if ((bytes[pos] as number) >> 5 !== 3) fallback() // a tagged or non-text iss: the general path
      iss = readValue(1)
    } else if (key === CLAIM.iat) iat = readTime()
    else if (key === CLAIM.exp) exp = readTime()
    else if (key === CLAIM.hcert) hcert = readHcert()
    else skip(1)
  }
  if (hcert === undefined) fallback()
  const claims: CwtClaims = { hcert }
  if (iss !== undefined) {
    if (typeof iss !== 'string') fallback()
    claims.iss = iss
  }
  if (iat !== undefined) claims.iat = iat as number
  if (exp !== undefined) claims.exp = exp as number
  return claims
}

function next(): number {
  if (pos >= end) fallback()
  return bytes[pos++] as number
}

// the keys read so far of the claims map (from 0) and of the -260 map (from HCERT_KEYS): a duplicate
// goes to the general path, which refuses it (a handful of keys: a linear search beats a Set)
const seen: Array<number | string> = []
const HCERT_KEYS = 64
let claimCount = 0
let hcertCount = HCERT_KEYS

function see(key: number | string, from: number, count: number): void {
  for (let i = from; i < count; i++) if (seen[i] === key) fallback()
  if (count - from >= HCERT_KEYS) fallback()
  seen[count] = key
}

/** a map key at the claims level: an integer or a text string */
function readKey(): number | string {
  const head = next()
  const major = head >> 5
  if (major === 0) return argument(head & 31)
  if (major === 1) return -1 - argument(head & 31)
  if (major === 3) return text(argument(head & 31))
  return fallback()
}

/** iat or exp: an unsigned integer below 10^11; anything else (tag 1, a float, text…) the general path words */
function readTime(): number {
  const head = next()
  if (head >> 5 !== 0) fallback()
  const value = argument(head & 31)
  if (value >= MAX_NUMERIC_DATE) fallback()
  return value
}

/** -260: a map whose key 1 is the DCC (unknown keys are read and dropped; a WHO payload key falls back) */
function readHcert(): Record<string, unknown> {
  const head = next()
  if (head >> 5 !== 5) fallback()
  const entries = argument(head & 31)
  if (entries > (end - pos) / 2) fallback()
  let dcc: unknown
  hcertCount = HCERT_KEYS
  for (let i = 0; i < entries; i++) {
    const key = readKey()
    see(key, HCERT_KEYS, hcertCount++)
    if (key === HCERT_EU_DCC_V1) {
      if ((bytes[pos] as number) >> 5 !== 5) fallback()
      dcc = readValue(2)
    } else if (key === -6 || key === 3 || key === 4 || key === 5)
      fallback() // a second payload beside the DCC: the general path refuses it
    else skip(2)
  }
  if (dcc === undefined) fallback()
  return dcc as Record<string, unknown>
}

function text(length: number): string {
  if (length > end - pos) fallback()
  const start = pos
  pos += length
  for (let i = start; i < pos; i++) if ((bytes[i] as number) >= 0x80) return decodeUtf8(start, pos)
  // one string, sliced natively: building it a character at a time made a string per character
  return latin1Slice ? latin1Slice.call(latin1, start, pos) : latin1.toString('latin1', start, pos)
}

/**
 * A map key of 1 to 3 bytes (every key of the DCC: ver, nam, fnt, tg, ci…), as the same string
 * object each time rather than a new one per certificate; the bytes themselves are the cache key.
 */
const shortKeys = new Map<number, string>()

function shortKey(length: number): string {
  if (pos + length > end) fallback()
  let packed = length
  for (let i = 0; i < length; i++) packed = (packed << 8) | (bytes[pos + i] as number)
  let key = shortKeys.get(packed)
  if (key === undefined) {
    key = text(length)
    // bounded: hostile input cannot grow it past a few thousand keys
    if (shortKeys.size < 4096) shortKeys.set(packed, key)
    return key
  }
  pos += length
  return key
}

function decodeUtf8(start: number, stop: number): string {
  try {
    return utf8.decode(bytes.subarray(start, stop))
  } catch {
    return fallback() // invalid UTF-8: cbor-x decides what it reads as
  }
}

/**
 * A value as JSON (maps with text keys become objects, tags 0/1 give their content, undefined
 * becomes null); byte strings and non-text keys need the general path, which names them in errors.
 */
function readValue(depth: number): unknown {
  if (depth > MAX_CBOR_DEPTH) fallback()
  const head = next()
  const info = head & 31
  switch (head >> 5) {
    case 0:
      return argument(info)
    case 1:
      return -1 - argument(info)
    case 3:
      return text(argument(info))
    case 4: {
      // a container at depth d is level d + 1 of the guard, which allows 32
      if (depth >= MAX_CBOR_DEPTH) fallback()
      const length = argument(info)
      if (length > end - pos) fallback()
      const out = new Array<unknown>(length)
      for (let i = 0; i < length; i++) out[i] = readValue(depth + 1)
      return out
    }
    case 5: {
      if (depth >= MAX_CBOR_DEPTH) fallback()
      const entries = argument(info)
      if (entries > (end - pos) / 2) fallback()
      const out: Record<string, unknown> = {}
      for (let i = 0; i < entries; i++) {
        const keyHead = next()
        if (keyHead >> 5 !== 3) fallback()
        const key =
          keyHead >= 0x61 && keyHead <= 0x63 ? shortKey(keyHead - 0x60) : text(argument(keyHead & 31))
        // a key seen before (or one that Object.prototype holds, as toString) goes to the general path
        if (out[key] !== undefined) fallback()
        out[key] = readValue(depth + 1)
      }
      return out
    }
    case 6: {
      if (depth >= MAX_CBOR_DEPTH) fallback()
      // tag 0 on a date-time text is expected; any other tag the general path warns about
      if (argument(info) !== 0 || (bytes[pos] as number) >> 5 !== 3) fallback()
      return readValue(depth + 1)
    }
    case 7:
      return simple(info)
    default:
      return fallback() // byte strings
  }
}

/** A claim that is not read: checked as readValue checks, but byte strings and any keys allowed. */
function skip(depth: number): void {
  const head = next()
  const info = head & 31
  switch (head >> 5) {
    case 0:
    case 1:
      argument(info)
      return
    case 2:
    case 3: {
      const length = argument(info)
      if (length > end - pos) fallback()
      if (head >> 5 === 3) text(length)
      else pos += length
      return
    }
    case 4:
    case 5: {
      if (depth >= MAX_CBOR_DEPTH) fallback()
      const count = argument(info)
      if (head >> 5 === 5 && count > 1) fallback() // its keys might repeat: the general path checks
      const items = count * (head >> 5 === 5 ? 2 : 1)
      if (items > end - pos) fallback()
      for (let i = 0; i < items; i++) skip(depth + 1)
      return
    }
    case 6: {
      if (depth >= MAX_CBOR_DEPTH) fallback()
      const tag = argument(info)
      if (tag !== 0 && tag !== 1) fallback()
      skip(depth + 1)
      return
    }
    default:
      simple(info)
  }
}

function simple(info: number): unknown {
  switch (info) {
    case 20:
      return false
    case 21:
      return true
    case 22:
    case 23:
      return null
    case 25: {
      if (pos + 2 > end) fallback()
      const half = ((bytes[pos] as number) << 8) | (bytes[pos + 1] as number)
      pos += 2
      return halfFloat(half)
    }
    case 26: {
      if (pos + 4 > end) fallback()
      const value = new DataView(bytes.buffer, bytes.byteOffset + pos, 4).getFloat32(0)
      pos += 4
      return value
    }
    case 27: {
      if (pos + 8 > end) fallback()
      const value = new DataView(bytes.buffer, bytes.byteOffset + pos, 8).getFloat64(0)
      pos += 8
      return value
    }
    default:
      return fallback()
  }
}
