/** The `shc:/` text of a SMART Health Card: numeric pairs, chunk headers and reassembly. */
import { describe, expect, it } from 'vitest'
import { DccError } from '../../src/errors.js'
import { joinChunks } from '../../src/shc/chunks.js'
import { decodeNumeric, encodeNumeric, parseShcText } from '../../src/shc/numeric.js'
import { shcToJws } from '../../src/shc/read-shc.js'

const codeOf = (run: () => unknown): string | undefined => {
  try {
    run()
  } catch (err) {
    if (err instanceof DccError) return err.code
    throw err
  }
  return undefined
}

describe('numeric mode', () => {
  it("decodes the spec's worked example: pairs minus 45", () => {
    expect(decodeNumeric('56762909524320603460292437404460')).toBe('eyJ6aXAiOiJERUYi')
  })

  it('round-trips every JWS character, - (00) to z (77)', () => {
    const all = Array.from({ length: 78 }, (_, i) => String.fromCharCode(45 + i)).join('')
    expect(encodeNumeric(all).slice(0, 6)).toBe('000102')
    expect(decodeNumeric(encodeNumeric(all))).toBe(all)
  })

  it.each([
    ['an odd number of digits', '567'],
    ['a pair above 77', '5678'],
    ['a character that is not a digit', '56a6'],
    ['a space', '56 76'],
    ['no digits at all', ''],
  ])('%s is ERR_SHC_NUMERIC', (_, digits) => {
    expect(codeOf(() => decodeNumeric(digits))).toBe('ERR_SHC_NUMERIC')
  })

  it('names the position of a bad pair, never the digits around it', () => {
    expect(() => decodeNumeric('565699')).toThrow(/pair at position 5 is 99/)
  })
})

describe('the prefix and chunk header', () => {
  it('reads a whole card as chunk 1 of 1, and a chunk header', () => {
    expect(parseShcText('shc:/5676')).toEqual({ index: 1, total: 1, digits: '5676' })
    expect(parseShcText('shc:/2/3/5676')).toEqual({ index: 2, total: 3, digits: '5676' })
  })

  it.each([
    ['chunk 0', 'shc:/0/2/5676', 'ERR_SHC_CHUNK'],
    ['chunk 3 of 2', 'shc:/3/2/5676', 'ERR_SHC_CHUNK'],
    ['0 chunks', 'shc:/1/0/5676', 'ERR_SHC_CHUNK'],
    ['more chunks than accepted', 'shc:/1/99/5676', 'ERR_SHC_CHUNK'],
    ['a header without its count', 'shc:/1/5676', 'ERR_SHC_CHUNK'],
    ['an upper-case prefix', 'SHC:/5676', 'ERR_PREFIX'],
    ['too long for any QR code', `shc:/${'0'.repeat(8000)}`, 'ERR_PREFIX'],
  ])('%s is %s', (_, text, code) => {
    expect(codeOf(() => parseShcText(text))).toBe(code)
  })

  it('joins chunks given in any order', () => {
    const parts = ['shc:/3/3/56', 'shc:/1/3/76', 'shc:/2/3/29'].map(parseShcText)
    expect(joinChunks(parts)).toBe('762956')
    expect(shcToJws(['shc:/2/2/2909', 'shc:/1/2/5676'])).toEqual({ chunks: 2, digits: 8, jws: 'eyJ6' })
  })

  it.each([
    ['a chunk missing', ['shc:/1/3/56', 'shc:/3/3/56'], /chunk 2 of 3 is missing/],
    ['chunks of different counts', ['shc:/1/2/56', 'shc:/2/3/56'], /do not agree on their count/],
    ['a chunk twice with other digits', ['shc:/1/2/56', 'shc:/1/2/57', 'shc:/2/2/56'], /given twice/],
  ])('%s is ERR_SHC_CHUNK', (_, texts, message) => {
    expect(() => joinChunks(texts.map(parseShcText))).toThrow(message)
    expect(codeOf(() => joinChunks(texts.map(parseShcText)))).toBe('ERR_SHC_CHUNK')
  })

  it('several whole cards are not the chunks of one: ERR_SHC_CHUNK that says so', () => {
    expect(() => shcToJws(['shc:/5676', 'shc:/5676'])).toThrow(/text 1 is a whole card, not a chunk/)
    expect(codeOf(() => shcToJws(['shc:/1/2/5676', 'shc:/5676']))).toBe('ERR_SHC_CHUNK')
  })

  it('accepts a chunk given twice with the same digits', () => {
    expect(joinChunks(['shc:/1/2/56', 'shc:/1/2/56', 'shc:/2/2/76'].map(parseShcText))).toBe('5676')
  })
})
