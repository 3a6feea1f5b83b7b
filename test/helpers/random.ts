/** A seeded generator (mulberry32), so that a failing case can be replayed: next(n) is 0..n-1. */
export function seeded(seed: number): (n: number) => number {
  let state = seed >>> 0
  return (n: number): number => {
    state = (state + 0x6d2b79f5) >>> 0
    let t = state
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return Math.floor((((t ^ (t >>> 14)) >>> 0) / 2 ** 32) * n)
  }
}

/**
 * A copy of `bytes` with one mutation at `at`: a flipped bit, a byte replaced, the rest cut off, or
 * a byte inserted (chosen by `next`).
 */
export function mutate(bytes: Uint8Array, at: number, next: (n: number) => number): Buffer {
  const copy = Buffer.from(bytes)
  switch (next(4)) {
    case 0:
      copy[at] = (copy[at] as number) ^ (1 << next(8))
      return copy
    case 1:
      copy[at] = next(256)
      return copy
    case 2:
      return copy.subarray(0, at)
    default:
      return Buffer.concat([copy.subarray(0, at), Buffer.of(next(256)), copy.subarray(at)])
  }
}
