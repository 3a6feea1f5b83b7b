import { describe, expect, it } from 'vitest'
import { checkDefaults } from '../../src/issue/check-defaults.js'
import { checkOrganisation } from '../../src/services/generate-keys.js'

describe('issue flag values (--country, --issuer, --uvci-issuer)', () => {
  it('takes codes as people type them', () => {
    expect(checkDefaults({ country: ' vn ', issuer: ' Bộ Y tế, Cục ', uvciIssuer: 'moh/hn1' })).toEqual({
      country: 'VN',
      issuer: 'Bộ Y tế, Cục',
      uvciIssuer: 'MOH/HN1',
    })
    expect(checkDefaults({})).toEqual({})
  })

  it.each([
    [{ country: 'Viet Nam' }, /--country must be an ISO 3166 two-letter country code/],
    [{ country: 'VNM' }, /--country/],
    [{ uvciIssuer: 'Bộ Y tế' }, /--uvci-issuer must be letters A–Z and digits only/],
    [{ uvciIssuer: 'MOH#1' }, /--uvci-issuer/],
    [{ uvciIssuer: 'A'.repeat(41) }, /--uvci-issuer/],
    [{ issuer: 'x'.repeat(81) }, /--issuer must be 1 to 80 characters/],
    [{ issuer: 'Bộ\nY tế' }, /--issuer/],
    [{ issuer: 'Bộ\u202EY tế' }, /--issuer/],
    [{ issuer: 'Bộ\u200BY tế' }, /--issuer/],
    [{ issuer: ' ' }, /--issuer/],
  ])('refuses %j: ERR_USAGE', (flags, message) => {
    expect(() => checkDefaults(flags)).toThrow(
      expect.objectContaining({ code: 'ERR_USAGE', message: expect.stringMatching(message) }),
    )
  })
})

describe('keys generate --org', () => {
  it('accepts up to 64 characters (code points), commas and RFC 4514 specials included', () => {
    expect(() =>
      checkOrganisation('Bộ Y tế - Cục Quản lý Khám, chữa bệnh +1 "Q" ;s \\b <a> =e'),
    ).not.toThrow()
    expect(() => checkOrganisation('ệ'.repeat(64))).not.toThrow()
  })

  it.each([
    ['65 characters', 'x'.repeat(65), /65 characters long; X.509 allows at most 64/],
    ['16,000 characters', 'x'.repeat(16_000), /16000 characters long/],
    ['a line break', 'Bộ Y tế\nCục', /control characters/],
    ['a tab', 'Bộ\tY tế', /control characters/],
    ['a bidi override', 'Bộ Y\u202E tế', /bidirectional-text control character .* at character 5/],
    ['a zero-width space', 'Bộ Y\u200B tế', /invisible character .* at character 5/],
    ['nothing', '', /empty/],
  ])('refuses %s: ERR_USAGE, without quoting it', (_what, org, message) => {
    expect(() => checkOrganisation(org)).toThrow(
      expect.objectContaining({ code: 'ERR_USAGE', message: expect.stringMatching(message) }),
    )
    expect(() => checkOrganisation(org)).not.toThrow(/Bộ|xxx/)
  })
})
