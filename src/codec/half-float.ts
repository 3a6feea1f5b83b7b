/** An IEEE 754 half-precision float (CBOR major type 7, additional info 25; RFC 8949 §3.3, Appendix D) as a number. */
export function halfFloat(half: number): number {
  const exponent = (half >> 10) & 0x1f
  const mantissa = half & 0x3ff
  const value =
    exponent === 0
      ? mantissa * 2 ** -24
      : exponent === 31
        ? mantissa === 0
          ? Infinity
          : NaN
        : (mantissa + 1024) * 2 ** (exponent - 25)
  return half & 0x8000 ? -value : value
}
