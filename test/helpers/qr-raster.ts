/**
 * QR codes as grey pixels for the image-reading tests: rendered from the `qrcode` library's module
 * matrix, then rotated or blurred by plain raster code, and written as PNG with node:zlib.
 */
import { constants, crc32, createDeflate } from 'node:zlib'
import QRCode, { type QRCodeSegment } from 'qrcode'

export interface Gray {
  width: number
  height: number
  /** one byte a pixel, 0 black, 255 white */
  data: Uint8Array
}

/**
 * `scale` pixels a module and `margin` modules of quiet zone; mode as the QR writer is asked. `shc`
 * is a SMART Health Card's code: `shc:/` (and a chunk header) in byte mode, then the digits in
 * numeric mode, error correction L (SMART Health Cards 1.4 "Encoding QRs").
 */
export function renderQr(
  text: string,
  options: { scale: number; margin: number; mode?: 'alphanumeric' | 'byte' | 'shc' },
): Gray {
  const shcHeader = options.mode === 'shc' ? (/^shc:\/(?:\d+\/\d+\/)?/.exec(text)?.[0] ?? '') : ''
  const segments: QRCodeSegment[] =
    options.mode === 'shc'
      ? [
          { data: Buffer.from(shcHeader, 'latin1'), mode: 'byte' },
          { data: text.slice(shcHeader.length), mode: 'numeric' },
        ]
      : options.mode === 'byte'
        ? [{ data: Buffer.from(text, 'latin1'), mode: 'byte' }]
        : [{ data: text, mode: 'alphanumeric' }]
  const { modules } = QRCode.create(segments, {
    errorCorrectionLevel: options.mode === 'shc' ? 'L' : 'Q',
  })
  const size = (modules.size + 2 * options.margin) * options.scale
  const data = new Uint8Array(size * size).fill(255)
  for (let y = 0; y < size; y++) {
    for (let x = 0; x < size; x++) {
      const row = Math.floor(y / options.scale) - options.margin
      const col = Math.floor(x / options.scale) - options.margin
      if (row >= 0 && col >= 0 && row < modules.size && col < modules.size && modules.get(row, col))
        data[y * size + x] = 0
    }
  }
  return { width: size, height: size, data }
}

/** Rotated by `degrees` about its centre onto a white canvas that holds all of it (bilinear). */
export function rotate(image: Gray, degrees: number): Gray {
  const a = (degrees * Math.PI) / 180
  const cos = Math.cos(a)
  const sin = Math.sin(a)
  const width = Math.ceil(Math.abs(image.width * cos) + Math.abs(image.height * sin))
  const height = Math.ceil(Math.abs(image.width * sin) + Math.abs(image.height * cos))
  const data = new Uint8Array(width * height)
  const at = (x: number, y: number): number =>
    x < 0 || y < 0 || x >= image.width || y >= image.height
      ? 255
      : (image.data[y * image.width + x] as number)
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const dx = x - width / 2
      const dy = y - height / 2
      const sx = dx * cos + dy * sin + image.width / 2
      const sy = -dx * sin + dy * cos + image.height / 2
      const x0 = Math.floor(sx)
      const y0 = Math.floor(sy)
      const fx = sx - x0
      const fy = sy - y0
      const top = at(x0, y0) * (1 - fx) + at(x0 + 1, y0) * fx
      const bottom = at(x0, y0 + 1) * (1 - fx) + at(x0 + 1, y0 + 1) * fx
      data[y * width + x] = Math.round(top * (1 - fy) + bottom * fy)
    }
  }
  return { width, height, data }
}

/** A box blur of the given radius, `passes` times (three passes approach a Gaussian). */
export function blur(image: Gray, radius: number, passes = 3): Gray {
  let data = image.data
  const { width, height } = image
  for (let pass = 0; pass < passes; pass++) {
    for (const horizontal of [true, false]) {
      const out = new Uint8Array(data.length)
      for (let y = 0; y < height; y++) {
        for (let x = 0; x < width; x++) {
          let sum = 0
          let n = 0
          for (let d = -radius; d <= radius; d++) {
            const xx = horizontal ? x + d : x
            const yy = horizontal ? y : y + d
            if (xx < 0 || yy < 0 || xx >= width || yy >= height) continue
            sum += data[yy * width + xx] as number
            n++
          }
          out[y * width + x] = Math.round(sum / n)
        }
      }
      data = out
    }
  }
  return { width, height, data }
}

/**
 * A PNG (8 bits a sample; 1 channel grey, 3 RGB, 4 RGBA) whose rows come from `row`, deflated as a
 * stream so that a 40-megapixel image never sits in memory whole.
 */
export async function encodePng(
  width: number,
  height: number,
  channels: 1 | 3 | 4,
  row: (y: number) => Uint8Array,
): Promise<Buffer> {
  const deflate = createDeflate({ level: 1 })
  const compressed: Buffer[] = []
  deflate.on('data', (chunk: Buffer) => compressed.push(chunk))
  const done = new Promise((resolve) => deflate.on('end', resolve))
  for (let y = 0; y < height; y++) {
    const line = Buffer.alloc(1 + width * channels) // filter type 0
    line.set(row(y), 1)
    if (!deflate.write(line)) await new Promise((resolve) => deflate.once('drain', resolve))
  }
  deflate.end()
  await done
  const ihdr = Buffer.alloc(13)
  ihdr.writeUInt32BE(width, 0)
  ihdr.writeUInt32BE(height, 4)
  ihdr[8] = 8
  ihdr[9] = { 1: 0, 3: 2, 4: 6 }[channels]
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', ihdr),
    chunk('IDAT', Buffer.concat(compressed)),
    chunk('IEND', Buffer.alloc(0)),
  ])
}

/**
 * A decompression bomb: a grey 8-bit PNG of width x height whose IDAT data inflates to `inflated`
 * bytes of zeros (~1/1000 of that on disk), far more than its pixels need when `inflated` is
 * large. `cgbi` puts an Apple CgBI chunk before IHDR (its pixel data is then raw DEFLATE).
 */
export async function pngBomb(
  width: number,
  height: number,
  inflated: number,
  options: { cgbi?: boolean } = {},
): Promise<Buffer> {
  const deflate = createDeflate({ level: 9, strategy: constants.Z_RLE })
  const compressed: Buffer[] = []
  deflate.on('data', (part: Buffer) => compressed.push(part))
  const done = new Promise((resolve) => deflate.on('end', resolve))
  const zeros = Buffer.alloc(4 << 20)
  for (let left = inflated; left > 0; left -= zeros.length) {
    if (!deflate.write(zeros.subarray(0, Math.min(left, zeros.length))))
      await new Promise((resolve) => deflate.once('drain', resolve))
  }
  deflate.end()
  await done
  const ihdr = Buffer.alloc(13)
  ihdr.writeUInt32BE(width, 0)
  ihdr.writeUInt32BE(height, 4)
  ihdr[8] = 8
  const data = Buffer.concat(compressed)
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    ...(options.cgbi ? [chunk('CgBI', Buffer.from([0x50, 0, 0x20, 0x02]))] : []),
    chunk('IHDR', ihdr),
    chunk('IDAT', options.cgbi ? data.subarray(2, data.length - 4) : data),
    chunk('IEND', Buffer.alloc(0)),
  ])
}

function chunk(type: string, data: Buffer): Buffer {
  const head = Buffer.alloc(8)
  head.writeUInt32BE(data.length, 0)
  head.write(type, 4, 'latin1')
  const crc = Buffer.alloc(4)
  crc.writeUInt32BE(crc32(Buffer.concat([head.subarray(4), data])), 0)
  return Buffer.concat([head, data, crc])
}

/** A grey image as PNG bytes. */
export function grayPng(image: Gray): Promise<Buffer> {
  return encodePng(image.width, image.height, 1, (y) =>
    image.data.subarray(y * image.width, (y + 1) * image.width),
  )
}
