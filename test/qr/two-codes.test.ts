/**
 * An image holding two different QR codes (tester finding 5): which one a reader returns first is
 * not defined, so the image is refused (ERR_IMAGE) rather than one of the codes verified.
 */
import { describe, expect, it } from 'vitest'
import { readQrImage } from '../../src/qr/read-qr-image.js'
import { grayPng, renderQr, type Gray } from '../helpers/qr-raster.js'

function sideBySide(a: Gray, b: Gray): Gray {
  const height = Math.max(a.height, b.height)
  const width = a.width + b.width
  const data = new Uint8Array(width * height).fill(255)
  for (let y = 0; y < a.height; y++) data.set(a.data.subarray(y * a.width, (y + 1) * a.width), y * width)
  for (let y = 0; y < b.height; y++)
    data.set(b.data.subarray(y * b.width, (y + 1) * b.width), y * width + a.width)
  return { width, height, data }
}

describe('an image with two QR codes', () => {
  it('is refused, whichever the reader finds first', async () => {
    const png = await grayPng(
      sideBySide(
        renderQr('HC1:NCFAAA', { scale: 4, margin: 4 }),
        renderQr('HC1:NCFBBB', { scale: 4, margin: 4 }),
      ),
    )
    const err = await readQrImage(new Uint8Array(png), 'png', 'two.png').catch((e: Error) => e)
    expect(err).toBeInstanceOf(Error)
    expect((err as Error).message).toBe(
      'image: the PNG image from two.png holds more than one QR code; give each code as an image of its own',
    )
  })

  it('one code alone is read', async () => {
    const png = await grayPng(renderQr('HC1:NCFAAA', { scale: 4, margin: 4 }))
    expect((await readQrImage(new Uint8Array(png), 'png', 'one.png')).text).toBe('HC1:NCFAAA')
  })
})
