import { describe, expect, it } from 'vitest'
import { contentFingerprint, storedContentFingerprint } from '../../src/ledger/content-fingerprint.js'

const dcc = {
  ver: '1.3.0',
  nam: { fn: 'Nguyễn', gn: 'Văn An', fnt: 'NGUYEN', gnt: 'VAN<AN' },
  dob: '1980-01-01',
  v: [
    {
      tg: '840539006',
      mp: 'EU/1/20/1528',
      dn: 1,
      sd: 2,
      dt: '2021-06-01',
      co: 'VN',
      is: 'MoH',
      ci: 'URN:UVCI:01:VN:A#1',
    },
  ],
}

describe('contentFingerprint', () => {
  it('ignores key order and the UVCI of the entries, as the ledger stores payloads', () => {
    const reordered = {
      v: [
        {
          ci: 'URN:UVCI:01:VN:B#2',
          is: 'MoH',
          co: 'VN',
          dt: '2021-06-01',
          sd: 2,
          dn: 1,
          mp: 'EU/1/20/1528',
          tg: '840539006',
        },
      ],
      dob: '1980-01-01',
      nam: { gnt: 'VAN<AN', fnt: 'NGUYEN', gn: 'Văn An', fn: 'Nguyễn' },
      ver: '1.3.0',
    }
    expect(contentFingerprint(reordered)).toBe(contentFingerprint(dcc))
    expect(storedContentFingerprint(JSON.stringify(dcc))).toBe(contentFingerprint(dcc))
    expect(contentFingerprint(dcc)).toMatch(/^[0-9a-f]{64}$/)
  })

  it('every other field is content: names, date of birth, the event, country, issuer', () => {
    const base = contentFingerprint(dcc)
    const entry = dcc.v[0] as Record<string, unknown>
    const variants = [
      { ...dcc, nam: { ...dcc.nam, gn: 'Văn Bình' } },
      { ...dcc, nam: { ...dcc.nam, gnt: 'VAN<BINH' } },
      { ...dcc, dob: '1980-01-02' },
      { ...dcc, v: [{ ...entry, dn: 2 }] },
      { ...dcc, v: [{ ...entry, dt: '2021-06-02' }] },
      { ...dcc, v: [{ ...entry, co: 'FR' }] },
      { ...dcc, v: [{ ...entry, is: 'Other' }] },
      { ...dcc, ci: 'a ci outside the entries is content' },
    ]
    const prints = variants.map(contentFingerprint)
    for (const p of prints) expect(p).not.toBe(base)
    expect(new Set(prints).size).toBe(prints.length)
  })
})
