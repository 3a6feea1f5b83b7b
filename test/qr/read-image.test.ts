import jpeg from 'jpeg-js'
import QRCode from 'qrcode'
import { PNG } from 'pngjs'
import { describe, expect, it } from 'vitest'
import { decodeRaster } from '../../src/qr/raster.js'
import { fromBytes } from '../../src/services/read-input.js'
import { vector } from '../helpers/vectors.js'

const TEXT = vector('AT/2DCode/raw/1.json').PREFIX as string

/** The QR code as RGBA pixels, `scale` pixels per module, with or without its quiet zone. */
async function qrRaster(
  scale: number,
  margin: number,
): Promise<{ width: number; height: number; data: Uint8Array }> {
  const png = PNG.sync.read(
    await QRCode.toBuffer([{ data: TEXT, mode: 'alphanumeric' }], {
      errorCorrectionLevel: 'Q',
      scale,
      margin,
    }),
  )
  return { width: png.width, height: png.height, data: new Uint8Array(png.data) }
}

describe('reading QR images as a phone app would', () => {
  it('reads a JPEG whatever its name, recognised by its bytes', async () => {
    const raster = await qrRaster(4, 4)
    const bytes = jpeg.encode({ ...raster, data: Buffer.from(raster.data) }, 85).data
    const input = await fromBytes(bytes, 'certificate.png')
    expect(input.text).toBe(TEXT)
    expect(input.image?.format).toBe('jpeg')
  })

  it('reads a tight crop without a quiet zone, dim and low-contrast, by adding a margin and binarising', async () => {
    const raster = await qrRaster(3, 0)
    for (let i = 0; i < raster.data.length; i += 4) {
      for (let c = 0; c < 3; c++)
        raster.data[i + c] = 90 + Math.round(((raster.data[i + c] as number) / 255) * 60) // 90..150
    }
    const png = PNG.sync.write(
      Object.assign(new PNG({ width: raster.width, height: raster.height }), {
        data: Buffer.from(raster.data),
      }),
    )
    const input = await fromBytes(png, 'crop.png')
    expect(input.text).toBe(TEXT)
    expect(input.image?.attempt).not.toBe('as is')
  })

  it('reads a large photo by scaling it down', async () => {
    const raster = await qrRaster(18, 4)
    expect(raster.width).toBeGreaterThan(1200)
    const png = PNG.sync.write(
      Object.assign(new PNG({ width: raster.width, height: raster.height }), {
        data: Buffer.from(raster.data),
      }),
    )
    const input = await fromBytes(png, 'photo.png')
    expect(input.text).toBe(TEXT)
  })

  it('says so when there is no QR code, and refuses images too large to decode safely', async () => {
    const blank = PNG.sync.write(
      Object.assign(new PNG({ width: 200, height: 200 }), { data: Buffer.alloc(200 * 200 * 4, 255) }),
    )
    await expect(fromBytes(blank, 'blank.png')).rejects.toMatchObject({
      code: 'ERR_QR_NOT_FOUND',
      message: expect.stringMatching(/no QR code was found in the PNG image \(200x200\) from blank.png/),
    })
    const header = Buffer.from(blank)
    header.writeUInt32BE(100_000, 16)
    header.writeUInt32BE(100_000, 20)
    expect(() => decodeRaster(header, 'png')).toThrow(/larger than the 40 megapixels accepted/)
  })
})
