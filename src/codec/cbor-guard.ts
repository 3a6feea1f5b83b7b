/**
 * A single iterative pass over CBOR bytes that proves them well-formed and small before any
 * decoder allocates: every declared length must fit in the bytes that remain, nesting is bounded,
 * and nothing trails the item. Hostile input (an array declaring 2^32 items, 10,000-deep nesting)
 * is refused here in O(length) time with no recursion.
 *
 * It also refuses what is well-formed but not valid CBOR (RFC 8949 §5.3.1, §5.6; RFC 9052 §14): a
 * map holding the same key twice, however the two keys are written (4 and the 8-byte form of 4 are
 * one key; text keys are compared as their bytes), and a text string that is not UTF-8.
 *
 * And it finds what cbor-x would not give back as it is written (CborShape.placeholders): the tags
 * cbor-x reads as its own extensions (packed values 216..255 and 27647..32767, records and string
 * bundles 57337..65535, 1811940352..2147483647, 'Shrd'; the self-described CBOR tag 55799, which
 * it drops) and the unassigned simple values (0..19, 32..255), which it cannot read at all.
 */
import { isUtf8 } from 'node:buffer'
import { DccError } from '../errors.js'
import { describeKey, keyFingerprint } from './cbor-key.js'

export const MAX_CBOR_DEPTH = 32

// reused between calls (the guard runs to completion synchronously): a new typed array per call
// cost more than checking a certificate
const SCRATCH_DEPTH = 64
const REMAINING = new Float64Array(SCRATCH_DEPTH)
const CHUNK_TYPE = new Int8Array(SCRATCH_DEPTH)
const ITEMS_DONE = new Float64Array(SCRATCH_DEPTH)
const KEY_START = new Float64Array(SCRATCH_DEPTH)
const KEYS: Array<Set<string> | undefined> = new Array<Set<string> | undefined>(SCRATCH_DEPTH)

/**
 * The tag decodeCbor writes in place of one that cbor-x would interpret (cbor.ts): a tag cbor-x has
 * no meaning for, itself always replaced when it occurs, so that its queue of originals stays aligned.
 */
export const PLACEHOLDER_TAG = 999

/** Tags that cbor-x reads as its own extensions, or drops (55799), rather than giving back as tags. */
export function isCborXSpecialTag(tag: number): boolean {
  return (
    (tag >= 216 && tag <= 255) ||
    (tag >= 27647 && tag <= 32767) ||
    (tag >= 55799 && tag <= 0xffff) ||
    tag === PLACEHOLDER_TAG ||
    tag === 0x53687264 ||
    (tag >= 1811940352 && tag <= 2147483647)
  )
}

/** An item decodeCbor rewrites before cbor-x reads it: a tag head, or an unassigned simple value. */
export interface Placeholder {
  /** where the head starts and ends in the bytes */
  from: number
  to: number
  kind: 'tag' | 'simple'
  value: number
}

/** What the pass saw that the decoder's caller must know. */
export interface CborShape {
  /** some integer is in the 8-byte form, which cbor-x decodes as a BigInt whatever its value */
  wideIntegers: boolean
  /** items cbor-x cannot give back as written, in the order of the bytes; undefined when none */
  placeholders: Placeholder[] | undefined
}

function fail(message: string): never {
  throw new DccError('ERR_CBOR', `cbor: ${message}`)
}

export function checkCborWellFormed(
  bytes: Uint8Array,
  what: string,
  maxDepth: number = MAX_CBOR_DEPTH,
): CborShape {
  const end = bytes.length
  if (end === 0) fail(`${what} is empty`)
  // the open containers, as two parallel stacks (no object per container: this runs on every
  // certificate verified): items still expected, -1 for indefinite length (ends with a break); and
  // for an indefinite string, the only major type its chunks may have (-1 otherwise)
  const remaining = maxDepth <= SCRATCH_DEPTH ? REMAINING : new Float64Array(maxDepth)
  const chunkType = maxDepth <= SCRATCH_DEPTH ? CHUNK_TYPE : new Int8Array(maxDepth)
  // per open container: items completed (in a map, even = the next item is a key), where the key
  // being read started, and the keys seen so far (undefined for arrays, tags and strings)
  const small = maxDepth <= SCRATCH_DEPTH
  const itemsDone = small ? ITEMS_DONE : new Float64Array(maxDepth)
  const keyStart = small ? KEY_START : new Float64Array(maxDepth)
  const keys = small ? KEYS : new Array<Set<string> | undefined>(maxDepth)
  let wideIntegers = false
  let placeholders: Placeholder[] | undefined
  let depth = 0
  let pos = 0
  let done = false
  while (!done) {
    if (pos >= end) fail(`${what} is truncated at byte ${pos} of ${end}`)
    const start = pos
    const initial = bytes[pos++] as number
    const major = initial >> 5
    const info = initial & 0x1f
    const inString = depth > 0 && (chunkType[depth - 1] as number) >= 0
    if (depth > 0 && keys[depth - 1] !== undefined && (itemsDone[depth - 1] as number) % 2 === 0)
      keyStart[depth - 1] = start

    if (initial === 0xff) {
      if (depth === 0 || remaining[depth - 1] !== -1)
        fail(`${what} has an unexpected break byte at byte ${start}`)
      if (keys[depth - 1] !== undefined && (itemsDone[depth - 1] as number) % 2 === 1)
        fail(`${what} has a map key without a value before the break at byte ${start}`)
      depth--
      finishItem()
      continue
    }
    if (inString && major !== chunkType[depth - 1]) {
      fail(`${what} has a chunk of the wrong type inside an indefinite-length string at byte ${start}`)
    }

    let argument = 0
    if (info < 24) argument = info
    else if (info <= 27) {
      const size = 1 << (info - 24)
      if (pos + size > end) fail(`${what} is truncated at byte ${pos} of ${end}`)
      for (let i = 0; i < size; i++) argument = argument * 256 + (bytes[pos + i] as number)
      pos += size
    } else if (info === 31) {
      if (major === 0 || major === 1 || major === 6)
        fail(`${what} has an invalid indefinite length at byte ${start}`)
      if (major === 7) fail(`${what} has an unexpected break byte at byte ${start}`)
      if (inString) fail(`${what} nests indefinite-length strings at byte ${start}`)
      push(-1, major === 2 || major === 3 ? major : -1, start, major === 5)
      continue
    } else fail(`${what} uses reserved additional information ${info} at byte ${start}`)

    const left = end - pos
    if (info === 27 && major < 2) wideIntegers = true
    switch (major) {
      case 2:
      case 3:
        if (argument > left)
          fail(`${what} declares a ${argument}-byte string at byte ${start} but only ${left} bytes follow`)
        if (major === 3 && !isUtf8Text(bytes, pos, pos + argument))
          fail(`${what} has a text string that is not valid UTF-8 at byte ${start} (RFC 8949 §3.1)`)
        pos += argument
        finishItem()
        break
      case 4:
        if (argument > left)
          fail(
            `${what} declares an array of ${argument} items at byte ${start} but only ${left} bytes follow`,
          )
        if (argument === 0) finishItem()
        else push(argument, -1, start)
        break
      case 5:
        if (argument > left / 2)
          fail(`${what} declares a map of ${argument} entries at byte ${start} but only ${left} bytes follow`)
        if (argument === 0) finishItem()
        else push(argument * 2, -1, start, true)
        break
      case 6:
        if (isCborXSpecialTag(argument))
          (placeholders ??= []).push({ from: start, to: pos, kind: 'tag', value: argument })
        // a tag applies to the next item: treat it as a container of one
        push(1, -1, start)
        break
      default:
        // simple values: 20..23 are false, true, null, undefined; 25..27 are floats
        if (major === 7 && (info < 20 || info === 24)) {
          if (info === 24 && argument < 32)
            fail(`${what} writes simple value ${argument} in two bytes at byte ${start} (RFC 8949 §3.3)`)
          ;(placeholders ??= []).push({ from: start, to: pos, kind: 'simple', value: argument })
        }
        finishItem()
    }
  }
  if (pos !== end) fail(`${what} has ${end - pos} unexpected bytes after the end of the item, at byte ${pos}`)
  keys.fill(undefined, 0, small ? SCRATCH_DEPTH : maxDepth) // no key text kept between calls
  return { wideIntegers, placeholders }

  function push(count: number, chunks: number, at: number, map = false): void {
    if (depth >= maxDepth) fail(`${what} nests deeper than ${maxDepth} levels at byte ${at}`)
    remaining[depth] = count
    chunkType[depth] = chunks
    itemsDone[depth] = 0
    keys[depth] = map ? new Set<string>() : undefined
    depth++
  }

  /** the key just read (from keyStart to pos) of the map at `level` must be new to it */
  function checkKey(level: number): void {
    const seen = keys[level] as Set<string>
    const from = keyStart[level] as number
    const key = keyFingerprint(bytes, from, pos)
    if (seen.has(key))
      fail(
        `${what} has the map key ${describeKey(bytes, from)} twice (at byte ${from}); a map's keys must differ (RFC 8949 §5.6)`,
      )
    seen.add(key)
  }

  function finishItem(): void {
    for (;;) {
      if (depth === 0) {
        done = true
        return
      }
      const level = depth - 1
      const completed = itemsDone[level] as number
      if (keys[level] !== undefined && completed % 2 === 0) checkKey(level)
      itemsDone[level] = completed + 1
      const left = remaining[depth - 1] as number
      if (left === -1) return
      if (left > 1) {
        remaining[depth - 1] = left - 1
        return
      }
      depth--
    }
  }
}

/** bytes[from, to) are UTF-8: ASCII (nearly every certificate's text) is checked here, the rest natively */
function isUtf8Text(bytes: Uint8Array, from: number, to: number): boolean {
  for (let i = from; i < to; i++) if ((bytes[i] as number) >= 0x80) return isUtf8(bytes.subarray(from, to))
  return true
}
