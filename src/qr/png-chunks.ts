/**
 * The chunks of a PNG file that bound its decoding (PNG §5.3, §11.2): the IHDR header, found where
 * stb_image (ZXing's decoder) finds it, after an optional Apple CgBI chunk; and the IDAT chunks
 * whose concatenation is the compressed pixel data. Read without decoding anything.
 */
export interface PngHeader {
  width: number
  height: number
  bitDepth: number
  colourType: number
  interlaced: boolean
}

export interface PngChunks {
  header: PngHeader | undefined
  /** an Apple CgBI PNG: its pixel data is raw DEFLATE, without the zlib header */
  cgbi: boolean
  /** the IDAT chunks' data, in order (views of the file; a chunk cut short by the file's end is cut) */
  idat: Uint8Array[]
  /** the PLTE chunk's RGB triples, for a palette image (colour type 3) */
  plte?: Uint8Array
  /** the tRNS chunk: palette alphas, or the one transparent grey/RGB value */
  trns?: Uint8Array
}

const type = (bytes: Uint8Array, at: number): string =>
  String.fromCharCode(
    bytes[at] as number,
    bytes[at + 1] as number,
    bytes[at + 2] as number,
    bytes[at + 3] as number,
  )

export function readPngChunks(bytes: Uint8Array): PngChunks {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength)
  const out: PngChunks = { header: undefined, cgbi: false, idat: [] }
  let at = 8
  let first = true
  while (at + 8 <= bytes.length) {
    const length = view.getUint32(at)
    const name = type(bytes, at + 4)
    const data = bytes.subarray(at + 8, Math.min(at + 8 + length, bytes.length))
    if (name === 'CgBI') out.cgbi = true
    else if (first) {
      // the first chunk after an optional CgBI must be IHDR (PNG §5.6); stb_image refuses anything else
      if (name !== 'IHDR' || data.length < 13) return out
      first = false
      out.header = {
        width: view.getUint32(at + 8),
        height: view.getUint32(at + 12),
        bitDepth: data[8] as number,
        colourType: data[9] as number,
        interlaced: data[12] === 1,
      }
    } else if (name === 'IDAT') out.idat.push(data)
    else if (name === 'PLTE') out.plte = data
    else if (name === 'tRNS') out.trns = data
    else if (name === 'IEND') break
    at += 12 + length
  }
  return out
}

/** samples a pixel in the file's own encoding (PNG §11.2.2; a palette index is one sample) */
const SAMPLES: Readonly<Record<number, number>> = { 0: 1, 2: 3, 3: 1, 4: 2, 6: 4 }

/**
 * The bytes the IDAT data inflates to for this header (PNG §7.2, §8.2): each scanline's filter
 * byte and packed samples; for Adam7 interlacing an upper bound (each of up to 15h/8 + 7 reduced
 * lines has a filter byte and at most one partly filled byte more). undefined for an unknown colour type.
 */
export function inflatedSize(header: PngHeader): number | undefined {
  const samples = SAMPLES[header.colourType]
  if (samples === undefined) return undefined
  const bitsPerPixel = samples * header.bitDepth
  const { width, height } = header
  if (!header.interlaced) return height * (1 + Math.ceil((width * bitsPerPixel) / 8))
  return Math.ceil((width * height * bitsPerPixel) / 8) + 2 * (Math.ceil((15 * height) / 8) + 7)
}
