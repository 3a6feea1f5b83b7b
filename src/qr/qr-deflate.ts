/**
 * A zlib stream (RFC 1950) of a QR image's filtered pixel rows, written directly: one deflate block
 * (RFC 1951 3.2.7) with a Huffman code fixed here for such images. Each group of identical pixel
 * rows (a module row, `copies` pixel rows high) is its first row as literals, then one match at the
 * distance of a row that copies it `copies - 1` times. It applies when every byte of a row is one of
 * 0x00, 0x0F, 0xF0, 0xFF (1-bit pixels, modules a multiple of 4 pixels wide, 0 as the filter byte):
 * the code gives those 2 or 3 bits and has no other literal. ~20 times faster than zlib level 1 on
 * the same rows (which must look for matches a zlib handle at a time), and about as small.
 */

/** code lengths, literal/length alphabet 0-285 (RFC 1951 3.2.5) */
const LITERAL_LENGTHS = new Uint8Array(286)
LITERAL_LENGTHS[0x00] = 2
LITERAL_LENGTHS[0xff] = 2
LITERAL_LENGTHS[0x0f] = 3
LITERAL_LENGTHS[0xf0] = 3
// end of block and the 29 length codes: 28 of 7 bits and 2 of 6 fill the last quarter (a complete code)
for (let s = 256; s < 286; s++) LITERAL_LENGTHS[s] = s < 258 ? 6 : 7
/** code lengths, distance alphabet 0-29: 28 of 5 bits and 2 of 4 (complete) */
const DISTANCE_LENGTHS = Uint8Array.from({ length: 30 }, (_, s) => (s < 2 ? 4 : 5))
/** the symbols of the code length alphabet this header uses, each with a 3-bit code (complete) */
const CODE_LENGTH_SYMBOLS = [0, 2, 3, 4, 5, 6, 7, 18]
/** RFC 1951 3.2.7: the order in which code length code lengths are sent */
const CODE_LENGTH_ORDER = [16, 17, 18, 0, 8, 7, 9, 6, 10, 5, 11, 4, 12, 3, 13, 2, 14, 1, 15]

/** Canonical Huffman codes of `lengths` (RFC 1951 3.2.2), bit-reversed: deflate sends them LSB first. */
function canonical(lengths: ArrayLike<number>): Uint16Array {
  const count = new Uint16Array(16)
  for (let i = 0; i < lengths.length; i++) {
    const length = lengths[i] as number
    count[length] = (count[length] as number) + 1
  }
  count[0] = 0
  const next = new Uint16Array(16)
  for (let bits = 1, code = 0; bits < 16; bits++) {
    code = (code + (count[bits - 1] as number)) << 1
    next[bits] = code
  }
  const codes = new Uint16Array(lengths.length)
  for (let i = 0; i < lengths.length; i++) {
    const length = lengths[i] as number
    if (length === 0) continue
    let code = next[length] as number
    next[length] = code + 1
    let reversed = 0
    for (let b = 0; b < length; b++, code >>= 1) reversed = (reversed << 1) | (code & 1)
    codes[i] = reversed
  }
  return codes
}

const LITERAL_CODES = canonical(LITERAL_LENGTHS)
const DISTANCE_CODES = canonical(DISTANCE_LENGTHS)

/** RFC 1951 3.2.5: the first length and the extra bits of length codes 257-285, and of distance codes */
const LENGTH_BASE = [
  3, 4, 5, 6, 7, 8, 9, 10, 11, 13, 15, 17, 19, 23, 27, 31, 35, 43, 51, 59, 67, 83, 99, 115, 131, 163, 195,
  227, 258,
]
const LENGTH_EXTRA = [0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2, 3, 3, 3, 3, 4, 4, 4, 4, 5, 5, 5, 5, 0]
const DISTANCE_BASE = [
  1, 2, 3, 4, 5, 7, 9, 13, 17, 25, 33, 49, 65, 97, 129, 193, 257, 385, 513, 769, 1025, 1537, 2049, 3073, 4097,
  6145, 8193, 12289, 16385, 24577,
]
const DISTANCE_EXTRA = [
  0, 0, 0, 0, 1, 1, 2, 2, 3, 3, 4, 4, 5, 5, 6, 6, 7, 7, 8, 8, 9, 9, 10, 10, 11, 11, 12, 12, 13, 13,
]

class BitWriter {
  readonly out: Uint8Array
  at = 0
  bits = 0
  held = 0
  constructor(room: number) {
    this.out = new Uint8Array(room)
  }
  /** the low `n` bits of `value` (n <= 16), first bit first */
  put(value: number, n: number): void {
    this.bits |= value << this.held
    this.held += n
    while (this.held >= 8) {
      this.out[this.at++] = this.bits & 0xff
      this.bits >>>= 8
      this.held -= 8
    }
  }
  /** to the end of the byte */
  align(): void {
    if (this.held > 0) this.put(0, 8 - this.held)
  }
}

/** The block header: BFINAL 1, BTYPE 2 (dynamic), and the two codes above (RFC 1951 3.2.7). */
function writeHeader(w: BitWriter): void {
  w.put(1, 1)
  w.put(2, 2)
  w.put(286 - 257, 5)
  w.put(30 - 1, 5)
  w.put(19 - 4, 4)
  const clLengths = new Uint8Array(19)
  for (const s of CODE_LENGTH_SYMBOLS) clLengths[s] = 3
  for (const s of CODE_LENGTH_ORDER) w.put(clLengths[s] as number, 3)
  const clCodes = canonical(clLengths)
  const lengths = [...LITERAL_LENGTHS, ...DISTANCE_LENGTHS]
  for (let i = 0; i < lengths.length;) {
    const length = lengths[i] as number
    let run = 1
    while (length === 0 && i + run < lengths.length && lengths[i + run] === 0 && run < 138) run++
    if (length === 0 && run >= 11) {
      w.put(clCodes[18] as number, 3)
      w.put(run - 11, 7)
      i += run
      continue
    }
    // a zero run shorter than 11 never occurs here; a lone 0 is its own symbol
    w.put(clCodes[length] as number, 3)
    i++
  }
}

function putLength(w: BitWriter, length: number): void {
  let s = 0
  while (s + 1 < LENGTH_BASE.length && (LENGTH_BASE[s + 1] as number) <= length) s++
  w.put(LITERAL_CODES[257 + s] as number, LITERAL_LENGTHS[257 + s] as number)
  if ((LENGTH_EXTRA[s] as number) > 0) w.put(length - (LENGTH_BASE[s] as number), LENGTH_EXTRA[s] as number)
}

function putDistance(w: BitWriter, distance: number): void {
  let s = 0
  while (s + 1 < DISTANCE_BASE.length && (DISTANCE_BASE[s + 1] as number) <= distance) s++
  w.put(DISTANCE_CODES[s] as number, DISTANCE_LENGTHS[s] as number)
  if ((DISTANCE_EXTRA[s] as number) > 0)
    w.put(distance - (DISTANCE_BASE[s] as number), DISTANCE_EXTRA[s] as number)
}

const MOD_ADLER = 65521

/** the stream's first bits, the same for every image: zlib header and the block's header */
const HEADER = new BitWriter(256)
HEADER.put(0x78, 8) // CMF: deflate, 32 KB window
HEADER.put(0x01, 8) // FLG: no dictionary, fastest level (0x7801 is a multiple of 31)
writeHeader(HEADER)

/**
 * The zlib stream of `groups` groups of `copies` identical rows of `stride` bytes each, the first row of
 * group g being `rows(g)` (a view valid until the next call). Every byte of a row must be 0x00, 0x0F,
 * 0xF0 or 0xFF, and `stride` at most 32768 (the window).
 */
export function deflateRowGroups(
  groups: number,
  copies: number,
  stride: number,
  rows: (group: number) => Uint8Array,
): Uint8Array {
  // per group at most: 3 bits a byte of the row, and a few matches of ~40 bits
  const w = new BitWriter(
    HEADER.at + 8 + groups * (Math.ceil((stride * 3) / 8) + 8 * Math.ceil(((copies - 1) * stride) / 256) + 8),
  )
  w.out.set(HEADER.out.subarray(0, HEADER.at))
  w.at = HEADER.at
  w.bits = HEADER.bits
  w.held = HEADER.held
  let s1 = 1
  let s2 = 0
  // the bit writer's state in variables for the literals (the most of the work)
  const out = w.out
  for (let g = 0; g < groups; g++) {
    const row = rows(g)
    // Adler-32 (RFC 1950 8.2) of the row, then of its copies: a block of n bytes with sum S and
    // weighted sum T (each byte times how many of the block's bytes, itself included, are left) adds S
    // to s1 and n * s1 + T to s2
    let sum = 0
    let weighted = 0
    let bits = w.bits
    let held = w.held
    let at = w.at
    for (let i = 0; i < stride; i++) {
      const byte = row[i] as number
      bits |= (LITERAL_CODES[byte] as number) << held
      held += LITERAL_LENGTHS[byte] as number
      if (held >= 8) {
        out[at++] = bits
        bits >>>= 8
        held -= 8
      }
      sum += byte
      weighted += sum
    }
    w.bits = bits
    w.held = held
    w.at = at
    for (let c = 0; c < copies; c++) {
      s2 = (s2 + stride * s1 + weighted) % MOD_ADLER
      s1 = (s1 + sum) % MOD_ADLER
    }
    // the copies: matches at a row's distance (overlapping), 258 bytes at most each, none under 3
    for (let left = (copies - 1) * stride; left > 0;) {
      const length = left > 258 ? (left - 258 >= 3 ? 258 : left - 3) : left
      putLength(w, length)
      putDistance(w, stride)
      left -= length
    }
  }
  w.put(LITERAL_CODES[256] as number, LITERAL_LENGTHS[256] as number)
  w.align()
  out[w.at++] = s2 >>> 8
  out[w.at++] = s2 & 0xff
  out[w.at++] = s1 >>> 8
  out[w.at++] = s1 & 0xff
  return out.subarray(0, w.at)
}
