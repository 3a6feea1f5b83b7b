import { describe, expect, it } from 'vitest'
import { MAX_QR_TEXT_LENGTH, removePrefix } from '../../src/codec/prefix.js'

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
    expect(() => removePrefix('NCFOXN')).toThrow(/--allow-missing-prefix/)
    expect(removePrefix('NCFOXN', { allowMissingPrefix: true })).toEqual({ base45: 'NCFOXN', prefix: null })
  })

  it('refuses empty input and text longer than any QR code holds', () => {
    expect(() => removePrefix('')).toThrow(/empty/)
    expect(() => removePrefix(`HC1:${'A'.repeat(MAX_QR_TEXT_LENGTH)}`)).toThrow(
      /no QR code holds more than 4296/,
    )
  })

  it('is case sensitive, as the QR alphanumeric alphabet has no lower case', () => {
    expect(() => removePrefix('hc1:ABC')).toThrow(/does not start with 'HC1:'/)
  })
})
