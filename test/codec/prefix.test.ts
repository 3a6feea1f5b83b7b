import { describe, expect, it } from 'vitest'
import { MAX_QR_TEXT_LENGTH, removePrefix } from '../../src/codec/prefix.js'
import { vector } from '../helpers/vectors.js'

/** a real certificate's base45, without its prefix */
const BARE = (vector('AT/2DCode/raw/1.json').PREFIX as string).slice(4)

describe('HC1: prefix', () => {
  it('removes HC1:', () => {
    expect(removePrefix('HC1:ABC')).toEqual({ base45: 'ABC', prefix: 'HC1:' })
  })

  it.each(['HC2:ABC', 'HL0:ABC', 'HCA:ABC'])(
    'refuses the foreign prefix in %s, even when lenient',
    (input) => {
      expect(() => removePrefix(input)).toThrow(/not supported/)
      expect(() => removePrefix(input, { allowMissingPrefix: true })).toThrow(/not supported/)
    },
  )

  it('refuses a missing prefix by default and names the flag that accepts it', () => {
    expect(() => removePrefix(BARE)).toThrow(/--allow-missing-prefix/)
    expect(removePrefix(BARE, { allowMissingPrefix: true })).toEqual({ base45: BARE, prefix: null })
  })

  it('refuses empty input and text longer than any QR code holds', () => {
    expect(() => removePrefix('')).toThrow(/empty/)
    expect(() => removePrefix(`HC1:${'A'.repeat(MAX_QR_TEXT_LENGTH)}`)).toThrow(
      /no QR code holds more than 4296/,
    )
  })

  it('refuses a lower-case hc1: and says which upper-casing can work', () => {
    expect(() => removePrefix('hc1:ABC')).toThrow(
      /'hc1:' in lower case; HCERT asks for 'HC1:' in upper case: write the prefix as 'HC1:'$/,
    )
    expect(() => removePrefix('Hc1:abc')).toThrow(/write the whole text in upper case/)
    expect(() => removePrefix('hc1:abc_~')).toThrow(/in upper case$/)
  })

  it.each([
    ['NL2:ABC', /'NL2:', a Dutch domestic CoronaCheck code/],
    ['LT1:ABC', /'LT1:', a Swiss COVID certificate light/],
    ['shc:/5676290952', /'shc:\/', a SMART Health Card/],
    ['HC2:ABC', /'HC2:', the prefix of another HCERT version/],
  ])('names the foreign code in %s and suggests no flag, even when lenient', (input, name) => {
    for (const options of [{}, { allowMissingPrefix: true }]) {
      let message = ''
      try {
        removePrefix(input, options)
      } catch (err) {
        message = (err as Error).message
      }
      expect(message).toMatch(name)
      expect(message).toMatch(/^prefix: this is not an EU DCC/)
      expect(message).not.toMatch(/--allow-missing-prefix/)
    }
  })

  it('suggests --allow-missing-prefix only for text that can be bare base45', () => {
    expect(() => removePrefix('hello world')).toThrow(/does not start with 'HC1:'$/)
    expect(() => removePrefix('NCFO')).toThrow(/does not start with 'HC1:'$/) // 4 characters: not base45
    // base45, but not zlib once decoded: the flag would only move the failure to ERR_INFLATE
    expect(() => removePrefix('NCFOXN')).toThrow(/does not start with 'HC1:'$/)
    expect(() => removePrefix(`XY9:${BARE}`)).toThrow(/the prefix of another format, not 'HC1:'$/)
  })

  it.each(['HCl:', 'HCI:', 'hcl:', 'HC|:'])(
    'names %s as a likely typo for HC1:, with no flag to suggest',
    (prefix) => {
      for (const options of [{}, { allowMissingPrefix: true }])
        expect(() => removePrefix(`${prefix}${BARE}`, options)).toThrow(
          new RegExp(
            `^prefix: the text starts with '${prefix.replace('|', '\\|')}', likely a typo for 'HC1:' \\(with the digit one\\); write the prefix as 'HC1:'$`,
          ),
        )
    },
  )

  it('never quotes the text, which may be a holder’s data pasted by mistake', () => {
    for (const text of ['Secret Holder Name', 'NGUYEN VAN A 1980-01-01', 'hc2 Secret'])
      expect(() => removePrefix(text)).toThrow(
        expect.objectContaining({ message: expect.not.stringMatching(/Secr|NGUY|Holder/) }),
      )
    expect(() => removePrefix('XY9:ab')).toThrow(/'XY9:', the prefix of another format, not 'HC1:'$/)
    expect(() => removePrefix('XY9:AB')).toThrow(/the prefix of another format, not 'HC1:'$/)
  })
})
