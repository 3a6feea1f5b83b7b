/**
 * A QR matrix as a PNG (PNG spec, 3rd ed., ISO/IEC 15948): 1-bit greyscale, black modules on white,
 * `scale` pixels a module and a quiet zone of `margin` modules. Each module row is one row of
 * pixels with filter type None, then `scale - 1` copies of it with filter type Up (all zero bytes,
 * which deflate to almost nothing): ~18 kB deflated to ~1.6 kB for a certificate.
 */
import { constants, deflateSync } from 'node:zlib'
import type { QrMatrix } from './qr-matrix.js'

const SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])

/** CRC-32 of PNG chunks (PNG spec, Annex D). */
const CRC_TABLE = Int32Array.from({ length: 256 }, (_, n) => {
  let c = n
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1
  return c
})

function crc32(bytes: Uint8Array): number {
  let c = -1
  for (let i = 0; i < bytes.length; i++)
    c = (CRC_TABLE[(c ^ (bytes[i] as number)) & 0xff] as number) ^ (c >>> 8)
  return (c ^ -1) >>> 0
}

function chunk(type: string, data: Uint8Array): Buffer {
  const out = Buffer.alloc(12 + data.length)
  out.writeUInt32BE(data.length, 0)
  out.write(type, 4, 'latin1')
  out.set(data, 8)
  out.writeUInt32BE(crc32(out.subarray(4, 8 + data.length)), 8 + data.length)
  return out
}

/** Clears bits from..to (exclusive) of the row of 1-bit pixels at `row`, the first pixel the top bit. */
function clearBits(raw: Buffer, row: number, from: number, to: number): void {
  const first = row + (from >> 3)
  const last = row + ((to - 1) >> 3)
  const head = 0xff >> (from & 7) // bits from `from` to the end of its byte
  const tail = (0xff00 >> (((to - 1) & 7) + 1)) & 0xff // bits from the start of its byte to `to - 1`
  if (first === last) {
    raw[first] = (raw[first] as number) & ~(head & tail)
    return
  }
  raw[first] = (raw[first] as number) & ~head
  for (let i = first + 1; i < last; i++) raw[i] = 0 // (a few bytes: Buffer#fill's native call costs more)
  raw[last] = (raw[last] as number) & ~tail
}

/** the filtered pixel rows, kept from one call to the next (deflated before this returns) */
let scratch = Buffer.alloc(0)

/** The PNG file of `matrix`: (size + 2 * margin) * scale pixels a side. */
export function qrPng(matrix: QrMatrix, scale: number, margin: number): Buffer {
  const { size, modules } = matrix
  const side = (size + 2 * margin) * scale
  const stride = 1 + Math.ceil(side / 8)
  if (scratch.length < stride * side) scratch = Buffer.alloc(stride * side)
  const raw = scratch.subarray(0, stride * side).fill(0) // zero: filter bytes Up and the rows filtered with it
  let at = 0
  for (let y = 0; y < size + 2 * margin; y++) {
    for (let i = at + 1; i < at + stride; i++) raw[i] = 0xff // white
    const row = y - margin
    if (row >= 0 && row < size) {
      // each run of dark modules clears its pixels: the bits of its first and last byte, and the
      // bytes between (scale 4 leaves every module a nibble; a run, whole bytes but its ends)
      for (let col = 0; col < size;) {
        if (!modules[row * size + col]) {
          col++
          continue
        }
        let end = col + 1
        while (end < size && modules[row * size + end]) end++
        clearBits(raw, at + 1, (col + margin) * scale, (end + margin) * scale)
        col = end
      }
    }
    for (let k = 0; k < scale; k++) raw[at + k * stride] = k === 0 ? 0 : 2
    at += scale * stride
  }
  const header = Buffer.alloc(13)
  header.writeUInt32BE(side, 0)
  header.writeUInt32BE(side, 4)
  header[8] = 1 // bit depth
  header[9] = 0 // greyscale; compression, filter and interlace methods 0
  return Buffer.concat([
    SIGNATURE,
    chunk('IHDR', header),
    // run-length matching suits rows of runs: ~7x faster than level 9 for ~8% more bytes (~1.6 kB)
    chunk('IDAT', deflateSync(raw, { level: 1, strategy: constants.Z_RLE })),
    chunk('IEND', new Uint8Array(0)),
  ])
}
