/** Adler-32 (RFC 1950 section 8), the checksum at the end of a zlib stream. */
export function adler32(data: Uint8Array): number {
  let a = 1
  let b = 0
  const length = data.length
  for (let i = 0; i < length;) {
    // 5552 is the most bytes that can be summed before b may overflow 2^32 (as in zlib)
    const end = Math.min(length, i + 5552)
    for (; i < end; i++) {
      a += data[i] as number
      b += a
    }
    a %= 65521
    b %= 65521
  }
  return ((b << 16) | a) >>> 0
}
