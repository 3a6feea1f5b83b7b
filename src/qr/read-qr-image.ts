/**
 * The text of the QR code in a PNG or JPEG image, read by ZXing-C++ (zxing-wasm), which decodes the
 * file itself and finds codes at any rotation, in both polarities, and in downscaled copies of large
 * photos. The work is bounded from the header (pixels, bytes of samples) before any pixel is decoded,
 * and a PNG's compressed pixel data must inflate to no more than that size needs (png-data-bound.ts).
 * Errors: ERR_IMAGE (unreadable, or over a bound), ERR_QR_NOT_FOUND.
 */
import type { ReaderOptions, ReadResult } from 'zxing-wasm/reader'
import { DccError } from '../errors.js'
import { declaredSize, type ImageFormat } from './image-format.js'
import { qrImageWarnings } from './image-warnings.js'
import { checkPngDataBound } from './png-data-bound.js'
import { decodePngGrey, greyPng, type GreyImage } from './png-grey.js'
import { firstSegmentMode, type QrMode } from './qr-mode.js'
import { zxingReader } from './zxing.js'

/**
 * Images above either bound are refused from their header, before any pixel is decoded. stb_image
 * holds the samples about twice over plus a grey copy, so these keep a run under ~350 MB and ~4 CPU
 * seconds: 40 MP of RGB or JPEG, 30 MP of RGBA (measured, README "QR images"). The bound on samples
 * applies to what stb_image decodes: JPEGs, interlaced PNGs and PNGs up to GREY_MAX_PIXELS.
 */
export const MAX_PIXELS = 40_000_000
export const MAX_SAMPLE_BYTES = 120_000_000

/**
 * A non-interlaced PNG above this is decoded here, row by row, into a grey image scaled down to at
 * most this many pixels (a 40 MP photo to 10 MP: a QR code in it keeps half its module size), instead
 * of by stb_image at full size in WebAssembly memory.
 */
export const GREY_MAX_PIXELS = 12_000_000

/** Above this, one attempt only: each retry decodes the file again (~0.1 s a megapixel). */
export const RETRY_MAX_PIXELS = 12_000_000

export interface QrImage {
  format: ImageFormat
  width: number
  height: number
  /** which attempt found the code, for the --layers view */
  attempt: string
  /** the mode of the code's first segment; null when it could not be told */
  mode: QrMode | null
}

export interface QrImageText {
  /** the text exactly as the code holds it, surrounding whitespace included */
  text: string
  image: QrImage
  /** what the code does against HCERT §4.2.2 (whitespace around the text, a mode other than alphanumeric) */
  warnings: string[]
}

const BASE: ReaderOptions = {
  formats: ['QRCode'],
  textMode: 'Plain',
  // two, so that an image holding more than one code is noticed (which one a reader returns first is
  // not defined, so it is refused rather than one of them verified)
  maxNumberOfSymbols: 2,
  tryHarder: true,
  tryRotate: true,
  tryInvert: true,
  tryDownscale: true,
}

/** Each attempt decodes the image anew; the first is ZXing's full search with a local threshold. */
const ATTEMPTS: ReadonlyArray<[string, ReaderOptions]> = [
  ['as is', {}],
  ['with a global threshold', { binarizer: 'GlobalHistogram' }],
  ['denoised', { tryDenoise: true }],
]

export async function readQrImage(
  bytes: Uint8Array,
  format: ImageFormat,
  source: string,
): Promise<QrImageText> {
  const name = format.toUpperCase()
  const size = declaredSize(bytes, format)
  if (!size || size.width === 0 || size.height === 0)
    throw new DccError(
      'ERR_IMAGE',
      `image: the ${name} file from ${source} has no readable size in its header`,
    )
  const { width, height, bytesPerPixel } = size
  if (width * height > MAX_PIXELS) {
    throw new DccError(
      'ERR_IMAGE',
      `image: ${width}x${height} pixels is larger than the ${MAX_PIXELS / 1_000_000} megapixels accepted; scale it down`,
    )
  }
  let input = bytes
  let scaled: GreyImage | undefined
  if (format === 'png') {
    // the size bounds only hold if the pixel data inflates to no more than the size needs
    await checkPngDataBound(bytes, source)
    // a large PNG is read here row by row into a scaled-down grey image (png-grey.ts)
    if (width * height > GREY_MAX_PIXELS) scaled = await decodePngGrey(bytes, GREY_MAX_PIXELS, source)
    if (scaled) input = greyPng(scaled)
  }
  if (!scaled && width * height * bytesPerPixel > MAX_SAMPLE_BYTES) {
    throw new DccError(
      'ERR_IMAGE',
      `image: ${width}x${height} pixels at ${bytesPerPixel} bytes a pixel is more than the ${MAX_SAMPLE_BYTES / 1_000_000} MB of samples accepted; scale it down or save it as RGB`,
    )
  }
  const attempts = width * height > RETRY_MAX_PIXELS ? ATTEMPTS.slice(0, 1) : ATTEMPTS
  for (const [attempt, options] of attempts) {
    const found = await read(input, { ...BASE, ...options }, name, source)
    if (found) {
      const mode = firstSegmentMode(found) ?? null
      return {
        text: found.text,
        image: { format, width, height, attempt, mode },
        warnings: qrImageWarnings(found.text, mode),
      }
    }
  }
  throw new DccError(
    'ERR_QR_NOT_FOUND',
    `image: no QR code was found in the ${name} image (${width}x${height}${scaled ? `, read scaled down to ${scaled.width}x${scaled.height}` : ''}) from ${source}, at any rotation, in both polarities, with a local and a global threshold`,
  )
}

async function read(
  bytes: Uint8Array,
  options: ReaderOptions,
  name: string,
  source: string,
): Promise<ReadResult | undefined> {
  const readBarcodes = await zxingReader()
  let results: ReadResult[]
  try {
    results = await readBarcodes(bytes, options)
  } catch (cause) {
    throw new DccError('ERR_IMAGE', `image: the ${name} file from ${source} could not be read`, { cause })
  }
  const failed = results.find((r) => !r.isValid && r.error)
  if (failed && /load image/i.test(failed.error))
    throw new DccError(
      'ERR_IMAGE',
      `image: the ${name} file from ${source} could not be read (its pixel data is damaged or cut short)`,
    )
  const codes = results.filter((r) => r.isValid && r.format === 'QRCode')
  if (new Set(codes.map((r) => r.text)).size > 1)
    throw new DccError(
      'ERR_IMAGE',
      `image: the ${name} image from ${source} holds more than one QR code; give each code as an image of its own`,
    )
  return codes[0]
}
