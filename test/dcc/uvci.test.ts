import { describe, expect, it } from 'vitest'
import { hasValidChecksum, luhnMod38, makeUvci } from '../../src/dcc/uvci.js'

describe('UVCI', () => {
  it.each([
    ['URN:UVCI:01:NL:187/37512422923', 'Z'],
    ['URN:UVCI:01:SE:EHM/V12916227TFJJ', 'Q'],
    ['URN:UVCI:01:NL:DADFCC47C7334E45A906DB12FD859FB7', '1'],
    ['URN:UVCI:01:NL:MY/INPUT/STRING', 'H'],
  ])('the Luhn mod 38 check character of %s is %s (worked examples in the spec digest)', (uvci, check) => {
    expect(luhnMod38(uvci)).toBe(check)
    expect(hasValidChecksum(`${uvci}#${check}`)).toBe(true)
    expect(hasValidChecksum(`${uvci}#${check === 'A' ? 'B' : 'A'}`)).toBe(false)
  })

  it('makes unique, well-formed identifiers with a valid check character', () => {
    const ids = new Set(Array.from({ length: 1000 }, () => makeUvci('VN', 'MOH')))
    expect(ids.size).toBe(1000)
    for (const id of ids) {
      expect(id).toMatch(/^URN:UVCI:01:VN:MOH\/[A-Z2-9]{20}#[A-Z0-9/:]$/)
      expect(hasValidChecksum(id)).toBe(true)
      expect(id.length).toBeLessThan(60)
    }
    expect(makeUvci('vn', undefined, 'ABC')).toBe(`URN:UVCI:01:VN:ABC#${luhnMod38('URN:UVCI:01:VN:ABC')}`)
  })
})
