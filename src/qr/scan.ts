/**
 * Finding the QR code in a raster, trying what phone apps try before giving up: both polarities,
 * a quiet zone added around tight crops, downscaling of large photos, upscaling of tiny images,
 * and Otsu binarisation for uneven lighting.
 */
import jsqr from 'jsqr'
import type { Raster } from './raster.js'

export interface ScanResult {
  text: string
  /** which attempt found it, for the --layers view */
  attempt: string
}

/** A transform returns undefined when it does not apply (that attempt is then skipped). */
type Transform = (image: Raster) => Raster | undefined

const ATTEMPTS: ReadonlyArray<[string, Transform[]]> = [
  ['as is', []],
  ['with a quiet zone', [addQuietZone]],
  ['binarised', [binarise]],
  ['binarised, with a quiet zone', [binarise, addQuietZone]],
  ['scaled down', [scaleToFit(800)]],
  ['scaled down and binarised', [scaleToFit(800), binarise, addQuietZone]],
  ['scaled up', [scaleUp(2), addQuietZone]],
]

export function scanQr(image: Raster): ScanResult | undefined {
  // a phone photo is large and the code is a small part of it: scaled down first is both faster and likelier
  const large = Math.max(image.width, image.height) > 1200
  const attempts = large
    ? [
        ...ATTEMPTS.filter(([name]) => name.startsWith('scaled down')),
        ...ATTEMPTS.filter(([name]) => !name.startsWith('scaled down')),
      ]
    : ATTEMPTS
  for (const [attempt, transforms] of attempts) {
    const input = transforms.reduce<Raster | undefined>((img, transform) => img && transform(img), image)
    if (input === undefined) continue
    // jsqr is CommonJS; its function sits on `default` of the module object
    const found = jsqr.default(input.data, input.width, input.height, { inversionAttempts: 'attemptBoth' })
    if (found && found.data) return { text: found.data, attempt }
  }
  return undefined
}

function luminance(data: Uint8ClampedArray, i: number): number {
  return (data[i] as number) * 0.299 + (data[i + 1] as number) * 0.587 + (data[i + 2] as number) * 0.114
}

export function addQuietZone(image: Raster): Raster {
  const border = Math.max(8, Math.round(Math.max(image.width, image.height) * 0.1))
  const width = image.width + 2 * border
  const height = image.height + 2 * border
  const data = new Uint8ClampedArray(width * height * 4).fill(255)
  for (let y = 0; y < image.height; y++) {
    data.set(
      image.data.subarray(y * image.width * 4, (y + 1) * image.width * 4),
      ((y + border) * width + border) * 4,
    )
  }
  return { width, height, data }
}

/** Global threshold chosen by Otsu's method over the luminance histogram. */
export function binarise(image: Raster): Raster {
  const histogram = new Array<number>(256).fill(0)
  const pixels = image.width * image.height
  const lum = new Uint8Array(pixels)
  for (let p = 0; p < pixels; p++) {
    const l = Math.round(luminance(image.data, p * 4))
    lum[p] = l
    histogram[l] = (histogram[l] as number) + 1
  }
  let sum = 0
  for (let t = 0; t < 256; t++) sum += t * (histogram[t] as number)
  let sumB = 0
  let weightB = 0
  let best = 0
  let threshold = 127
  for (let t = 0; t < 256; t++) {
    weightB += histogram[t] as number
    if (weightB === 0) continue
    const weightF = pixels - weightB
    if (weightF === 0) break
    sumB += t * (histogram[t] as number)
    const between = weightB * weightF * (sumB / weightB - (sum - sumB) / weightF) ** 2
    if (between > best) {
      best = between
      threshold = t
    }
  }
  const data = new Uint8ClampedArray(pixels * 4)
  for (let p = 0; p < pixels; p++) {
    const v = (lum[p] as number) > threshold ? 255 : 0
    data[p * 4] = data[p * 4 + 1] = data[p * 4 + 2] = v
    data[p * 4 + 3] = 255
  }
  return { width: image.width, height: image.height, data }
}

/** Box-filter downscale so that the longer side is at most `max` pixels (unchanged if already smaller). */
export function scaleToFit(max: number): Transform {
  return (image) => {
    const factor = Math.ceil(Math.max(image.width, image.height) / max)
    if (factor <= 1) return undefined
    const width = Math.floor(image.width / factor)
    const height = Math.floor(image.height / factor)
    const data = new Uint8ClampedArray(width * height * 4)
    const area = factor * factor
    for (let y = 0; y < height; y++) {
      for (let x = 0; x < width; x++) {
        let r = 0
        let g = 0
        let b = 0
        for (let dy = 0; dy < factor; dy++) {
          for (let dx = 0; dx < factor; dx++) {
            const i = ((y * factor + dy) * image.width + x * factor + dx) * 4
            r += image.data[i] as number
            g += image.data[i + 1] as number
            b += image.data[i + 2] as number
          }
        }
        const o = (y * width + x) * 4
        data[o] = r / area
        data[o + 1] = g / area
        data[o + 2] = b / area
        data[o + 3] = 255
      }
    }
    return { width, height, data }
  }
}

/** Nearest-neighbour upscale for tiny images whose modules are one or two pixels wide. */
export function scaleUp(factor: number): Transform {
  return (image) => {
    if (Math.max(image.width, image.height) > 400) return undefined
    const width = image.width * factor
    const height = image.height * factor
    const data = new Uint8ClampedArray(width * height * 4)
    for (let y = 0; y < height; y++) {
      for (let x = 0; x < width; x++) {
        const i = (Math.floor(y / factor) * image.width + Math.floor(x / factor)) * 4
        data.set(image.data.subarray(i, i + 4), (y * width + x) * 4)
      }
    }
    return { width, height, data }
  }
}
