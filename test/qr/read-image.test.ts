import { readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { readQrImage } from '../../src/qr/read-qr-image.js'
import { decodeCertificate } from '../../src/services/decode.js'
import { fromBytes } from '../../src/services/read-input.js'
import { blur, encodePng, grayPng, pngBomb, renderQr, rotate } from '../helpers/qr-raster.js'
import { vector } from '../helpers/vectors.js'

const FIXTURES = join(import.meta.dirname, '..', 'fixtures')
const TEXT = vector('AT/2DCode/raw/1.json').PREFIX as string

describe('reading the QR images of real certificates (EU quality-assurance collection)', () => {
  // every image copied from the collection into test/fixtures/qa-images (COUNTRY/version/…/name.png),
  // each read to its country's HC1: dense codes with a narrow quiet zone, and (NA) a PNG with bytes
  // after its IEND chunk
  const root = join(FIXTURES, 'qa-images')
  const images = readdirSync(root, { recursive: true, encoding: 'utf8' })
    .filter((file) => /\.(png|jpe?g)$/i.test(file))
    .sort()
  it('holds the collection with its licence', () => {
    expect(images).toEqual([
      'BE/1.3.0/REC_BE.png',
      'CH/1.2.1/specialcases/REC_CH_BAG.png',
      'NA/1.0.0/REC.png',
      'SV/1.3.0/VAC.png',
    ])
    expect(readdirSync(root)).toEqual(expect.arrayContaining(['LICENSE', 'NOTICE']))
  })
  it.each(images)('%s decodes to its HC1, issued by its country', async (file) => {
    const input = await fromBytes(readFileSync(join(root, file)), file)
    expect(input.text).toMatch(/^HC1:[0-9A-Z $%*+\-./:]+$/)
    // base45, zlib and COSE all hold: a misread code fails one of them
    expect(decodeCertificate(input).claims.iss?.slice(0, 2)).toBe(file.slice(0, 2))
  })
})

describe('reading QR images as a phone app would', () => {
  it('reads a JPEG whatever its name, recognised by its bytes', async () => {
    const input = await fromBytes(readFileSync(join(FIXTURES, 'qr-images', 'at-1-jpeg-named.png')), 'x.png')
    expect(input.text).toBe(TEXT)
    expect(input.image?.format).toBe('jpeg')
  })

  it('reads a PNG with bytes after its last chunk', async () => {
    const png = await grayPng(renderQr(TEXT, { scale: 3, margin: 4 }))
    const input = await fromBytes(Buffer.concat([png, Buffer.from('\r\n--boundary--\r\n\0\0\0')]), 'mail.png')
    expect(input.text).toBe(TEXT)
  })

  it('reads a code rotated by 10°', async () => {
    const input = await fromBytes(await grayPng(rotate(renderQr(TEXT, { scale: 3, margin: 4 }), 10)), 'r.png')
    expect(input.text).toBe(TEXT)
  })

  it('reads a slightly blurred code', async () => {
    const input = await fromBytes(await grayPng(blur(renderQr(TEXT, { scale: 3, margin: 4 }), 1, 3)), 'b.png')
    expect(input.text).toBe(TEXT)
  })

  it('reads a tight crop without a quiet zone, dim and low-contrast', async () => {
    const image = renderQr(TEXT, { scale: 3, margin: 0 })
    image.data.forEach((v, i) => (image.data[i] = 90 + Math.round((v / 255) * 60))) // 90..150
    expect((await fromBytes(await grayPng(image), 'crop.png')).text).toBe(TEXT)
  })

  it('reads an inverted code (light modules on dark) and one of one pixel a module', async () => {
    const inverted = renderQr(TEXT, { scale: 3, margin: 4 })
    inverted.data.forEach((v, i) => (inverted.data[i] = 255 - v))
    expect((await fromBytes(await grayPng(inverted), 'inv.png')).text).toBe(TEXT)
    const tiny = renderQr(TEXT, { scale: 1, margin: 2 })
    expect((await fromBytes(await grayPng(tiny), 'tiny.png')).text).toBe(TEXT)
  })

  it('reads an RGB photo-sized image with the code in one corner', async () => {
    const code = renderQr(TEXT, { scale: 6, margin: 4 })
    const [width, height] = [2400, 1800]
    const png = await encodePng(width, height, 3, (y) => {
      const row = new Uint8Array(width * 3).fill(200)
      if (y >= 100 && y < 100 + code.height)
        for (let x = 0; x < code.width; x++)
          row.fill(code.data[(y - 100) * code.width + x] as number, (1500 + x) * 3, (1501 + x) * 3)
      return row
    })
    const input = await fromBytes(png, 'photo.png')
    expect(input.text).toBe(TEXT)
    expect(input.image).toMatchObject({ format: 'png', width, height })
  })
})

describe('what the QR code says besides its text (HCERT §4.2.2)', () => {
  it('bug09a: whitespace after the text and byte mode are warnings; the text is trimmed for decoding', async () => {
    const input = await fromBytes(readFileSync(join(FIXTURES, 'bug09a-qr-trailing-newline.png')), 'bug09a')
    expect(input.text).toMatch(/^HC1:.*\S$/s)
    expect(input.image?.mode).toBe('byte')
    expect(input.warnings).toEqual([
      "the QR code's text ends with whitespace (a line feed); verifier apps may refuse it",
      'the QR code is in byte mode; HCERT §4.2.2 asks for alphanumeric mode',
    ])
    expect(decodeCertificate(input).warnings).toEqual(input.warnings)
  })

  it('names leading whitespace and byte mode, and finds nothing to say about an alphanumeric code', async () => {
    const spaced = await readQrImage(
      await grayPng(renderQr(`  \t${TEXT}`, { scale: 3, margin: 4, mode: 'byte' })),
      'png',
      'spaced',
    )
    expect(spaced.text).toBe(`  \t${TEXT}`)
    expect(spaced.warnings[0]).toBe(
      "the QR code's text starts with whitespace (a space, a space, a tab); verifier apps may refuse it",
    )
    for (const mirrored of [false, true]) {
      const image = renderQr(TEXT, { scale: 3, margin: 4 })
      if (mirrored)
        for (let y = 0; y < image.height; y++)
          image.data.subarray(y * image.width, (y + 1) * image.width).reverse()
      const plain = await readQrImage(await grayPng(image), 'png', 'plain')
      expect(plain).toMatchObject({ text: TEXT, warnings: [], image: { mode: 'alphanumeric' } })
    }
  })
})

describe('what cannot be read', () => {
  it('says so when there is no QR code', async () => {
    const blank = await encodePng(200, 200, 1, () => new Uint8Array(200).fill(255))
    await expect(fromBytes(blank, 'blank.png')).rejects.toMatchObject({
      code: 'ERR_QR_NOT_FOUND',
      message: expect.stringMatching(/no QR code was found in the PNG image \(200x200\) from blank.png/),
    })
  })

  it('refuses a broken file as ERR_IMAGE, and from its header an image over 40 megapixels or 120 MB of samples', async () => {
    const png = await grayPng(renderQr(TEXT, { scale: 3, margin: 4 }))
    await expect(fromBytes(png.subarray(0, 300), 'cut.png')).rejects.toMatchObject({ code: 'ERR_IMAGE' })
    await expect(fromBytes(Buffer.from([0xff, 0xd8, 0xff, 0xe0, 0, 2]), 'x.jpg')).rejects.toMatchObject({
      code: 'ERR_IMAGE',
    })
    const huge = Buffer.from(png)
    huge.writeUInt32BE(100_000, 16)
    huge.writeUInt32BE(100_000, 20)
    await expect(fromBytes(huge, 'huge.png')).rejects.toMatchObject({
      code: 'ERR_IMAGE',
      message: expect.stringMatching(/100000x100000 pixels is larger than the 40 megapixels accepted/),
    })
    // 32 MP is within the pixel bound, but as RGBA (colour type 6) it holds 128 MB of samples; an
    // interlaced one is left to stb_image, which holds them all (a non-interlaced one is read row by row)
    huge.writeUInt32BE(8000, 16)
    huge.writeUInt32BE(4000, 20)
    huge[25] = 6
    huge[28] = 1
    await expect(fromBytes(huge, 'rgba.png')).rejects.toMatchObject({
      code: 'ERR_IMAGE',
      message: expect.stringMatching(
        /8000x4000 pixels at 4 bytes a pixel is more than the 120 MB of samples/,
      ),
    })
  })

  it('refuses a decompression bomb (pixel data that inflates to far more than its size needs) as ERR_IMAGE', async () => {
    // 1000x1000 grey needs 1,001,000 bytes; this inflates to 64 MB (the reported one: 1.38 GB)
    const bomb = await pngBomb(1000, 1000, 64 << 20)
    expect(bomb.length).toBeLessThan(200_000)
    await expect(fromBytes(bomb, 'bomb.png')).rejects.toMatchObject({
      code: 'ERR_IMAGE',
      message:
        'image: the pixel data of the PNG file from bomb.png inflates to more than the 1001000 bytes its 1000x1000 pixels need; refusing it (a decompression bomb?)',
    })
    // raw DEFLATE after an Apple CgBI chunk, which the decoder reads too
    await expect(
      fromBytes(await pngBomb(1000, 1000, 64 << 20, { cgbi: true }), 'cgbi.png'),
    ).rejects.toMatchObject({
      code: 'ERR_IMAGE',
      message: expect.stringMatching(/inflates to more than the 1001000 bytes/),
    })
  })

  it('reads the size from the IHDR chunk where the decoder finds it, after a CgBI chunk', async () => {
    const cgbi = await pngBomb(100_000, 100_000, 1000, { cgbi: true })
    await expect(fromBytes(cgbi, 'cgbi.png')).rejects.toMatchObject({
      code: 'ERR_IMAGE',
      message: expect.stringMatching(/100000x100000 pixels is larger than the 40 megapixels accepted/),
    })
  })
})
