/**
 * PNG or JPEG, recognised by the first bytes (real certificates named .png are sometimes JPEG), and
 * the pixel size its header declares, read before any pixel is decoded.
 */
import { DccError } from '../errors.js'
import { readPngChunks } from './png-chunks.js'

export type ImageFormat = 'png' | 'jpeg'

export function detectImageFormat(bytes: Uint8Array): ImageFormat | undefined {
  if (bytes.length >= 8 && bytes[0] === 0x89 && bytes[1] === 0x50 && bytes[2] === 0x4e && bytes[3] === 0x47)
    return 'png'
  if (bytes.length >= 3 && bytes[0] === 0xff && bytes[1] === 0xd8 && bytes[2] === 0xff) return 'jpeg'
  return undefined
}

const ascii = (bytes: Uint8Array, at: number, text: string): boolean =>
  bytes.length >= at + text.length && [...text].every((c, i) => bytes[at + i] === c.charCodeAt(0))

/** BITMAPINFOHEADER and its kin: the sizes a BMP's DIB header may have */
const BMP_DIB_SIZES = new Set([12, 40, 52, 56, 64, 108, 124])
const HEIF_BRANDS = new Set(['heic', 'heix', 'hevc', 'hevx', 'heim', 'heis', 'mif1', 'msf1'])

/**
 * An image (or PDF) format hcert does not decode, named by its magic bytes, so that such a file is
 * not read as certificate text ("does not start with HC1:"): WebP (RIFF…WEBP), GIF (GIF87a/89a),
 * BMP (BM with a DIB header size), TIFF (II*\0 or MM\0*), HEIC/HEIF and AVIF (ISO BMFF ftyp
 * brand), JPEG 2000, JPEG XL and PDF. Undefined for anything else, PNG and JPEG included.
 */
export function otherImageFormat(bytes: Uint8Array): string | undefined {
  if (ascii(bytes, 0, 'RIFF') && ascii(bytes, 8, 'WEBP')) return 'WebP image'
  if (ascii(bytes, 0, 'GIF87a') || ascii(bytes, 0, 'GIF89a')) return 'GIF image'
  if (ascii(bytes, 0, 'BM') && bytes.length >= 18) {
    const dib = new DataView(bytes.buffer, bytes.byteOffset + 14, 4).getUint32(0, true)
    if (BMP_DIB_SIZES.has(dib)) return 'BMP image'
  }
  if (ascii(bytes, 0, 'II*\0') || ascii(bytes, 0, 'MM\0*')) return 'TIFF image'
  if (ascii(bytes, 4, 'ftyp') && bytes.length >= 12) {
    const brand = String.fromCharCode(...bytes.subarray(8, 12))
    if (HEIF_BRANDS.has(brand)) return 'HEIC image'
    if (brand === 'avif' || brand === 'avis') return 'AVIF image'
    if (brand === 'jp2 ' || brand === 'jpx ') return 'JPEG 2000 image'
  }
  if (ascii(bytes, 4, 'jP  ')) return 'JPEG 2000 image'
  if ((bytes[0] === 0xff && bytes[1] === 0x0a) || ascii(bytes, 4, 'JXL ')) return 'JPEG XL image'
  if (ascii(bytes, 0, '%PDF-')) return 'PDF document'
  return undefined
}

/** ERR_IMAGE for a file in a format named by otherImageFormat, or undefined when it is not one */
export function otherImageFormatError(bytes: Uint8Array, source: string): DccError | undefined {
  const format = otherImageFormat(bytes)
  if (format === undefined) return undefined
  return new DccError(
    'ERR_IMAGE',
    `image: ${source} is a ${format}: hcert reads PNG and JPEG; convert it to PNG or JPEG`,
  )
}

export interface DeclaredSize {
  width: number
  height: number
  /** bytes a pixel once decoded to 8 or 16 bits a sample: 1 grey … 4 RGBA, 8 for 16-bit RGBA */
  bytesPerPixel: number
}

/** PNG colour type → samples a pixel (PNG 11.2.2; a palette expands to RGB) */
const PNG_SAMPLES: Readonly<Record<number, number>> = { 0: 1, 2: 3, 3: 3, 4: 2, 6: 4 }

/**
 * The size from the PNG IHDR chunk (PNG 11.2.2) or the first JPEG start-of-frame marker (ITU T.81
 * B.2.2); undefined when the header is cut short or malformed.
 */
export function declaredSize(bytes: Uint8Array, format: ImageFormat): DeclaredSize | undefined {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength)
  if (format === 'png') {
    // the IHDR chunk where the decoder finds it (after an Apple CgBI chunk, if any), not at a fixed offset
    const header = readPngChunks(bytes).header
    if (!header) return undefined
    const samples = PNG_SAMPLES[header.colourType]
    if (samples === undefined) return undefined
    const bytesPerSample = header.bitDepth === 16 ? 2 : 1
    return { width: header.width, height: header.height, bytesPerPixel: samples * bytesPerSample }
  }
  let at = 2
  while (at + 4 <= bytes.length) {
    if (bytes[at] !== 0xff) return undefined
    const marker = bytes[at + 1] as number
    if (marker === 0xff) {
      at++ // fill byte
      continue
    }
    if (marker === 0xd8 || marker === 0x01 || (marker >= 0xd0 && marker <= 0xd7)) {
      at += 2 // markers without a length
      continue
    }
    const length = view.getUint16(at + 2)
    // SOF0..SOF15 but DHT (C4), JPG (C8) and DAC (CC): P, Y (height), X (width)
    if (marker >= 0xc0 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc) {
      if (at + 10 > bytes.length) return undefined
      const components = bytes[at + 9] as number
      return { width: view.getUint16(at + 7), height: view.getUint16(at + 5), bytesPerPixel: components }
    }
    at += 2 + length
  }
  return undefined
}
