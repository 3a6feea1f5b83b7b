import { describe, expect, it } from 'vitest'
import { detectImageFormat, otherImageFormat } from '../../src/qr/image-format.js'

const bytes = (...parts: Array<string | number[]>): Uint8Array =>
  Buffer.concat(parts.map((p) => (typeof p === 'string' ? Buffer.from(p, 'latin1') : Buffer.from(p))))
const le32 = (n: number): number[] => [n & 0xff, (n >> 8) & 0xff, (n >> 16) & 0xff, n >>> 24]

describe('otherImageFormat: image formats hcert does not decode, named by their magic bytes', () => {
  it.each([
    ['WebP image', bytes('RIFF', le32(30), 'WEBPVP8 ', new Array(22).fill(0))],
    ['GIF image', bytes('GIF89a', [1, 0, 1, 0, 0, 0, 0])],
    ['GIF image', bytes('GIF87a', [1, 0, 1, 0, 0, 0, 0])],
    ['BMP image', bytes('BM', le32(58), [0, 0, 0, 0], le32(54), le32(40), new Array(40).fill(0))],
    ['TIFF image', bytes('II*\0', le32(8), new Array(8).fill(0))],
    ['TIFF image', bytes('MM\0*', [0, 0, 0, 8], new Array(8).fill(0))],
    ['HEIC image', bytes([0, 0, 0, 0x18], 'ftypheic', [0, 0, 0, 0], 'mif1heic')],
    ['HEIC image', bytes([0, 0, 0, 0x18], 'ftypmif1', [0, 0, 0, 0], 'mif1heic')],
    ['AVIF image', bytes([0, 0, 0, 0x18], 'ftypavif', [0, 0, 0, 0], 'mif1avif')],
    ['PDF document', bytes('%PDF-1.7\n')],
  ])('%s', (name, data) => {
    expect(otherImageFormat(data)).toBe(name)
    expect(detectImageFormat(data)).toBeUndefined()
  })

  it('certificate text, PNG and JPEG are none of them (BM without a DIB header is text)', () => {
    for (const text of ['HC1:NCFOXN%TS3DH3ZSUZK+.V0ETD%65NL-AH', 'BMW 320d', 'GIF', 'RIFF', ''])
      expect(otherImageFormat(Buffer.from(text)), text).toBeUndefined()
    expect(otherImageFormat(bytes([0x89], 'PNG\r\n\x1a\n'))).toBeUndefined()
    expect(otherImageFormat(bytes([0xff, 0xd8, 0xff, 0xe0]))).toBeUndefined()
  })
})
