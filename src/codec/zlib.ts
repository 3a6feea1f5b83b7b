/**
 * zlib (RFC 1950) around the COSE message: a two-byte header, raw DEFLATE, and the Adler-32 of the
 * data. The DEFLATE coder is our own (inflate-raw.ts, deflate-raw.ts): for a certificate it inflates
 * ~2x and deflates ~1.6x faster than node:zlib, whose per-call stream and native state cost more
 * than the data (README, "Benchmarks"); its output is checked against node:zlib in the tests.
 */
import { DccError } from '../errors.js'
import { adler32 } from './adler32.js'
import { deflateRaw } from './deflate-raw.js'
import { InflateError, inflateRaw } from './inflate-raw.js'

/**
 * Hard cap on the inflated size. A real certificate inflates to well under 10 KB; the cap keeps a
 * zlib bomb (a few KB expanding to megabytes) from ever allocating more than this.
 */
export const MAX_INFLATED_BYTES = 64 * 1024

function fail(message: string, cause?: unknown): never {
  throw new DccError('ERR_INFLATE', `zlib: ${message}`, cause === undefined ? undefined : { cause })
}

export function inflate(compressed: Uint8Array, maxBytes: number = MAX_INFLATED_BYTES): Buffer {
  return inflateStream(compressed, maxBytes).output
}

/**
 * As inflate, with how many bytes follow the zlib stream's Adler-32 trailer: zlib itself, Python's
 * zlib (the EU test harness) and node:zlib ignore them; HCERT has none (a warning for the caller).
 */
export function inflateStream(
  compressed: Uint8Array,
  maxBytes: number = MAX_INFLATED_BYTES,
): { output: Buffer; trailingBytes: number } {
  if (!(compressed instanceof Uint8Array)) throw new TypeError('inflate expects a Uint8Array')
  if (compressed.length === 0) fail('there is no data to decompress')
  const cmf = compressed[0] as number
  const flg = compressed[1] ?? 0
  if (compressed.length < 2 || (cmf & 0x0f) !== 8 || cmf >> 4 > 7 || ((cmf << 8) | flg) % 31 !== 0) {
    const head = Array.from(compressed.subarray(0, 2), (b) => b.toString(16).padStart(2, '0')).join(' ')
    fail(`the data is not zlib-compressed (it starts with ${head}, not a zlib header such as 78 da)`)
  }
  if (flg & 0x20) fail('the data needs a preset dictionary, which HCERT never uses')
  let output: Buffer
  let end: number
  try {
    ;({ output, end } = inflateRaw(compressed, 2, maxBytes))
  } catch (cause) {
    if (!(cause instanceof InflateError)) throw cause
    if (cause.reason === 'too-large') {
      fail(
        `the data inflates to more than ${maxBytes} bytes (a real certificate is under 10 KB); refusing it`,
        cause,
      )
    }
    if (cause.reason === 'truncated') fail('the compressed data is truncated', cause)
    fail(`the compressed data is corrupt (${cause.message})`, cause)
  }
  // what follows the trailer is ignored, as zlib itself does (inflateStream says how much)
  if (end + 4 > compressed.length) fail('the compressed data is truncated')
  const expected =
    (((compressed[end] as number) << 24) |
      ((compressed[end + 1] as number) << 16) |
      ((compressed[end + 2] as number) << 8) |
      (compressed[end + 3] as number)) >>>
    0
  if (adler32(output) !== expected) fail('the compressed data is corrupt (incorrect data check)')
  return { output, trailingBytes: compressed.length - end - 4 }
}

/** The warning for bytes after the zlib stream, or undefined when there are none. */
export function trailingBytesWarning(trailingBytes: number): string | undefined {
  if (trailingBytes === 0) return undefined
  return `${trailingBytes} byte${trailingBytes === 1 ? '' : 's'} follow${trailingBytes === 1 ? 's' : ''} the end of the zlib stream and are ignored (as zlib does); HCERT writes none`
}

/** zlib stream with the level-9 header (78 DA), as other HCERT issuers write it. */
export function deflate(data: Uint8Array): Buffer {
  const out = deflateRaw(data, 2, 4)
  out[0] = 0x78
  out[1] = 0xda
  const check = adler32(data)
  const end = out.length - 4
  out[end] = check >>> 24
  out[end + 1] = (check >>> 16) & 0xff
  out[end + 2] = (check >>> 8) & 0xff
  out[end + 3] = check & 0xff
  return out
}
