/**
 * The row-by-row PNG reader for large images (png-grey.ts) against pngjs, a decoder that holds the
 * whole image: every colour type, 8 and 16 bits, each filter type, alpha over white, scaled down.
 */
import { crc32, deflateSync } from 'node:zlib'
import { PNG } from 'pngjs'
import { describe, expect, it } from 'vitest'
import { decodePngGrey, greyPng, scaleFactor } from '../../src/qr/png-grey.js'

const W = 37
const H = 23

/** RGBA test pixels: gradients, so that every filter has work to do */
function rgba(alpha: boolean): Buffer {
  const data = Buffer.alloc(W * H * 4)
  for (let y = 0; y < H; y++)
    for (let x = 0; x < W; x++) {
      const i = (y * W + x) * 4
      data[i] = (x * 7 + y * 3) & 0xff
      data[i + 1] = (x * 3 + y * 11) & 0xff
      data[i + 2] = (x * y) & 0xff
      data[i + 3] = alpha ? (x * 17 + y * 5) & 0xff : 255
    }
  return data
}

const lum = (r: number, g: number, b: number): number => (306 * r + 601 * g + 117 * b + 0x200) >> 10
const over = (v: number, a: number): number => ((v * a + 255 * (255 - a)) / 255) | 0

describe('decodePngGrey: a PNG row by row into grey', () => {
  it.each([
    [2, 8, false],
    [6, 8, true],
    [0, 8, false],
    [4, 8, true],
    [2, 16, false],
    [6, 16, true],
  ] as const)(
    'colour type %i, %i bits, alpha %s, each filter type: the luminance pngjs decodes',
    async (colorType, bitDepth, alpha) => {
      const source = rgba(alpha)
      for (const filterType of [0, 1, 2, 3, 4]) {
        const png = new PNG({ width: W, height: H, colorType, bitDepth, inputHasAlpha: true })
        source.copy(png.data)
        const file = PNG.sync.write(png, { colorType, bitDepth, inputHasAlpha: true, filterType })
        const decoded = PNG.sync.read(file) // what the file holds, as RGBA
        const image = await decodePngGrey(new Uint8Array(file), 1_000_000, 'test.png')
        expect(image).toMatchObject({ width: W, height: H, factor: 1 })
        for (let p = 0; p < W * H; p++) {
          const [r, g, b, a] = [
            decoded.data[p * 4]!,
            decoded.data[p * 4 + 1]!,
            decoded.data[p * 4 + 2]!,
            decoded.data[p * 4 + 3]!,
          ]
          const grey = colorType === 0 || colorType === 4 ? r : lum(r, g, b)
          const expected = colorType === 4 || colorType === 6 ? over(grey, a) : grey
          expect(
            Math.abs(image!.grey[p]! - expected),
            `filter ${filterType}, pixel ${p}`,
          ).toBeLessThanOrEqual(1)
        }
      }
    },
  )

  it('scales down by whole boxes, the last ones partial, and writes a grey PNG that pngjs reads back', async () => {
    expect(scaleFactor(8000, 5000, 12_000_000)).toBe(2)
    expect(scaleFactor(6000, 6000, 12_000_000)).toBe(2)
    const png = new PNG({ width: W, height: H })
    png.data.fill(255)
    for (let y = 0; y < 4; y++)
      for (let x = 0; x < 4; x++) png.data.fill(0, (y * W + x) * 4, (y * W + x) * 4 + 3)
    const file = PNG.sync.write(png)
    const image = await decodePngGrey(new Uint8Array(file), 60, 'test.png')
    expect(image).toMatchObject({ width: 10, height: 6, factor: 4 })
    expect(image!.grey[0]).toBe(0) // the black 4x4 box
    expect(image!.grey[1]).toBe(255)
    const back = PNG.sync.read(Buffer.from(greyPng(image!)))
    expect([back.width, back.height, back.data[0], back.data[4]]).toEqual([10, 6, 0, 255])
  })

  it('an interlaced PNG is left to the other decoder; corrupt or cut-short data is ERR_IMAGE', async () => {
    const png = new PNG({ width: W, height: H })
    const file = PNG.sync.write(png)
    const interlaced = Buffer.from(file)
    interlaced[8 + 8 + 12] = 1 // IHDR interlace method (the CRC is not checked here)
    expect(await decodePngGrey(new Uint8Array(interlaced), 1_000_000, 'i.png')).toBeUndefined()
    const idatAt = file.indexOf('IDAT') + 4
    const cut = Buffer.concat([file.subarray(0, idatAt + 20)])
    cut.writeUInt32BE(20, idatAt - 8)
    await expect(decodePngGrey(new Uint8Array(cut), 1_000_000, 'cut.png')).rejects.toMatchObject({
      code: 'ERR_IMAGE',
    })
  })

  it.each([1, 2, 4, 8])(
    'a palette image at %i bits, with tRNS alpha over white; grey at %i bits',
    async (depth) => {
      const chunk = (name: string, data: Buffer): Buffer => {
        const head = Buffer.alloc(8)
        head.writeUInt32BE(data.length)
        head.write(name, 4, 'latin1')
        const crc = Buffer.alloc(4)
        crc.writeUInt32BE(crc32(Buffer.concat([head.subarray(4), data])))
        return Buffer.concat([head, data, crc])
      }
      const png = (colourType: number, extra: Buffer[], indices: number[]): Buffer => {
        const ihdr = Buffer.alloc(13)
        ihdr.writeUInt32BE(indices.length, 0)
        ihdr.writeUInt32BE(1, 4)
        ihdr[8] = depth
        ihdr[9] = colourType
        const row = Buffer.alloc(1 + Math.ceil((indices.length * depth) / 8))
        indices.forEach((v, x) => {
          const bit = x * depth
          row[1 + (bit >> 3)]! |= v << (8 - depth - (bit & 7))
        })
        return Buffer.concat([
          Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
          chunk('IHDR', ihdr),
          ...extra,
          chunk('IDAT', deflateSync(row)),
          chunk('IEND', Buffer.alloc(0)),
        ])
      }
      // entry 0 black, 1 white, 2 red at half alpha (tRNS)
      const plte = chunk('PLTE', Buffer.from([0, 0, 0, 255, 255, 255, 255, 0, 0]))
      const trns = chunk('tRNS', Buffer.from([255, 255, 128]))
      const indices = depth === 1 ? [0, 1, 1, 0] : [0, 1, 2, 1]
      const palette = await decodePngGrey(new Uint8Array(png(3, [plte, trns], indices)), 100, 'p.png')
      const red = over(lum(255, 0, 0), 128)
      expect([...palette!.grey]).toEqual(depth === 1 ? [0, 255, 255, 0] : [0, 255, red, 255])
      const max = (1 << depth) - 1
      const grey = await decodePngGrey(new Uint8Array(png(0, [], [0, max, 0, max])), 100, 'g.png')
      expect([...grey!.grey]).toEqual([0, 255, 0, 255])
    },
  )
})
