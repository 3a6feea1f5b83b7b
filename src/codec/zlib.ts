/**
 * zlib (RFC 1950) around the COSE message. node:zlib, not pako: for a 400-byte certificate it
 * inflates ~4x and deflates ~7x faster on this machine (figures in README, `npm run bench`).
 */
import { deflateSync, inflateSync, constants } from 'node:zlib'
import { DccError } from '../errors.js'

/**
 * Hard cap on the inflated size. A real certificate inflates to well under 10 KB; the cap keeps a
 * zlib bomb (a few KB expanding to megabytes) from ever allocating more than this.
 */
export const MAX_INFLATED_BYTES = 64 * 1024

export function inflate(compressed: Uint8Array, maxBytes: number = MAX_INFLATED_BYTES): Uint8Array {
  if (!(compressed instanceof Uint8Array)) throw new TypeError('inflate expects a Uint8Array')
  if (compressed.length === 0) throw new DccError('ERR_INFLATE', 'zlib: there is no data to decompress')
  try {
    return inflateSync(compressed, { maxOutputLength: maxBytes })
  } catch (cause) {
    throw new DccError('ERR_INFLATE', `zlib: ${describeZlibError(cause, compressed, maxBytes)}`, { cause })
  }
}

function describeZlibError(cause: unknown, input: Uint8Array, maxBytes: number): string {
  const err = cause as { code?: string; message?: string }
  if (err.code === 'ERR_BUFFER_TOO_LARGE') {
    return `the data inflates to more than ${maxBytes} bytes (a real certificate is under 10 KB); refusing it`
  }
  if (err.code === 'Z_DATA_ERROR' && /header/.test(err.message ?? '')) {
    const head = Array.from(input.subarray(0, 2), (b) => b.toString(16).padStart(2, '0')).join(' ')
    return `the data is not zlib-compressed (it starts with ${head}, not a zlib header such as 78 da)`
  }
  if (err.code === 'Z_BUF_ERROR') return 'the compressed data is truncated'
  return `the compressed data is corrupt (${err.message ?? 'unknown error'})`
}

export function deflate(data: Uint8Array): Uint8Array {
  return deflateSync(data, { level: constants.Z_BEST_COMPRESSION })
}
