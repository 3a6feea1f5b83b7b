/**
 * Message wording found by a tester of decode/verify (finding 11): invisible characters are named
 * by code point (never printed raw), "an object" not "a object", no library text ("JavaScript does
 * not support …", "Failed to load image from memory"), and a UTF-16 file is named as such.
 */
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { decodeBase45 } from '../../src/codec/base45.js'
import { decodeCbor } from '../../src/codec/cbor.js'
import { toJson } from '../../src/cwt/claims.js'
import { readQrImage } from '../../src/qr/read-qr-image.js'
import { decodeLine } from '../../src/services/text-lines.js'

const message = (f: () => unknown): string => {
  try {
    f()
  } catch (err) {
    return (err as Error).message
  }
  throw new Error('no error')
}

describe('message wording', () => {
  it.each([
    ['\u200b', 'U+200B'],
    ['\u2060', 'U+2060'],
    ['\u00ad', 'U+00AD'],
    ['\ufffd', 'U+FFFD'],
    ['\ue000', 'U+E000'],
    ['\u0301', 'U+0301'],
  ])('base45: an invisible character (%j) is named by code point', (char, name) => {
    const text = `NCF${char}ABC`
    const m = message(() => decodeBase45(text))
    expect(m).toBe(`base45: character ${name} at position 4 is not in the alphabet`)
    expect(m).not.toContain(char)
  })

  it('base45: a visible character is still quoted', () => {
    expect(message(() => decodeBase45('NCFéABC'))).toBe(
      "base45: character 'é' at position 4 is not in the alphabet",
    )
  })

  it('a map key under a tag reads "an item under tag 1", never "a object"', () => {
    const m = message(() => toJson(decodeCbor(Buffer.from('a1c10001', 'hex'), 'x'), 'eu_dcc_v1'))
    expect(m).toBe('cwt: eu_dcc_v1 has a non-text key (key 1, an item under tag 1)')
  })

  it('a tag number of 2^64 − 1: plain words, not JavaScript', () => {
    const m = message(() => decodeCbor(Buffer.from('dbffffffffffffffff00', 'hex'), 'the CWT payload'))
    expect(m).not.toMatch(/JavaScript/)
    expect(m).toBe(
      'cbor: the CWT payload could not be decoded (a length or number beyond 4294967295, larger than any certificate holds)',
    )
  })

  it('a PNG cut short: plain words, not the image library', async () => {
    const png = readFileSync(
      join(
        import.meta.dirname,
        '..',
        'fixtures',
        'qa-images',
        'CH',
        '1.2.1',
        'specialcases',
        'REC_CH_BAG.png',
      ),
    )
    const err = await readQrImage(new Uint8Array(png.subarray(0, 3000)), 'png', 'cut.png').catch(
      (e: Error) => e,
    )
    expect((err as Error).message).toBe(
      'image: the PNG file from cut.png could not be read (its pixel data is damaged or cut short)',
    )
  })

  it('a UTF-16 text file is named as UTF-16, with the fix', () => {
    const bytes = Buffer.from('\ufeffHC1:NCFABC', 'utf16le')
    expect(message(() => decodeLine(bytes, 'f.txt'))).toBe(
      'input: f.txt is UTF-16 text (as Windows Notepad saves "Unicode"); hcert reads UTF-8: save it as UTF-8',
    )
    expect(message(() => decodeLine(Buffer.from([0x48, 0xc3, 0x28]), 'g.txt'))).toContain('not valid UTF-8')
  })
})
