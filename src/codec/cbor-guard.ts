/**
 * A single iterative pass over CBOR bytes that proves them well-formed and small before any
 * decoder allocates: every declared length must fit in the bytes that remain, nesting is bounded,
 * and nothing trails the item. Hostile input (an array declaring 2^32 items, 10,000-deep nesting)
 * is refused here in O(length) time with no recursion.
 */
import { DccError } from '../errors.js'

export const MAX_CBOR_DEPTH = 32

interface Frame {
  /** items still expected; -1 for indefinite length (ends with a break) */
  remaining: number
  /** an indefinite string accepts only chunks of this major type */
  chunkType: number
}

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
  const stack: Frame[] = []
  let pos = 0
  let done = false
  while (!done) {
    if (pos >= end) fail(`${what} is truncated at byte ${pos} of ${end}`)
    const start = pos
    const initial = bytes[pos++] as number
    const major = initial >> 5
    const info = initial & 0x1f
    const top = stack[stack.length - 1]

    if (initial === 0xff) {
      if (!top || top.remaining !== -1) fail(`${what} has an unexpected break byte at byte ${start}`)
      stack.pop()
      finishItem()
      continue
    }
    if (top && top.chunkType >= 0 && major !== top.chunkType) {
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
      if (top && top.chunkType >= 0) fail(`${what} nests indefinite-length strings at byte ${start}`)
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

  function push(remaining: number, chunkType: number, at: number): void {
    if (stack.length >= maxDepth) fail(`${what} nests deeper than ${maxDepth} levels at byte ${at}`)
    stack.push({ remaining, chunkType })
  }

  function finishItem(): void {
    for (;;) {
      const top = stack[stack.length - 1]
      if (!top) {
        done = true
        return
      }
      if (top.remaining === -1) return
      top.remaining--
      if (top.remaining > 0) return
      stack.pop()
    }
  }
}
