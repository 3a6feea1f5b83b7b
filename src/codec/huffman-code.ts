/**
 * Huffman code lengths with a length limit, and their canonical codes (RFC 1951 section 3.2.2).
 * Scratch arrays are kept between calls (alphabets here have at most 286 symbols): allocating
 * typed arrays per call cost more than building the code.
 */

const MAX_SYMBOLS = 286
const symbols = new Int32Array(MAX_SYMBOLS)
const weights = new Float64Array(MAX_SYMBOLS)
const keys = new Float64Array(MAX_SYMBOLS)
const order = new Int32Array(MAX_SYMBOLS)
const COUNTING_LIMIT = 4096
const buckets = new Int32Array(COUNTING_LIMIT + 1)
const weight = new Float64Array(2 * MAX_SYMBOLS)
const parent = new Int32Array(2 * MAX_SYMBOLS)
const depth = new Uint8Array(2 * MAX_SYMBOLS)

/**
 * Code lengths for `count` symbols with frequencies `freq`, none longer than `limit`. Symbols with
 * frequency 0 get length 0. When the optimal code is too deep, the frequencies are flattened
 * (halved, keeping every used symbol at least 1) and the code rebuilt, which always ends.
 */
export function codeLengths(freq: Uint32Array, count: number, limit: number, lengths: Uint8Array): void {
  if (count > MAX_SYMBOLS) throw new RangeError(`codeLengths: at most ${MAX_SYMBOLS} symbols`)
  lengths.fill(0, 0, count)
  let k = 0
  for (let s = 0; s < count; s++) {
    if ((freq[s] as number) > 0) {
      symbols[k] = s
      weights[k++] = freq[s] as number
    }
  }
  if (k === 0) return
  if (k === 1) {
    lengths[symbols[0] as number] = 1
    return
  }
  for (;;) {
    if (buildDepths(k, limit, lengths)) return
    for (let i = 0; i < k; i++) weights[i] = Math.max(1, Math.floor((weights[i] as number) / 2))
  }
}

/**
 * `order` = the leaf indexes by ascending weight, ties by index. A counting sort when weights are
 * small (a certificate's are), as sorting a typed array natively costs ~2.5 us for 150 symbols.
 */
function sortLeaves(k: number): void {
  let max = 0
  for (let i = 0; i < k; i++) max = Math.max(max, weights[i] as number)
  if (max < COUNTING_LIMIT) {
    buckets.fill(0, 0, max + 2)
    for (let i = 0; i < k; i++) buckets[(weights[i] as number) + 1]!++
    for (let w = 1; w <= max + 1; w++) buckets[w]! += buckets[w - 1] as number
    for (let i = 0; i < k; i++) order[buckets[weights[i] as number]!++] = i
    return
  }
  const sorted = keys.subarray(0, k)
  for (let i = 0; i < k; i++) sorted[i] = (weights[i] as number) * 512 + i
  sorted.sort()
  for (let i = 0; i < k; i++) order[i] = (sorted[i] as number) % 512
}

/** Huffman's algorithm with two queues (leaves sorted by weight, then merged nodes); false if too deep. */
function buildDepths(k: number, limit: number, lengths: Uint8Array): boolean {
  sortLeaves(k)
  // nodes 0..k-1 are the leaves in weight order, k.. the merged nodes
  for (let i = 0; i < k; i++) weight[i] = weights[order[i] as number] as number
  let leaf = 0
  let merged = k
  let next = k
  const last = 2 * k - 1
  while (next < last) {
    let a: number
    let b: number
    if (leaf < k && (merged >= next || (weight[leaf] as number) <= (weight[merged] as number))) a = leaf++
    else a = merged++
    if (leaf < k && (merged >= next || (weight[leaf] as number) <= (weight[merged] as number))) b = leaf++
    else b = merged++
    weight[next] = (weight[a] as number) + (weight[b] as number)
    parent[a] = next
    parent[b] = next
    next++
  }
  depth[last - 1] = 0
  for (let node = last - 2; node >= 0; node--) {
    const d = (depth[parent[node] as number] as number) + 1
    if (d > limit) return false
    depth[node] = d
  }
  for (let i = 0; i < k; i++) lengths[symbols[order[i] as number] as number] = depth[i] as number
  return true
}

const perLength = new Uint16Array(16)
const nextCode = new Uint16Array(16)

/** Canonical codes for the lengths, bit-reversed as DEFLATE writes them (least significant bit first). */
export function canonicalCodes(lengths: Uint8Array, count: number, codes: Uint16Array): void {
  perLength.fill(0)
  for (let s = 0; s < count; s++) perLength[lengths[s] as number]!++
  perLength[0] = 0
  let code = 0
  for (let len = 1; len < 16; len++) {
    code = (code + (perLength[len - 1] as number)) << 1
    nextCode[len] = code
  }
  for (let s = 0; s < count; s++) {
    const len = lengths[s] as number
    if (len === 0) continue
    const c = nextCode[len]!++
    let reversed = 0
    for (let b = 0; b < len; b++) reversed |= ((c >> b) & 1) << (len - 1 - b)
    codes[s] = reversed
  }
}
