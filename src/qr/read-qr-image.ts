/** The text of the QR code in a PNG or JPEG image. */
import { DccError } from '../errors.js'
import type { ImageFormat } from './image-format.js'
import { decodeRaster } from './raster.js'
import { scanQr } from './scan.js'

export interface QrImageText {
  text: string
  image: { format: ImageFormat; width: number; height: number; attempt: string }
}

export function readQrImage(bytes: Uint8Array, format: ImageFormat, source: string): QrImageText {
  const raster = decodeRaster(bytes, format)
  const found = scanQr(raster)
  if (!found) {
    throw new DccError(
      'ERR_QR_NOT_FOUND',
      `image: no QR code was found in the ${format.toUpperCase()} image (${raster.width}x${raster.height}) from ${source}, after rescaling, binarisation and inversion`,
    )
  }
  return {
    text: found.text,
    image: { format, width: raster.width, height: raster.height, attempt: found.attempt },
  }
}
