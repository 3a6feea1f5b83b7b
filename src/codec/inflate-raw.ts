/**
 * A DEFLATE decoder (RFC 1951) for certificate-sized data. node:zlib builds a stream object and a
 * native zlib state per call, which costs more than decoding a 350-byte certificate itself; this
 * decoder runs in a few microseconds and never writes more than `maxBytes`. Its results are checked
 * against node:zlib on every public test vector and on seeded random data (test/codec/zlib.test.ts).
 */
import {
  CODE_LENGTH_ORDER,
  DIST_BASE,
  DIST_EXTRA,
  LENGTH_BASE,
  LENGTH_EXTRA,
  fixedDistanceLengths,
  fixedLiteralLengths,
} from './deflate-tables.js'

/** Why decoding stopped: the zlib layer turns these into DccErrors with words for the user. */
export class InflateError extends Error {
  constructor(
    readonly reason: 'truncated' | 'corrupt' | 'too-large',
    message: string,
  ) {
    super(message)
  }
}

const EMPTY: Uint8Array = new Uint8Array(0)
const FAST_BITS = 9
const FAST_SIZE = 1 << FAST_BITS
const MAX_BITS = 15

/**
 * A canonical Huffman code: `count[len]` codes of each length and the symbols in code order (the
 * slow path, as in zlib's puff.c), plus a table indexed by the next FAST_BITS input bits that
 * decodes every code of up to FAST_BITS bits in one look-up: entry = symbol << 4 | length, 0 = slow path.
 */
class Huffman {
  readonly count = new Uint16Array(MAX_BITS + 1)
  readonly symbol: Uint16Array
  readonly fast = new Uint16Array(FAST_SIZE)
  /** the code is incomplete (allowed only for a single code of one bit) */
  incomplete = false

  constructor(size: number) {
    this.symbol = new Uint16Array(size)
  }

  /** Build from code lengths; false when the lengths over-subscribe the code. */
  build(lengths: Uint8Array, start: number, n: number): boolean {
    const { count, symbol, fast } = this
    count.fill(0)
    for (let s = 0; s < n; s++) count[lengths[start + s] as number]! += 1
    if (count[0] === n) {
      // no codes at all: complete, but any attempt to decode with it fails (as in zlib)
      this.incomplete = false
      fast.fill(0)
      return true
    }
    let left = 1
    for (let len = 1; len <= MAX_BITS; len++) {
      left = (left << 1) - (count[len] as number)
      if (left < 0) return false
    }
    this.incomplete = left > 0
    const offsets = new Uint16Array(MAX_BITS + 2)
    const next = new Uint16Array(MAX_BITS + 2)
    let code = 0
    for (let len = 1; len <= MAX_BITS; len++) {
      offsets[len + 1] = (offsets[len] as number) + (count[len] as number)
      code = (code + (count[len - 1] as number)) << 1
      next[len] = code
    }
    next[1] = 0
    fast.fill(0)
    for (let s = 0; s < n; s++) {
      const len = lengths[start + s] as number
      if (len === 0) continue
      symbol[offsets[len]!++] = s
      const c = next[len]!++
      if (len <= FAST_BITS) {
        let reversed = 0
        for (let b = 0; b < len; b++) reversed |= ((c >> b) & 1) << (len - 1 - b)
        const entry = (s << 4) | len
        for (let i = reversed; i < FAST_SIZE; i += 1 << len) fast[i] = entry
      }
    }
    return true
  }
}

const FIXED_LITERALS = new Huffman(288)
FIXED_LITERALS.build(fixedLiteralLengths(), 0, 288)
const FIXED_DISTANCES = new Huffman(30)
FIXED_DISTANCES.build(fixedDistanceLengths(), 0, 30)

/**
 * One decoder per thread, reused: its tables are rebuilt per block and its output copied out.
 * The bit buffer never holds more than 24 bits, so it is shifted with `>>`, not `>>>`: `>>>` gives
 * an unsigned result, and mixed with the signed `|` it makes V8 keep the buffer as a double (the
 * decoding loop ran at half speed).
 */
class Inflater {
  private input: Uint8Array = EMPTY
  private pos = 0
  private bits = 0
  private bitCount = 0
  /** scratch output, kept between calls and grown up to maxBytes */
  private out = new Uint8Array(4096)
  private outLength = 0
  private maxBytes = 0
  /** bytes that may be written without a check: min(scratch size, maxBytes) */
  private capacity = 0
  private readonly literals = new Huffman(288)
  private readonly distances = new Huffman(30)
  private readonly codeLengthCode = new Huffman(19)
  private readonly lengths = new Uint8Array(288 + 32)

  /** Returns the output and the offset of the first input byte after the last block. */
  run(input: Uint8Array, start: number, maxBytes: number): { output: Buffer; end: number } {
    this.input = input
    this.pos = start
    this.bits = 0
    this.bitCount = 0
    this.maxBytes = maxBytes
    this.capacity = Math.min(this.out.length, maxBytes)
    this.outLength = 0
    try {
      let last = 0
      while (last === 0) {
        last = this.need(1)
        const type = this.need(2)
        if (type === 0) this.stored()
        else if (type === 1) this.codes(FIXED_LITERALS, FIXED_DISTANCES)
        else if (type === 2) this.dynamic()
        else throw new InflateError('corrupt', 'invalid block type')
      }
      // whole bytes read ahead into the bit buffer belong to what follows (the zlib trailer)
      const end = this.pos - (this.bitCount >> 3)
      // a pooled Buffer, not a new typed array: allocating one costs more than decoding a certificate
      const output = Buffer.allocUnsafe(this.outLength)
      output.set(this.out.subarray(0, this.outLength))
      return { output, end }
    } finally {
      this.input = EMPTY
    }
  }

  /** The next n bits (n <= 16), least significant first. */
  private need(n: number): number {
    let bits = this.bits
    while (this.bitCount < n) {
      if (this.pos >= this.input.length) throw new InflateError('truncated', 'unexpected end of data')
      bits |= (this.input[this.pos++] as number) << this.bitCount
      this.bitCount += 8
    }
    this.bits = bits >> n
    this.bitCount -= n
    return bits & ((1 << n) - 1)
  }

  private reserve(n: number): void {
    const needed = this.outLength + n
    if (needed <= this.capacity) return
    if (needed > this.maxBytes) {
      throw new InflateError('too-large', `the data inflates to more than ${this.maxBytes} bytes`)
    }
    if (needed > this.out.length) {
      const grown = new Uint8Array(Math.min(this.maxBytes, Math.max(needed, this.out.length * 2)))
      grown.set(this.out.subarray(0, this.outLength))
      this.out = grown
    }
    this.capacity = Math.min(this.out.length, this.maxBytes)
  }

  private stored(): void {
    // drop the bits up to the byte boundary, and give back whole bytes read ahead
    this.pos -= this.bitCount >> 3
    this.bits = 0
    this.bitCount = 0
    const { input } = this
    if (this.pos + 4 > input.length) throw new InflateError('truncated', 'unexpected end of data')
    const length = (input[this.pos] as number) | ((input[this.pos + 1] as number) << 8)
    const complement = (input[this.pos + 2] as number) | ((input[this.pos + 3] as number) << 8)
    this.pos += 4
    if (length !== (~complement & 0xffff)) throw new InflateError('corrupt', 'invalid stored block lengths')
    if (this.pos + length > input.length) throw new InflateError('truncated', 'unexpected end of data')
    this.reserve(length)
    this.out.set(input.subarray(this.pos, this.pos + length), this.outLength)
    this.outLength += length
    this.pos += length
  }

  private decode(code: Huffman): number {
    // fast path: top up to FAST_BITS bits when the input has them, and look the code up
    while (this.bitCount < FAST_BITS && this.pos < this.input.length) {
      this.bits |= (this.input[this.pos++] as number) << this.bitCount
      this.bitCount += 8
    }
    const entry = code.fast[this.bits & (FAST_SIZE - 1)] as number
    const len = entry & 15
    if (len !== 0 && len <= this.bitCount) {
      this.bits >>= len
      this.bitCount -= len
      return entry >> 4
    }
    // slow path, one bit at a time (codes longer than FAST_BITS, or the last bits of the input)
    let value = 0
    let first = 0
    let index = 0
    for (let len = 1; len <= MAX_BITS; len++) {
      value |= this.need(1)
      const count = code.count[len] as number
      if (value - count < first) return code.symbol[index + (value - first)] as number
      index += count
      first += count
      first <<= 1
      value <<= 1
    }
    throw new InflateError('corrupt', 'invalid code')
  }

  private codes(literals: Huffman, distances: Huffman): void {
    // the bit buffer, input position and output live in locals on the literal path (most of a
    // certificate), and go back to the fields around every call that uses them
    const input = this.input
    const inputLength = input.length
    const fast = literals.fast
    let bits = this.bits
    let bitCount = this.bitCount
    let pos = this.pos
    let out = this.out
    let o = this.outLength
    let capacity = this.capacity
    for (;;) {
      if (bitCount < FAST_BITS) {
        // two bytes at a time while they last (at most 8 + 16 bits buffered)
        if (pos + 1 < inputLength) {
          bits |= ((input[pos] as number) | ((input[pos + 1] as number) << 8)) << bitCount
          pos += 2
          bitCount += 16
        } else if (pos < inputLength) {
          bits |= (input[pos++] as number) << bitCount
          bitCount += 8
        }
      }
      const entry = fast[bits & (FAST_SIZE - 1)] as number
      const len = entry & 15
      let symbol: number
      if (len !== 0 && len <= bitCount) {
        bits >>= len
        bitCount -= len
        symbol = entry >> 4
        if (symbol < 256 && o < capacity) {
          out[o++] = symbol
          continue
        }
      } else {
        this.bits = bits
        this.bitCount = bitCount
        this.pos = pos
        symbol = this.decode(literals)
        bits = this.bits
        bitCount = this.bitCount
        pos = this.pos
      }
      this.bits = bits
      this.bitCount = bitCount
      this.pos = pos
      this.outLength = o
      if (symbol === 256) return
      this.lengthOrLiteral(symbol, distances)
      bits = this.bits
      bitCount = this.bitCount
      pos = this.pos
      out = this.out
      o = this.outLength
      capacity = this.capacity
    }
  }

  /** A literal that needs room, or a length/distance pair (state in the fields) */
  private lengthOrLiteral(symbol: number, distances: Huffman): void {
    if (symbol < 256) {
      this.reserve(1)
      this.out[this.outLength++] = symbol
      return
    }
    symbol -= 257
    if (symbol >= 29) throw new InflateError('corrupt', 'invalid literal/length code')
    const length = (LENGTH_BASE[symbol] as number) + this.need(LENGTH_EXTRA[symbol] as number)
    const d = this.decode(distances)
    if (d >= 30) throw new InflateError('corrupt', 'invalid distance code')
    const distance = (DIST_BASE[d] as number) + this.need(DIST_EXTRA[d] as number)
    if (distance > this.outLength) throw new InflateError('corrupt', 'invalid distance too far back')
    this.reserve(length)
    const out = this.out
    let o = this.outLength
    const end = o + length
    for (let from = o - distance; o < end;) out[o++] = out[from++] as number
    this.outLength = end
  }

  private dynamic(): void {
    const literalCount = this.need(5) + 257
    const distanceCount = this.need(5) + 1
    const codeLengthCount = this.need(4) + 4
    if (literalCount > 286 || distanceCount > 30)
      throw new InflateError('corrupt', 'too many length or distance symbols')
    const lengths = this.lengths
    lengths.fill(0, 0, 19)
    for (let i = 0; i < codeLengthCount; i++) lengths[CODE_LENGTH_ORDER[i] as number] = this.need(3)
    const codeLengthCode = this.codeLengthCode
    if (!codeLengthCode.build(lengths, 0, 19) || codeLengthCode.incomplete) {
      throw new InflateError('corrupt', 'invalid code lengths set')
    }
    const total = literalCount + distanceCount
    let i = 0
    while (i < total) {
      const symbol = this.decode(codeLengthCode)
      if (symbol < 16) {
        lengths[i++] = symbol
        continue
      }
      let value = 0
      let repeat: number
      if (symbol === 16) {
        if (i === 0) throw new InflateError('corrupt', 'invalid bit length repeat')
        value = lengths[i - 1] as number
        repeat = 3 + this.need(2)
      } else if (symbol === 17) repeat = 3 + this.need(3)
      else repeat = 11 + this.need(7)
      if (i + repeat > total) throw new InflateError('corrupt', 'invalid bit length repeat')
      lengths.fill(value, i, i + repeat)
      i += repeat
    }
    if (lengths[256] === 0) throw new InflateError('corrupt', 'invalid code -- missing end-of-block')
    const { literals, distances } = this
    // an incomplete code is allowed only when all its codes are one bit long, i.e. a single code (zlib)
    if (
      !literals.build(lengths, 0, literalCount) ||
      (literals.incomplete && literalCount !== (literals.count[0] as number) + (literals.count[1] as number))
    ) {
      throw new InflateError('corrupt', 'invalid literal/lengths set')
    }
    if (
      !distances.build(lengths, literalCount, distanceCount) ||
      (distances.incomplete &&
        distanceCount !== (distances.count[0] as number) + (distances.count[1] as number))
    ) {
      throw new InflateError('corrupt', 'invalid distances set')
    }
    this.codes(literals, distances)
  }
}

const inflater = new Inflater()

/** Decode raw DEFLATE data from `start`. Throws InflateError. */
export function inflateRaw(
  input: Uint8Array,
  start: number,
  maxBytes: number,
): { output: Buffer; end: number } {
  return inflater.run(input, start, maxBytes)
}
