/**
 * A single iterative pass over CBOR bytes that proves them well-formed and small before any
 * decoder allocates: every declared length must fit in the bytes that remain, nesting is bounded,
 * and nothing trails the item. Hostile input (an array declaring 2^32 items, 10,000-deep nesting)
 * is refused here in O(length) time with no recursion.
 */
import { DccError } from '../errors.js'

export const MAX_CBOR_DEPTH = 32

// reused between calls (the guard runs to completion synchronously): a new typed array per call
// cost more than checking a certificate
const SCRATCH_DEPTH = 64
const REMAINING = new Float64Array(SCRATCH_DEPTH)
const CHUNK_TYPE = new Int8Array(SCRATCH_DEPTH)

function fail(message: string): never {
  throw new DccError('ERR_CBOR', `cbor: ${message}`)
}

export function checkCborWellFormed(
  bytes: Uint8Array,
  what: string,
  maxDepth: number = MAX_CBOR_DEPTH,
): void {
  const end = bytes.length
  if (end === 0) fail(`${what} is empty`)
  // the open containers, as two parallel stacks (no object per container: this runs on every
  // certificate verified): items still expected, -1 for indefinite length (ends with a break); and
  // for an indefinite string, the only major type its chunks may have (-1 otherwise)
  const remaining = maxDepth <= SCRATCH_DEPTH ? REMAINING : new Float64Array(maxDepth)
  const chunkType = maxDepth <= SCRATCH_DEPTH ? CHUNK_TYPE : new Int8Array(maxDepth)
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

    if (initial === 0xff) {
      if (depth === 0 || remaining[depth - 1] !== -1)
        fail(`${what} has an unexpected break byte at byte ${start}`)
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
      push(-1, major === 2 || major === 3 ? major : -1, start)
      continue
    } else fail(`${what} uses reserved additional information ${info} at byte ${start}`)

    const left = end - pos
    switch (major) {
      case 2:
      case 3:
        if (argument > left)
          fail(`${what} declares a ${argument}-byte string at byte ${start} but only ${left} bytes follow`)
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
        else push(argument * 2, -1, start)
        break
      case 6:
        // a tag applies to the next item: treat it as a container of one
        push(1, -1, start)
        break
      default:
        finishItem()
    }
  }
  if (pos !== end) fail(`${what} has ${end - pos} unexpected bytes after the end of the item, at byte ${pos}`)

  function push(count: number, chunks: number, at: number): void {
    if (depth >= maxDepth) fail(`${what} nests deeper than ${maxDepth} levels at byte ${at}`)
    remaining[depth] = count
    chunkType[depth] = chunks
    depth++
  }

  function finishItem(): void {
    for (;;) {
      if (depth === 0) {
        done = true
        return
      }
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
