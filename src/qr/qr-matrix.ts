/**
 * The QR symbol of an HC1 text as a module matrix: one alphanumeric segment, error correction Q
 * (HCERT 4.2.2), the smallest version that holds it, and the mask pattern with the lowest penalty
 * (ISO/IEC 18004:2015 7.8.3). The qrcode library draws the function patterns of each version once;
 * the data is encoded, error corrected, placed and masked here: the library's own choice of mask (8
 * masks, each applied to its BitMatrix and scored through a method call per module) is ~90% of its
 * time (~1.7 ms a certificate), and its encoding (~0.2 ms) was, after that, the most of ours. The
 * penalty rules and the order of ties are the library's, so the symbol is the one `QRCode.create`
 * makes (the tests compare them over versions 1-40).
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
  /** the 30 format modules (two copies of 15 bits) */
  format: Int32Array
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
    format,
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

/**
 * N1 and N3 down the columns of one packed matrix (its lines from `at`): each bit is a column. One
 * pass down the lines, the last 11 of them and whether each is alike its next held in variables.
 */
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
    // lines i - 10 .. i as a .. l, and alike(k) (bit set where line k is line k + 1) for k = i - 5 .. i - 1
    let a = 0
    let b = 0
    let c = 0
    let d = 0
    let e = 0
    let f = 0
    let g = 0
    let h = 0
    let j = 0
    let k = 0
    let l = lines[at + w] as number
    let alike0 = 0 // none before the first line
    let alike1 = 0
    let alike2 = 0
    let alike3 = 0
    for (let i = 1, p = at + words + w; i < size; i++, p += words) {
      a = b
      b = c
      c = d
      d = e
      e = f
      f = g
      g = h
      h = j
      j = k
      k = l
      l = lines[p] as number
      // 5 alike from line i - 4 (alike(i - 4 .. i - 1)); before line 4, alike1 is still 0
      const alike4 = ~(k ^ l)
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
      // 1011101 then 0000, or 0000 then 1011101, from line i - 10
      if (i >= 10) {
        const after = a & ~b & c & d & e & ~f & g & ~(h | j | k | l)
        const before = ~(a | b | c | d) & e & ~f & g & h & j & ~k & l
        const found = (after | before) & fits
        if (found !== 0) finders += popcount(found)
      }
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

/** ISO/IEC 18004:2015 Table 9, error correction level Q, by version 1-40: error correction blocks */
const BLOCKS_Q = [
  1, 1, 2, 2, 4, 4, 6, 6, 8, 8, 8, 10, 12, 16, 12, 17, 16, 18, 21, 20, 23, 23, 25, 27, 29, 34, 34, 35, 38, 40,
  43, 45, 48, 51, 53, 56, 59, 62, 65, 68,
]
/** ISO/IEC 18004:2015 Table 9, error correction level Q, by version 1-40: error correction codewords */
const EC_CODEWORDS_Q = [
  13, 22, 36, 52, 72, 96, 108, 132, 160, 192, 224, 260, 288, 320, 360, 408, 448, 504, 546, 600, 644, 690, 750,
  810, 870, 952, 1020, 1050, 1140, 1200, 1290, 1350, 1440, 1530, 1590, 1680, 1770, 1860, 1950, 2040,
]

/** ISO/IEC 18004:2015 7.1, Table 1: the codewords of a symbol of `version` (its data modules / 8). */
function totalCodewords(version: number): number {
  let modules = (16 * version + 128) * version + 64
  if (version >= 2) {
    const alignments = Math.floor(version / 7) + 2
    modules -= (25 * alignments - 10) * alignments - 55
    if (version >= 7) modules -= 36
  }
  return modules >> 3
}

/** ISO/IEC 18004:2015 Table 3: bits of the character count indicator, alphanumeric mode */
function countBits(version: number): number {
  return version < 10 ? 9 : version < 27 ? 11 : 13
}

/** ISO/IEC 18004:2015 Table 5: the value of each character of the alphanumeric set, -1 for others */
const ALPHANUMERIC = new Int8Array(128).fill(-1)
for (const [i, c] of [...'0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ $%*+-./:'].entries())
  ALPHANUMERIC[c.charCodeAt(0)] = i

/** GF(256) with the polynomial x^8 + x^4 + x^3 + x^2 + 1 (ISO/IEC 18004:2015 7.5.2): exp and log */
const EXP = new Uint8Array(512)
const LOG = new Uint8Array(256)
for (let i = 0, x = 1; i < 255; i++) {
  EXP[i] = x
  LOG[x] = i
  x <<= 1
  if (x & 0x100) x ^= 0x11d
}
for (let i = 255; i < 512; i++) EXP[i] = EXP[i - 255] as number

/** The logs of the generator polynomial of degree n (roots a^0 .. a^(n-1)), highest term first, leading 1 left out. */
function generatorLogs(n: number): Uint8Array {
  let poly = [1]
  for (let i = 0; i < n; i++) {
    const next = new Array<number>(poly.length + 1).fill(0)
    for (let j = 0; j < poly.length; j++) {
      const c = poly[j] as number
      next[j] = (next[j] as number) ^ c
      if (c !== 0) next[j + 1] = (next[j + 1] as number) ^ (EXP[(LOG[c] as number) + i] as number)
    }
    poly = next
  }
  return Uint8Array.from(poly.slice(1), (c) => LOG[c] as number)
}

/** What depends on the version only: the function patterns, the data modules' order, the blocks. */
interface Version {
  version: number
  size: number
  /** the function patterns (finders, timing, alignment, version information, the dark module), format modules light */
  template: Uint8Array
  /** the template packed into lines (see Layout) */
  templateLines: Int32Array
  /** the module of each data bit in placement order (ISO/IEC 18004:2015 7.7.3) */
  positions: Int32Array
  /** for each data bit, the word of its row and the bit in it, the word of its column and the bit in it */
  rowWord: Int32Array
  rowBit: Int32Array
  colWord: Int32Array
  colBit: Int32Array
  dataCodewords: number
  blocks: number
  /** error correction codewords a block */
  ecPerBlock: number
  generator: Uint8Array
  layout: Layout
}

const versions = new Map<number, Version>()

function versionOf(version: number): Version {
  let known = versions.get(version)
  if (known) return known
  // the library draws the function patterns (once a version): an empty symbol of this version
  const symbol = QRCode.create([{ data: '0', mode: 'alphanumeric' }], {
    errorCorrectionLevel: 'Q',
    maskPattern: 0,
    version,
  })
  const { size, data, reservedBit } = symbol.modules
  const layout = layoutOf(size, reservedBit)
  const template = new Uint8Array(size * size)
  for (let k = 0; k < template.length; k++) if (reservedBit[k]) template[k] = data[k] as number
  for (const k of layout.format) template[k] = 0
  const total = totalCodewords(version)
  const positions = new Int32Array(total * 8)
  let n = 0
  // two columns at a time from the right, up then down, skipping the vertical timing pattern
  for (let col = size - 1, upward = true; col > 0; col -= 2, upward = !upward) {
    if (col === 6) col--
    for (let step = 0; step < size; step++) {
      const row = upward ? size - 1 - step : step
      for (let c = 0; c < 2; c++) {
        const k = row * size + col - c
        if (!reservedBit[k] && n < positions.length) positions[n++] = k
      }
    }
  }
  const { words } = layout
  const templateLines = new Int32Array(2 * size * words)
  pack(template, size, words, templateLines)
  const rowWord = new Int32Array(n)
  const rowBit = new Int32Array(n)
  const colWord = new Int32Array(n)
  const colBit = new Int32Array(n)
  for (let m = 0; m < n; m++) {
    const k = positions[m] as number
    const i = Math.floor(k / size)
    const j = k % size
    rowWord[m] = i * words + (j >> 5)
    rowBit[m] = 1 << (j & 31)
    colWord[m] = size * words + j * words + (i >> 5)
    colBit[m] = 1 << (i & 31)
  }
  const blocks = BLOCKS_Q[version - 1] as number
  const ec = EC_CODEWORDS_Q[version - 1] as number
  known = {
    version,
    size,
    template,
    templateLines,
    positions: positions.subarray(0, n),
    rowWord,
    rowBit,
    colWord,
    colBit,
    dataCodewords: total - ec,
    blocks,
    ecPerBlock: ec / blocks,
    generator: generatorLogs(ec / blocks),
    layout,
  }
  versions.set(version, known)
  return known
}

/** The data codewords of `text` in one alphanumeric segment (ISO/IEC 18004:2015 7.4.4, 7.4.9, 7.4.10). */
function dataCodewords(text: string, version: number, count: number): Uint8Array {
  const out = new Uint8Array(count)
  let at = 0 // bytes written
  let acc = 0 // bits not yet written, at the low end
  let held = 0
  const put = (value: number, bits: number): void => {
    acc = (acc << bits) | value
    held += bits
    while (held >= 8) {
      held -= 8
      out[at++] = (acc >>> held) & 0xff
    }
    acc &= (1 << held) - 1
  }
  put(0b0010, 4)
  put(text.length, countBits(version))
  const value = (i: number): number => {
    const code = text.charCodeAt(i)
    const v = code < 128 ? (ALPHANUMERIC[code] as number) : -1
    if (v < 0) throw new Error(`Invalid data: character ${i + 1} is not of the alphanumeric set`)
    return v
  }
  let i = 0
  for (; i + 1 < text.length; i += 2) put(value(i) * 45 + value(i + 1), 11)
  if (i < text.length) put(value(i), 6)
  // the terminator (4 zero bits when there is room), zero bits to the end of the byte, then pad
  // codewords 0xEC, 0x11
  if (count * 8 - at * 8 - held >= 4) put(0, 4)
  if (held > 0) put(0, 8 - held)
  for (let k = at, pad = 0xec; k < count; k++, pad ^= 0xec ^ 0x11) out[k] = pad
  return out
}

/** The data and error correction codewords of a symbol, interleaved (ISO/IEC 18004:2015 7.5, 7.6). */
function codewords(data: Uint8Array, v: Version): Uint8Array {
  const total = v.dataCodewords + v.blocks * v.ecPerBlock
  const out = new Uint8Array(total)
  const { blocks, ecPerBlock, generator } = v
  const short = Math.floor(v.dataCodewords / blocks) // data codewords of a block of group 1
  const longBlocks = v.dataCodewords % blocks // group 2: one more
  const shortBlocks = blocks - longBlocks
  const remainder = new Uint8Array(ecPerBlock)
  let start = 0
  for (let b = 0; b < blocks; b++) {
    const length = b < shortBlocks ? short : short + 1
    remainder.fill(0)
    for (let i = 0; i < length; i++) {
      const byte = data[start + i] as number
      // interleaved: codeword i of block b (ISO/IEC 18004:2015 7.6, Figure 16)
      out[i < short ? i * blocks + b : short * blocks + (b - shortBlocks)] = byte
      const factor = byte ^ (remainder[0] as number)
      if (factor === 0) {
        for (let j = 0; j + 1 < ecPerBlock; j++) remainder[j] = remainder[j + 1] as number
        remainder[ecPerBlock - 1] = 0
        continue
      }
      const log = LOG[factor] as number
      for (let j = 0; j + 1 < ecPerBlock; j++)
        remainder[j] = (remainder[j + 1] as number) ^ (EXP[log + (generator[j] as number)] as number)
      remainder[ecPerBlock - 1] = EXP[log + (generator[ecPerBlock - 1] as number)] as number
    }
    for (let j = 0; j < ecPerBlock; j++) out[v.dataCodewords + j * blocks + b] = remainder[j] as number
    start += length
  }
  return out
}

/**
 * The symbol of `text` (characters of the alphanumeric set, ISO/IEC 18004 Table 5): encoded, error
 * corrected and placed here (~15 times faster than QRCode.create, whose symbol it is: the tests compare).
 */
export function qrMatrix(text: string): QrMatrix {
  let version = 1
  const bits = 4 + 11 * (text.length >> 1) + 6 * (text.length & 1)
  while (
    version <= 40 &&
    bits + countBits(version) > (totalCodewords(version) - (EC_CODEWORDS_Q[version - 1] as number)) * 8
  )
    version++
  if (version > 40) throw new Error('The amount of data is too big to be stored in a QR Code')
  const v = versionOf(version)
  const { size, layout, positions, rowWord, rowBit, colWord, colBit } = v
  const words = codewords(dataCodewords(text, version, v.dataCodewords), v)
  // the symbol before masking, with its format modules light: a module a byte, and packed
  const unmasked = v.template.slice()
  const base = v.templateLines.slice()
  const placed = Math.min(words.length * 8, positions.length)
  for (let c = 0; c < words.length; c++) {
    const byte = words[c] as number
    if (byte === 0) continue
    for (let b = 0, m = c * 8; b < 8 && m < placed; b++, m++) {
      if (((byte << b) & 0x80) === 0) continue
      unmasked[positions[m] as number] = 1
      base[rowWord[m] as number] = (base[rowWord[m] as number] as number) | (rowBit[m] as number)
      base[colWord[m] as number] = (base[colWord[m] as number] as number) | (colBit[m] as number)
    }
  }
  const { planes, bytes } = layout
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
  return { size, version, mask: best, modules }
}
