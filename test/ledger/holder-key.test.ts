/**
 * The holder kept with a rejection (keyed hashes: holder-key.ts) compares no looser than the holders
 * themselves do (holder-match.ts samePerson, the --correct rule): closeness cannot be measured on
 * hashes, so a name that differs is another person unless the rejection named it. Nothing of the
 * holder is in the clear.
 */
import { describe, expect, it } from 'vitest'
import { holderKey, sameHolder, type RecordHolder } from '../../src/ledger/holder-key.js'
import { samePerson } from '../../src/issue/holder-match.js'

const SECRET = 'ab'.repeat(32)
const dcc = (surname: string, given: string, dob: string): RecordHolder => ({
  kind: 'dcc',
  surname,
  given,
  dob,
})
const icvp = (name: string, dob: string): RecordHolder => ({ kind: 'icvp', surname: name, given: '', dob })

describe('holder keys', () => {
  it('a name that differs is another person unless the rejection named it; the date of birth counts one', () => {
    const same = (a: RecordHolder, b: RecordHolder, named: Array<'surname' | 'given'> = []) =>
      sameHolder(holderKey(SECRET, a), holderKey(SECRET, b), new Set(named))
    expect(same(dcc('TRAN', 'AN', '1980-01-01'), dcc('TRAN', 'AN', '1980-01-01'))).toBe(true)
    expect(same(dcc('TRAN', 'AN', '1980-01-01'), dcc('TRAN', 'AN', '1980-01-02'))).toBe(true)
    // twins: the given name differs, and the rejection named another field
    expect(same(dcc('NGUYEN', 'AN', '1990-05-05'), dcc('NGUYEN', 'BINH', '1990-05-05'))).toBe(false)
    expect(same(dcc('NGUYEN', 'AN', '1990-05-05'), dcc('NGUYEN', 'BINH', '1990-05-05'), ['given'])).toBe(true)
    expect(same(dcc('NGUYEN', 'AN', '1990-05-05'), dcc('NGUYEN', 'BINH', '1990-05-05'), ['surname'])).toBe(
      false,
    )
    expect(same(dcc('TRAN', 'AN', '1980-01-01'), dcc('TRAM', 'AN', '1980-01-01'), ['surname'])).toBe(true)
    expect(same(dcc('TRAN', 'AN', '1980-01-01'), dcc('TRAM', 'AN', '1980-01-02'), ['surname'])).toBe(false)
    // an ICVP's name: named, and all words but one equal
    expect(same(icvp('LE THI HOA', '1992-11-03'), icvp('PHAM THI LAN', '1992-11-03'))).toBe(false)
    expect(same(icvp('LE THI HOA', '1992-11-03'), icvp('PHAM THI LAN', '1992-11-03'), ['surname'])).toBe(
      false,
    )
    expect(same(icvp('LE THI HOA', '1992-11-03'), icvp('LE THI HAO', '1992-11-03'), ['surname'])).toBe(true)
    expect(same(icvp('LE THI HOA', '1992-11-03'), icvp('LE THI HAO', '1992-11-03'))).toBe(false)
  })

  it('is never looser than samePerson', () => {
    const pairs: Array<[RecordHolder, RecordHolder]> = [
      [dcc('TRAN', 'AN', '1980-01-01'), dcc('TRAN', 'ANH', '1980-01-02')],
      [dcc('TRAN', 'AN', '1980-01-01'), dcc('LE', 'BINH', '1980-01-01')],
      [icvp('NGUYEN VAN AN', '1980-05-17'), icvp('AN VAN NGUYEN', '1980-05-18')],
      [icvp('NGUYEN VAN AN', '1980-05-17'), icvp('NGUYEN VAN ANH', '1980-05-18')],
    ]
    for (const [a, b] of pairs) {
      expect(samePerson(a.kind === 'icvp' ? 'icvp' : undefined, a, b), JSON.stringify([a, b])).toBe(false)
      expect(sameHolder(holderKey(SECRET, a), holderKey(SECRET, b), new Set(['surname', 'given']))).toBe(
        false,
      )
    }
  })

  it('another kind of record is never the same holder; nothing of the holder is in the clear', () => {
    expect(
      sameHolder(holderKey(SECRET, dcc('AN', '', '1980-01-01')), holderKey(SECRET, icvp('AN', '1980-01-01'))),
    ).toBe(false)
    const stored = holderKey(SECRET, dcc('TRAN', 'AN', '1980-01-01'))
    expect(stored).toMatch(/^v1:dcc:[0-9a-f]{16}\.[0-9a-f]{16}\.[0-9a-f]{16}\.[0-9a-f]{16}$/)
    expect(stored).not.toMatch(/TRAN|1980/)
    expect(holderKey('cd'.repeat(32), dcc('TRAN', 'AN', '1980-01-01'))).not.toBe(stored)
  })
})
