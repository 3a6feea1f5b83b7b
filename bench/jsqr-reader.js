// The QR reader hcert had before ZXing (jsqr + pngjs + jpeg-js, src/qr/scan.ts and raster.ts up to
// commit f4e33ba), kept here only as the "before" of the bench's QR part. Not product code.
import jsqr from 'jsqr'
import { PNG } from 'pngjs'
import jpeg from 'jpeg-js'

const ATTEMPTS = [
  ['as is', []],
  ['with a quiet zone', [addQuietZone]],
  ['binarised', [binarise]],
  ['binarised, with a quiet zone', [binarise, addQuietZone]],
  ['scaled down', [scaleToFit(800)]],
  ['scaled down and binarised', [scaleToFit(800), binarise, addQuietZone]],
  ['scaled up', [scaleUp(2), addQuietZone]],
]

/** The text of the QR code in PNG/JPEG bytes, or undefined (the old reader threw). */
export function readWithJsqr(bytes) {
  let image
  try {
    if (bytes[0] === 0x89) {
      const png = PNG.sync.read(Buffer.from(bytes))
      image = { width: png.width, height: png.height, data: new Uint8ClampedArray(png.data) }
    } else {
      const j = jpeg.decode(bytes, { useTArray: true, formatAsRGBA: true, maxResolutionInMP: 40 })
      image = { width: j.width, height: j.height, data: new Uint8ClampedArray(j.data) }
    }
  } catch {
    return undefined
  }
  const large = Math.max(image.width, image.height) > 1200
  const attempts = large
    ? [
        ...ATTEMPTS.filter(([n]) => n.startsWith('scaled down')),
        ...ATTEMPTS.filter(([n]) => !n.startsWith('scaled down')),
      ]
    : ATTEMPTS
  for (const [, transforms] of attempts) {
    const input = transforms.reduce((img, t) => img && t(img), image)
    if (input === undefined) continue
    const found = jsqr.default(input.data, input.width, input.height, { inversionAttempts: 'attemptBoth' })
    if (found && found.data) return found.data
  }
  return undefined
}

const luminance = (d, i) => d[i] * 0.299 + d[i + 1] * 0.587 + d[i + 2] * 0.114

function addQuietZone(image) {
  const border = Math.max(8, Math.round(Math.max(image.width, image.height) * 0.1))
  const width = image.width + 2 * border
  const height = image.height + 2 * border
  const data = new Uint8ClampedArray(width * height * 4).fill(255)
  for (let y = 0; y < image.height; y++)
    data.set(
      image.data.subarray(y * image.width * 4, (y + 1) * image.width * 4),
      ((y + border) * width + border) * 4,
    )
  return { width, height, data }
}

function binarise(image) {
  const histogram = new Array(256).fill(0)
  const pixels = image.width * image.height
  const lum = new Uint8Array(pixels)
  for (let p = 0; p < pixels; p++) {
    const l = Math.round(luminance(image.data, p * 4))
    lum[p] = l
    histogram[l]++
  }
  let sum = 0
  for (let t = 0; t < 256; t++) sum += t * histogram[t]
  let sumB = 0
  let weightB = 0
  let best = 0
  let threshold = 127
  for (let t = 0; t < 256; t++) {
    weightB += histogram[t]
    if (weightB === 0) continue
    const weightF = pixels - weightB
    if (weightF === 0) break
    sumB += t * histogram[t]
    const between = weightB * weightF * (sumB / weightB - (sum - sumB) / weightF) ** 2
    if (between > best) {
      best = between
      threshold = t
    }
  }
  const data = new Uint8ClampedArray(pixels * 4)
  for (let p = 0; p < pixels; p++) {
    const v = lum[p] > threshold ? 255 : 0
    data[p * 4] = data[p * 4 + 1] = data[p * 4 + 2] = v
    data[p * 4 + 3] = 255
  }
  return { width: image.width, height: image.height, data }
}

function scaleToFit(max) {
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
            r += image.data[i]
            g += image.data[i + 1]
            b += image.data[i + 2]
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

function scaleUp(factor) {
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
