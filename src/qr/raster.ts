/** Decoding PNG and JPEG bytes into RGBA pixels, with the format detected from the bytes, not a file name. */
import { PNG } from 'pngjs'
import jpeg from 'jpeg-js'
import { DccError } from '../errors.js'

import type { ImageFormat } from './image-format.js'

export interface Raster {
  width: number
  height: number
  /** RGBA, 4 bytes per pixel */
  data: Uint8ClampedArray
}

/** Refuse images whose pixels alone would take more memory than a phone photo of a QR code needs. */
export const MAX_PIXELS = 40_000_000

export function decodeRaster(bytes: Uint8Array, format: ImageFormat): Raster {
  try {
    if (format === 'png') {
      if (bytes.length >= 24) {
        const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength)
        checkSize(view.getUint32(16), view.getUint32(20))
      }
      const png = PNG.sync.read(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength))
      return {
        width: png.width,
        height: png.height,
        data: new Uint8ClampedArray(png.data.buffer, png.data.byteOffset, png.data.length),
      }
    }
    const image = jpeg.decode(bytes, {
      useTArray: true,
      formatAsRGBA: true,
      maxResolutionInMP: MAX_PIXELS / 1_000_000,
      maxMemoryUsageInMB: 512,
    })
    return {
      width: image.width,
      height: image.height,
      data: new Uint8ClampedArray(image.data.buffer, image.data.byteOffset, image.data.length),
    }
  } catch (cause) {
    if (cause instanceof DccError) throw cause
    throw new DccError(
      'ERR_IMAGE',
      `image: the ${format.toUpperCase()} file could not be read (${(cause as Error).message})`,
      { cause },
    )
  }
}

function checkSize(width: number, height: number): void {
  if (width * height > MAX_PIXELS) {
    throw new DccError(
      'ERR_IMAGE',
      `image: ${width}x${height} pixels is larger than the ${MAX_PIXELS / 1_000_000} megapixels accepted`,
    )
  }
}
