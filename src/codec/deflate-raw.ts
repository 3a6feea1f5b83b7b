/**
 * A DEFLATE encoder (RFC 1951) for certificate-sized data: LZ77 with hash chains and lazy matching
 * as zlib does at level 9, then one block with whichever is smallest of the fixed Huffman code, a
 * dynamic Huffman code, or stored blocks, as zlib chooses. Over the public test vectors its output
 * is as small as zlib's at level 9 (tested); unlike node:zlib it allocates no stream object and no
 * 256 KB zlib state per call, which cost more than compressing a certificate.
 */
import { CODE_LENGTH_ORDER, DIST_BASE, DIST_EXTRA, LENGTH_BASE, LENGTH_EXTRA } from './deflate-tables.js'
import { canonicalCodes, codeLengths } from './huffman-code.js'

const MIN_MATCH = 3
const MAX_MATCH = 258
const WINDOW = 32768
/** zlib level 9: search chains this long, stop at a match this long, search less once this good */
const MAX_CHAIN = 4096
const GOOD_LENGTH = 32
/** a 3-byte match further back than this costs more bits than three literals (zlib's TOO_FAR) */
const TOO_FAR = 4096
const HASH_BITS = 12

function reverse(code: number, length: number): number {
  let reversed = 0
  for (let b = 0; b < length; b++) reversed |= ((code >> b) & 1) << (length - 1 - b)
  return reversed
}

// The fixed literal/length code, bit-reversed as it is written (Huffman codes go most significant bit first)
const LITERAL_CODE = new Uint16Array(288)
const LITERAL_BITS = new Uint8Array(288)
for (let s = 0; s < 288; s++) {
  const [code, bits] =
    s < 144 ? [0x30 + s, 8] : s < 256 ? [0x190 + s - 144, 9] : s < 280 ? [s - 256, 7] : [0xc0 + s - 280, 8]
  LITERAL_CODE[s] = reverse(code, bits)
  LITERAL_BITS[s] = bits
}
const DISTANCE_CODE = Uint8Array.from({ length: 30 }, (_, d) => reverse(d, 5))
const FIVE_BITS = new Uint8Array(30).fill(5)

/** length 3..258 → its length symbol minus 257 */
const LENGTH_SYMBOL = new Uint8Array(MAX_MATCH + 1)
for (let s = 0; s < 29; s++) {
  const top = s === 28 ? MAX_MATCH : (LENGTH_BASE[s + 1] as number) - 1
  for (let l = LENGTH_BASE[s] as number; l <= top; l++) LENGTH_SYMBOL[l] = s
}
// length 258 has its own symbol (285), not 284 with extra bits 31
LENGTH_SYMBOL[MAX_MATCH] = 28

function distanceSymbol(distance: number): number {
  let s = 0
  while (s < 29 && (DIST_BASE[s + 1] as number) <= distance) s++
  return s
}
/** distance 1..32768 → distance symbol, by (distance - 1) for 1..256 and (distance - 1) >> 7 above */
const DISTANCE_LOW = Uint8Array.from({ length: 256 }, (_, i) => distanceSymbol(i + 1))
const DISTANCE_HIGH = Uint8Array.from({ length: 256 }, (_, i) => distanceSymbol((i << 7) + 1))

/**
 * Writes bits least significant first into a scratch buffer kept between calls. The buffer holds
 * under 24 bits (fewer than 8 left over plus at most 16 put), so `>>` shifts it and it stays a
 * small integer (see the decoder in inflate-raw.ts).
 */
class BitWriter {
  out = new Uint8Array(4096)
  length = 0
  private bits = 0
  private count = 0

  reset(capacity: number, at: number): void {
    if (this.out.length < capacity) this.out = new Uint8Array(Math.max(capacity, this.out.length * 2))
    this.length = at
    this.bits = 0
    this.count = 0
  }

  put(value: number, n: number): void {
    this.bits |= value << this.count
    this.count += n
    while (this.count >= 8) {
      this.out[this.length++] = this.bits & 0xff
      this.bits >>= 8
      this.count -= 8
    }
  }

  /** pad to a byte boundary */
  flush(): void {
    if (this.count > 0) this.out[this.length++] = this.bits & 0xff
    this.bits = 0
    this.count = 0
  }
}

const writer = new BitWriter()

// Hash heads are stored as `base + position`, with base moving past every input, so that the table
// need not be cleared between calls: an entry below base is from an earlier input.
const head = new Int32Array(1 << HASH_BITS)
let base = 1
let chain = new Int32Array(1024)

function hashAt(data: Uint8Array, i: number): number {
  const key = ((data[i] as number) << 16) | ((data[i + 1] as number) << 8) | (data[i + 2] as number)
  return Math.imul(key, 0x9e3779b1) >>> (32 - HASH_BITS)
}

// LZ77 output, kept between calls: a literal is its byte; a match is length << 16 | distance
let tokens = new Uint32Array(1024)
const literalFreq = new Uint32Array(286)
const distanceFreq = new Uint32Array(30)
/** the frequencies the dynamic trees are built from (at least two codes each) */
const treeLiteralFreq = new Uint32Array(286)
const treeDistanceFreq = new Uint32Array(30)
const literalLengths = new Uint8Array(286)
const distanceLengths = new Uint8Array(30)
const literalCodes = new Uint16Array(286)
const distanceCodes = new Uint16Array(30)
const FIXED_LITERAL_BITS = LITERAL_BITS.subarray(0, 286)

/** Find the matches (zlib level 9's lazy evaluation); returns the number of tokens. */
function findMatches(data: Uint8Array): number {
  const n = data.length
  if (base + n + 1 >= 0x7fffffff) {
    head.fill(0)
    base = 1
  }
  if (chain.length < n) chain = new Int32Array(Math.max(n, chain.length * 2))
  if (tokens.length < n) tokens = new Uint32Array(Math.max(n, tokens.length * 2))
  const previous = chain
  const offset = base
  base += n + 1
  const insert = (i: number): number => {
    const h = hashAt(data, i)
    const candidate = (head[h] as number) - offset
    previous[i] = candidate
    head[h] = offset + i
    return candidate
  }
  let t = 0
  let previousLength = MIN_MATCH - 1
  let previousDistance = 0
  let pending = false
  for (let i = 0; i < n;) {
    let length = MIN_MATCH - 1
    let distance = 0
    if (i + MIN_MATCH <= n) {
      let candidate = insert(i)
      const limit = Math.min(MAX_MATCH, n - i)
      if (previousLength < limit) {
        let budget = previousLength >= GOOD_LENGTH ? MAX_CHAIN >> 2 : MAX_CHAIN
        let best = previousLength
        while (candidate >= 0 && i - candidate <= WINDOW && budget-- > 0) {
          if (data[candidate + best] === data[i + best] && data[candidate] === data[i]) {
            let l = 1
            while (l < limit && data[candidate + l] === data[i + l]) l++
            if (l > best) {
              best = l
              length = l
              distance = i - candidate
              if (l >= limit) break
            }
          }
          candidate = previous[candidate] as number
        }
        if (length === MIN_MATCH && distance > TOO_FAR) length = MIN_MATCH - 1
      }
    }
    if (previousLength >= MIN_MATCH && length <= previousLength) {
      // the match found at i - 1 is at least as long: take it
      tokens[t++] = (previousLength << 16) | previousDistance
      const stop = i - 1 + previousLength
      for (let k = i + 1; k < stop; k++) if (k + MIN_MATCH <= n) insert(k)
      i = stop
      pending = false
      previousLength = MIN_MATCH - 1
    } else {
      if (pending) tokens[t++] = data[i - 1] as number
      pending = true
      previousLength = length
      previousDistance = distance
      i++
    }
  }
  if (pending) tokens[t++] = data[n - 1] as number
  return t
}

const distanceSymbolOf = (distance: number): number =>
  (distance <= 256 ? DISTANCE_LOW[distance - 1] : DISTANCE_HIGH[(distance - 1) >> 7]) as number

/** Bits of the tokens under the given code lengths (extra bits included) */
function blockBits(literalBits: Uint8Array, distanceBits: Uint8Array): number {
  let bits = literalBits[256] as number
  for (let s = 0; s < 286; s++) if (s !== 256) bits += (literalFreq[s] as number) * (literalBits[s] as number)
  for (let s = 257; s < 286; s++) bits += (literalFreq[s] as number) * (LENGTH_EXTRA[s - 257] as number)
  for (let d = 0; d < 30; d++) {
    bits += (distanceFreq[d] as number) * ((distanceBits[d] as number) + (DIST_EXTRA[d] as number))
  }
  return bits
}

function writeTokens(
  count: number,
  litCodes: Uint16Array,
  litBits: Uint8Array,
  distCodes: Uint16Array | Uint8Array,
  distBits: Uint8Array | number,
): void {
  for (let t = 0; t < count; t++) {
    const token = tokens[t] as number
    if (token < 256) {
      writer.put(litCodes[token] as number, litBits[token] as number)
      continue
    }
    const length = token >>> 16
    const distance = token & 0xffff
    const ls = LENGTH_SYMBOL[length] as number
    writer.put(litCodes[257 + ls] as number, litBits[257 + ls] as number)
    writer.put(length - (LENGTH_BASE[ls] as number), LENGTH_EXTRA[ls] as number)
    const ds = distanceSymbolOf(distance)
    writer.put(distCodes[ds] as number, typeof distBits === 'number' ? distBits : (distBits[ds] as number))
    writer.put(distance - (DIST_BASE[ds] as number), DIST_EXTRA[ds] as number)
  }
  writer.put(litCodes[256] as number, litBits[256] as number) // end of block
}

// The code-length alphabet of a dynamic block header (RFC 1951 section 3.2.7)
const clSymbols = new Uint8Array(286 + 30)
const clExtra = new Uint8Array(286 + 30)
const clFreq = new Uint32Array(19)
const clLengths = new Uint8Array(19)
const clCodes = new Uint16Array(19)
const allLengths = new Uint8Array(286 + 30)

/** Run-length code the lengths with symbols 16 (repeat), 17 and 18 (zeros); returns the symbol count. */
function runLengths(total: number): number {
  let n = 0
  clFreq.fill(0)
  for (let i = 0; i < total;) {
    const len = allLengths[i] as number
    let run = 1
    while (i + run < total && allLengths[i + run] === len) run++
    i += run
    if (len === 0) {
      while (run >= 11) {
        const r = Math.min(run, 138)
        clSymbols[n] = 18
        clExtra[n++] = r - 11
        run -= r
      }
      if (run >= 3) {
        clSymbols[n] = 17
        clExtra[n++] = run - 3
        run = 0
      }
    } else {
      clSymbols[n++] = len
      run--
      while (run >= 3) {
        const r = Math.min(run, 6)
        clSymbols[n] = 16
        clExtra[n++] = r - 3
        run -= r
      }
    }
    for (; run > 0; run--) clSymbols[n++] = len
  }
  for (let k = 0; k < n; k++) clFreq[clSymbols[k] as number]!++
  return n
}

const CL_EXTRA_BITS = Uint8Array.of(2, 3, 7)

/**
 * Compress `data`. The result has `prefix` bytes before the compressed data and `suffix` after it,
 * left for the caller's header and trailer (not zeroed), so that nothing is copied twice.
 */
export function deflateRaw(data: Uint8Array, prefix: number, suffix: number): Buffer {
  const n = data.length
  const count = findMatches(data)
  literalFreq.fill(0)
  distanceFreq.fill(0)
  literalFreq[256] = 1
  for (let t = 0; t < count; t++) {
    const token = tokens[t] as number
    if (token < 256) literalFreq[token]!++
    else {
      literalFreq[257 + (LENGTH_SYMBOL[token >>> 16] as number)]!++
      distanceFreq[distanceSymbolOf(token & 0xffff)]!++
    }
  }
  const fixedBits = 3 + blockBits(FIXED_LITERAL_BITS, FIVE_BITS)

  // the dynamic code: as zlib does, every tree has at least two codes, so that one bit is always sent
  const forceTwo = (freq: Uint32Array): void => {
    let used = 0
    for (let s = 0; s < freq.length && used < 2; s++) if ((freq[s] as number) > 0) used++
    for (let s = 0; used < 2; s++) {
      if (freq[s] === 0) {
        freq[s] = 1
        used++
      }
    }
  }
  const literalFreqs = treeLiteralFreq
  const distanceFreqs = treeDistanceFreq
  literalFreqs.set(literalFreq)
  distanceFreqs.set(distanceFreq)
  forceTwo(literalFreqs)
  forceTwo(distanceFreqs)
  codeLengths(literalFreqs, 286, 15, literalLengths)
  codeLengths(distanceFreqs, 30, 15, distanceLengths)
  let hlit = 286
  while (hlit > 257 && literalLengths[hlit - 1] === 0) hlit--
  let hdist = 30
  while (hdist > 1 && distanceLengths[hdist - 1] === 0) hdist--
  allLengths.set(literalLengths.subarray(0, hlit), 0)
  allLengths.set(distanceLengths.subarray(0, hdist), hlit)
  const clCount = runLengths(hlit + hdist)
  codeLengths(clFreq, 19, 7, clLengths)
  let hclen = 19
  while (hclen > 4 && clLengths[CODE_LENGTH_ORDER[hclen - 1] as number] === 0) hclen--
  let headerBits = 3 + 14 + 3 * hclen
  for (let k = 0; k < clCount; k++) {
    const symbol = clSymbols[k] as number
    headerBits += (clLengths[symbol] as number) + (symbol >= 16 ? (CL_EXTRA_BITS[symbol - 16] as number) : 0)
  }
  const dynamicBits = headerBits + blockBits(literalLengths, distanceLengths)

  const storedSize = n + 5 * Math.max(1, Math.ceil(n / 0xffff))
  const bestBits = Math.min(fixedBits, dynamicBits)
  if (Math.ceil(bestBits / 8) > storedSize) return stored(data, prefix, suffix, storedSize)

  writer.reset(prefix + Math.ceil(bestBits / 8) + 8, prefix)
  writer.put(1, 1) // BFINAL
  if (fixedBits <= dynamicBits) {
    writer.put(1, 2) // BTYPE 01: fixed Huffman codes
    writeTokens(count, LITERAL_CODE, LITERAL_BITS, DISTANCE_CODE, 5)
  } else {
    writer.put(2, 2) // BTYPE 10: dynamic Huffman codes
    writer.put(hlit - 257, 5)
    writer.put(hdist - 1, 5)
    writer.put(hclen - 4, 4)
    for (let i = 0; i < hclen; i++) writer.put(clLengths[CODE_LENGTH_ORDER[i] as number] as number, 3)
    canonicalCodes(clLengths, 19, clCodes)
    for (let k = 0; k < clCount; k++) {
      const symbol = clSymbols[k] as number
      writer.put(clCodes[symbol] as number, clLengths[symbol] as number)
      if (symbol >= 16) writer.put(clExtra[k] as number, CL_EXTRA_BITS[symbol - 16] as number)
    }
    canonicalCodes(literalLengths, 286, literalCodes)
    canonicalCodes(distanceLengths, 30, distanceCodes)
    writeTokens(count, literalCodes, literalLengths, distanceCodes, distanceLengths)
  }
  writer.flush()
  // a pooled Buffer, not a new typed array: allocating one costs more than compressing a certificate
  const out = Buffer.allocUnsafe(writer.length + suffix)
  out.set(writer.out.subarray(0, writer.length))
  return out
}

/** Stored blocks (BTYPE 00), up to 65,535 bytes each: for data that does not compress. */
function stored(data: Uint8Array, prefix: number, suffix: number, size: number): Buffer {
  const out = Buffer.alloc(prefix + size + suffix)
  let o = prefix
  let i = 0
  do {
    const length = Math.min(0xffff, data.length - i)
    out[o++] = i + length === data.length ? 1 : 0
    out[o++] = length & 0xff
    out[o++] = length >> 8
    out[o++] = ~length & 0xff
    out[o++] = (~length >> 8) & 0xff
    out.set(data.subarray(i, i + length), o)
    o += length
    i += length
  } while (i < data.length)
  return out
}
