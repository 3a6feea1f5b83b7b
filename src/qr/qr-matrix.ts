/**
 * The QR symbol of an HC1 text as a module matrix: one alphanumeric segment, error correction Q
 * (HCERT 4.2.2), the smallest version that holds it, and the mask pattern with the lowest penalty
 * (ISO/IEC 18004:2015 7.8.3). The qrcode library encodes the data, places it and draws the function
 * patterns; the mask is chosen here, because the library's own choice (8 masks, each applied to its
 * BitMatrix and scored through a method call per module) is ~90% of its time: ~1.7 ms a certificate
 * against ~0.2 ms here. The penalty rules and the order of ties are the library's, so the symbol is
 * the one `QRCode.create` makes (the tests compare them).
 */
import QRCode from 'qrcode'
import { MASKS } from './qr-masks.js'

export interface QrMatrix {
  /** modules per side, without the quiet zone */
  size: number
  version: number
  /** the mask pattern chosen, 0-7 */
  mask: number
  /** row after row, 1 for a dark module */
  modules: Uint8Array
}

/**
 * ISO/IEC 18004:2015 Table C.1: the 15 bits of format information (BCH-coded, XORed with
 * 101010000010010) for error correction level Q, by mask pattern.
 */
const FORMAT_Q = [0x355f, 0x3068, 0x3f31, 0x3a06, 0x24b4, 0x2183, 0x2eda, 0x2bed]

/**
 * What depends on the version only. Lines (rows, then columns as rows of the transposed symbol) are
 * packed 32 modules a word: module j of a line is bit (j & 31) of its word (j >> 5).
 */
interface Layout {
  size: number
  /** words a line */
  words: number
  /**
   * per mask pattern: the modules it inverts in the encoding region, and the format modules that are
   * dark with it (so that XORed onto a symbol whose format modules are light, it masks the symbol);
   * packed, rows then columns
   */
  planes: Int32Array[]
  /** the same, a byte a module */
  bytes: Uint8Array[]
  /** per word, the bits of a line's modules, and of those that have one more after them */
  valid: Int32Array
  fits2: Int32Array
}

const layouts = new Map<number, Layout>()

/** Packs a matrix (1 a module) into lines: its rows, then its columns. */
function pack(m: Uint8Array, size: number, words: number, into: Int32Array): void {
  into.fill(0)
  const cols = size * words
  for (let i = 0; i < size; i++) {
    for (let j = 0; j < size; j++) {
      if (!m[i * size + j]) continue
      const row = i * words + (j >> 5)
      const col = cols + j * words + (i >> 5)
      into[row] = (into[row] as number) | (1 << (j & 31))
      into[col] = (into[col] as number) | (1 << (i & 31))
    }
  }
}

function fits(size: number, words: number, window: number): Int32Array {
  const bits = new Int32Array(words)
  for (let j = 0; j + window <= size; j++) bits[j >> 5] = (bits[j >> 5] as number) | (1 << (j & 31))
  return bits
}

function layoutOf(size: number, reserved: Uint8Array): Layout {
  let layout = layouts.get(size)
  if (layout) return layout
  const words = (size + 31) >> 5
  // ISO/IEC 18004:2015 7.9.1, Figure 25: bits 0-7 down column 8 (skipping the timing row) then up
  // from the bottom; bits 0-7 leftwards along row 8 from the right edge, bits 8-14 around the
  // top-left finder (skipping the timing column)
  const format = new Int32Array(30)
  for (let i = 0; i < 15; i++) {
    const row = i < 6 ? i : i < 8 ? i + 1 : size - 15 + i
    const col = i < 8 ? size - i - 1 : i < 9 ? 15 - i : 14 - i
    format[2 * i] = row * size + 8
    format[2 * i + 1] = 8 * size + col
  }
  const bytes = MASKS.map((inverts, mask) => {
    const plane = new Uint8Array(size * size)
    for (let i = 0; i < size; i++)
      for (let j = 0; j < size; j++) if (!reserved[i * size + j] && inverts(i, j)) plane[i * size + j] = 1
    const bits = FORMAT_Q[mask] as number
    for (let i = 0; i < 30; i++) plane[format[i] as number] = (bits >> (i >> 1)) & 1
    return plane
  })
  const planes = bytes.map((plane) => {
    const packed = new Int32Array(2 * size * words)
    pack(plane, size, words, packed)
    return packed
  })
  layout = {
    size,
    words,
    planes,
    bytes,
    valid: fits(size, words, 1),
    fits2: fits(size, words, 2),
  }
  layouts.set(size, layout)
  return layout
}

function popcount(x: number): number {
  x -= (x >>> 1) & 0x55555555
  x = (x & 0x33333333) + ((x >>> 2) & 0x33333333)
  x = (x + (x >>> 4)) & 0x0f0f0f0f
  return Math.imul(x, 0x01010101) >>> 24
}

/** N1 and N3 down the columns of one packed matrix (its lines from `at`): each bit is a column. */
function columnPenalty(
  lines: Int32Array,
  at: number,
  size: number,
  words: number,
  valid: Int32Array,
): number {
  let windows5 = 0 // windows of 5 alike modules: a run of n >= 5 has n - 4
  let runs5 = 0 // and the first of them starts the run
  let finders = 0
  for (let w = 0; w < words; w++) {
    const fits = valid[w] as number
    const row = (i: number): number => lines[at + i * words + w] as number
    // alike(i): bit set where the module in line i is the one in line i + 1
    let alike0 = 0 // alike(i - 1), none before the first line
    let alike1 = ~(row(0) ^ row(1))
    let alike2 = ~(row(1) ^ row(2))
    let alike3 = ~(row(2) ^ row(3))
    for (let i = 0; i + 4 < size; i++) {
      const alike4 = ~(row(i + 3) ^ row(i + 4))
      const five = alike1 & alike2 & alike3 & alike4 & fits
      if (five !== 0) {
        windows5 += popcount(five)
        const starts = five & ~alike0
        if (starts !== 0) runs5 += popcount(starts)
      }
      alike0 = alike1
      alike1 = alike2
      alike2 = alike3
      alike3 = alike4
    }
    // 1011101 then 0000, or 0000 then 1011101, from line i
    for (let i = 0; i + 10 < size; i++) {
      const a = row(i)
      const b = row(i + 1)
      const c = row(i + 2)
      const d = row(i + 3)
      const e = row(i + 4)
      const f = row(i + 5)
      const g = row(i + 6)
      const h = row(i + 7)
      const j = row(i + 8)
      const k = row(i + 9)
      const l = row(i + 10)
      const after = a & ~b & c & d & e & ~f & g & ~(h | j | k | l)
      const before = ~(a | b | c | d) & e & ~f & g & h & j & ~k & l
      const found = (after | before) & fits
      if (found !== 0) finders += popcount(found)
    }
  }
  return windows5 + 2 * runs5 + 40 * finders
}

/**
 * The penalty of a masked symbol (`lines`: its rows, then its columns as the rows of its transpose,
 * packed), rules N1-N4 of ISO/IEC 18004:2015 7.8.3.1 as the qrcode library scores them: N1 runs of
 * 5+ in rows and columns (3 + the run's length beyond 5), N2 2x2 blocks of one colour (3 each), N3
 * 1011101 with 4 light modules before or after it, in any 11-module window of a row or column (40
 * each), N4 the dark share's distance from 50% in whole steps of 5% (10 each). Each rule runs down
 * the columns, 32 at a time (the rows' rules, down the columns of the transpose).
 */
export function maskPenalty(lines: Int32Array, layout: Layout): number {
  const { size, words, valid, fits2 } = layout
  let penalty =
    columnPenalty(lines, 0, size, words, valid) + columnPenalty(lines, size * words, size, words, valid)
  let blocks = 0
  let dark = 0
  for (let i = 0; i < size; i++) {
    for (let w = 0; w < words; w++) {
      const x = lines[i * words + w] as number
      if (x !== 0) dark += popcount(x)
      if (i + 1 === size) continue
      // 2x2 at (i, j): alike along row i and row i + 1 from column j, and down column j
      const y = lines[(i + 1) * words + w] as number
      const xNext = w + 1 < words ? (lines[i * words + w + 1] as number) : 0
      const yNext = w + 1 < words ? (lines[(i + 1) * words + w + 1] as number) : 0
      const along = ~(x ^ ((x >>> 1) | (xNext << 31))) & ~(y ^ ((y >>> 1) | (yNext << 31)))
      const found = along & ~(x ^ y) & (fits2[w] as number)
      if (found !== 0) blocks += popcount(found)
    }
  }
  const total = size * size
  const k = Math.abs(Math.ceil((dark * 100) / total / 5) - 10)
  penalty += blocks * 3 + k * 10
  return penalty
}

/** The symbol of `text` (characters of the alphanumeric set, ISO/IEC 18004 Table 5). */
export function qrMatrix(text: string): QrMatrix {
  const symbol = QRCode.create([{ data: text, mode: 'alphanumeric' }], {
    errorCorrectionLevel: 'Q',
    maskPattern: 0,
  })
  const { size, data, reservedBit } = symbol.modules
  const layout = layoutOf(size, reservedBit)
  const { words, planes, bytes } = layout
  // the symbol before masking, with its format modules light
  const unmasked = new Uint8Array(data.length)
  const plane0 = bytes[0] as Uint8Array
  for (let k = 0; k < data.length; k++) unmasked[k] = (data[k] as number) ^ (plane0[k] as number)
  const base = new Int32Array(2 * size * words)
  pack(unmasked, size, words, base)
  const lines = new Int32Array(base.length)
  let best = 0
  let lowest = Infinity
  for (let mask = 0; mask < 8; mask++) {
    const plane = planes[mask] as Int32Array
    for (let i = 0; i < lines.length; i++) lines[i] = (base[i] as number) ^ (plane[i] as number)
    const penalty = maskPenalty(lines, layout)
    if (penalty < lowest) {
      lowest = penalty
      best = mask
    }
  }
  const modules = unmasked
  const chosen = bytes[best] as Uint8Array
  for (let k = 0; k < modules.length; k++) modules[k] = (modules[k] as number) ^ (chosen[k] as number)
  return { size, version: symbol.version, mask: best, modules }
}
