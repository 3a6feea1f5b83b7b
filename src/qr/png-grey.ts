/**
 * A large PNG read row by row into a scaled-down grey image, for the QR reader: ZXing's stb_image
 * holds the whole inflated data and then the whole decoded image in WebAssembly memory, which never
 * shrinks (a 40 MP RGB file: ~120 MB twice over, ~400 MB RSS in all). Here the pixel data is
 * inflated as a stream (node:zlib, 64 KiB at a time), each scanline unfiltered against the one
 * before (PNG §9), turned into luminance as ZXing computes it (306 R + 601 G + 117 B) / 1024,
 * composited over white where it has alpha, and averaged into `factor × factor` boxes. Memory: two
 * scanlines, one row of sums and the grey result. Non-interlaced PNGs of every colour type and bit
 * depth; undefined for an interlaced (Adam7) one, which is left to stb_image. Errors: ERR_IMAGE
 * (corrupt data, data cut short, or data that inflates past what the header needs).
 */
import { crc32, createInflate, createInflateRaw, deflateSync } from 'node:zlib'
import { DccError } from '../errors.js'
import { readPngChunks, type PngHeader } from './png-chunks.js'

export interface GreyImage {
  /** one byte a pixel, row after row */
  grey: Uint8Array
  width: number
  height: number
  /** each grey pixel is the mean of factor × factor pixels of the file */
  factor: number
}

const SAMPLES: Readonly<Record<number, number>> = { 0: 1, 2: 3, 3: 1, 4: 2, 6: 4 }

/** The smallest whole factor that brings width × height to at most maxPixels. */
export function scaleFactor(width: number, height: number, maxPixels: number): number {
  let factor = Math.max(1, Math.ceil(Math.sqrt((width * height) / maxPixels)))
  while (Math.ceil(width / factor) * Math.ceil(height / factor) > maxPixels) factor++
  return factor
}

export async function decodePngGrey(
  bytes: Uint8Array,
  maxPixels: number,
  source: string,
): Promise<GreyImage | undefined> {
  const { header, cgbi, idat, plte, trns } = readPngChunks(bytes)
  if (!header || header.interlaced || cgbi || idat.length === 0) return undefined
  const samples = SAMPLES[header.colourType]
  if (samples === undefined) return undefined
  const { width, height, bitDepth } = header
  const bitsPerPixel = samples * bitDepth
  const rowBytes = Math.ceil((width * bitsPerPixel) / 8)
  const bpp = Math.max(1, bitsPerPixel >> 3) // filter distance in bytes (PNG §9.2)
  const luminance = pixelLuminance(header, plte, trns)
  const factor = scaleFactor(width, height, maxPixels)
  const outWidth = Math.ceil(width / factor)
  const outHeight = Math.ceil(height / factor)
  const grey = new Uint8Array(outWidth * outHeight)
  const sums = new Uint32Array(outWidth)
  let previous = new Uint8Array(rowBytes)
  let current = new Uint8Array(rowBytes)
  let filter = -1 // the current scanline's filter byte, once read
  let filled = 0
  let y = 0
  const fail = (why: string, cause?: unknown): DccError =>
    new DccError('ERR_IMAGE', `image: the PNG file from ${source} could not be read (${why})`, { cause })

  const endRow = (): void => {
    unfilter(filter, current, previous, bpp)
    for (let x = 0; x < width; x++) sums[(x / factor) | 0]! += luminance(current, x)
    y++
    if (y % factor === 0 || y === height) {
      const rows = y % factor === 0 ? factor : y % factor
      const outY = Math.ceil(y / factor) - 1
      for (let ox = 0; ox < outWidth; ox++) {
        const columns = ox === outWidth - 1 && width % factor !== 0 ? width % factor : factor
        grey[outY * outWidth + ox] = Math.round(sums[ox]! / (rows * columns))
      }
      sums.fill(0)
    }
    ;[previous, current] = [current, previous]
    filter = -1
    filled = 0
  }

  const inflate = cgbi ? createInflateRaw() : createInflate()
  const done = new Promise<void>((resolve, reject) => {
    inflate.on('data', (chunk: Buffer) => {
      let at = 0
      while (at < chunk.length) {
        // data past the last scanline is ignored, as decoders do (png-data-bound.ts bounds how much)
        if (y >= height) return
        if (filter < 0) {
          filter = chunk[at++]!
          if (filter > 4) return inflate.destroy(fail(`a scanline has the unknown filter type ${filter}`))
          continue
        }
        const take = Math.min(rowBytes - filled, chunk.length - at)
        current.set(chunk.subarray(at, at + take), filled)
        filled += take
        at += take
        if (filled === rowBytes) endRow()
      }
    })
    inflate.on('error', reject)
    inflate.on('close', resolve)
    inflate.on('end', resolve)
  })
  for (const data of idat) inflate.write(data)
  inflate.end()
  try {
    await done
  } catch (cause) {
    if (cause instanceof DccError) throw cause
    throw fail('its compressed pixel data is corrupt', cause)
  }
  if (y < height) throw fail(`its pixel data ends after ${y} of ${height} rows`)
  return { grey, width: outWidth, height: outHeight, factor }
}

/** PNG §9.2: undo one scanline's filter in place, given the unfiltered line before it. */
function unfilter(type: number, line: Uint8Array, above: Uint8Array, bpp: number): void {
  const n = line.length
  switch (type) {
    case 1:
      for (let i = bpp; i < n; i++) line[i] = (line[i]! + line[i - bpp]!) & 0xff
      break
    case 2:
      for (let i = 0; i < n; i++) line[i] = (line[i]! + above[i]!) & 0xff
      break
    case 3:
      for (let i = 0; i < n; i++)
        line[i] = (line[i]! + (((i >= bpp ? line[i - bpp]! : 0) + above[i]!) >> 1)) & 0xff
      break
    case 4:
      for (let i = 0; i < n; i++) {
        const a = i >= bpp ? line[i - bpp]! : 0
        const b = above[i]!
        const c = i >= bpp ? above[i - bpp]! : 0
        const p = a + b - c
        const pa = Math.abs(p - a)
        const pb = Math.abs(p - b)
        const pc = Math.abs(p - c)
        line[i] = (line[i]! + (pa <= pb && pa <= pc ? a : pb <= pc ? b : c)) & 0xff
      }
      break
  }
}

const lum = (r: number, g: number, b: number): number => (306 * r + 601 * g + 117 * b + 0x200) >> 10
/** over white: a transparent background reads as white paper, as an image viewer shows it */
const overWhite = (value: number, alpha: number): number => ((value * alpha + 255 * (255 - alpha)) / 255) | 0

/** Luminance 0–255 of pixel x of an unfiltered scanline, for the header's colour type and depth. */
function pixelLuminance(
  header: PngHeader,
  plte: Uint8Array | undefined,
  trns: Uint8Array | undefined,
): (line: Uint8Array, x: number) => number {
  const { colourType, bitDepth } = header
  const wide = bitDepth === 16
  const step = wide ? 2 : 1 // 16-bit samples: the high byte is enough for a QR code
  if (colourType === 0 || colourType === 3) {
    const max = (1 << bitDepth) - 1
    const packed = bitDepth < 8
    const sample = (line: Uint8Array, x: number): number => {
      if (!packed) return line[x * step]!
      const bit = x * bitDepth
      return (line[bit >> 3]! >> (8 - bitDepth - (bit & 7))) & max
    }
    if (colourType === 0) {
      const scale = packed ? 255 / max : 1
      return (line, x) => Math.round(sample(line, x) * scale)
    }
    // a palette: each entry's luminance once, alpha from tRNS (PNG §11.3.2.1)
    const table = new Uint8Array(256).fill(255)
    if (plte)
      for (let i = 0; i * 3 + 2 < plte.length; i++) {
        const l = lum(plte[i * 3]!, plte[i * 3 + 1]!, plte[i * 3 + 2]!)
        table[i] = trns && i < trns.length ? overWhite(l, trns[i]!) : l
      }
    return (line, x) => table[sample(line, x)]!
  }
  const px = SAMPLES[colourType]! * step
  if (colourType === 4) return (line, x) => overWhite(line[x * px]!, line[x * px + step]!)
  if (colourType === 2) return (line, x) => lum(line[x * px]!, line[x * px + step]!, line[x * px + 2 * step]!)
  return (line, x) => {
    const i = x * px
    return overWhite(lum(line[i]!, line[i + step]!, line[i + 2 * step]!), line[i + 3 * step]!)
  }
}

/**
 * The grey image as a PNG file (8-bit greyscale, stored DEFLATE at level 1 for speed) for ZXing,
 * which reads image files: a few MB where the original inflated to over a hundred.
 */
export function greyPng(image: GreyImage): Uint8Array {
  const { grey, width, height } = image
  const raw = new Uint8Array((width + 1) * height)
  for (let y = 0; y < height; y++) raw.set(grey.subarray(y * width, (y + 1) * width), y * (width + 1) + 1)
  const chunk = (name: string, data: Uint8Array): Buffer => {
    const head = Buffer.alloc(8)
    head.writeUInt32BE(data.length, 0)
    head.write(name, 4, 'latin1')
    const crc = Buffer.alloc(4)
    crc.writeUInt32BE(crc32(Buffer.concat([head.subarray(4), data])), 0)
    return Buffer.concat([head, data, crc])
  }
  const ihdr = Buffer.alloc(13)
  ihdr.writeUInt32BE(width, 0)
  ihdr.writeUInt32BE(height, 4)
  ihdr[8] = 8 // bit depth
  ihdr[9] = 0 // greyscale
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', ihdr),
    chunk('IDAT', deflateSync(raw, { level: 1 })),
    chunk('IEND', new Uint8Array(0)),
  ])
}
