/**
 * The holder kept with a rejection (keyed hashes: holder-key.ts) compares as the holders themselves
 * do (holder-match.ts samePerson, the --correct rule), and holds nothing of them in the clear.
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
  it('agree with samePerson, field by field, for DCC and ICVP holders', () => {
    const pairs: Array<[RecordHolder, RecordHolder]> = [
      [dcc('TRAN', 'AN', '1980-01-01'), dcc('TRAN', 'AN', '1980-01-01')],
      [dcc('TRAN', 'AN', '1980-01-01'), dcc('TRAN', 'ANH', '1980-01-01')],
      [dcc('TRAN', 'AN', '1980-01-01'), dcc('TRAN', 'ANH', '1980-01-02')],
      [dcc('TRAN', 'AN', '1980-01-01'), dcc('LE', 'BINH', '1980-01-01')],
      [dcc('TRAN', 'AN', '1980-01-01'), dcc('PHAM', 'CUONG', '1975-03-03')],
      [icvp('NGUYEN VAN AN', '1980-05-17'), icvp('NGUYEN VAN AN', '1980-05-17')],
      [icvp('NGUYEN VAN AN', '1980-05-17'), icvp('NGUYEN VAN ANH', '1980-05-17')],
      [icvp('NGUYEN VAN AN', '1980-05-17'), icvp('AN VAN NGUYEN', '1980-05-18')],
      [icvp('NGUYEN VAN AN', '1980-05-17'), icvp('LE THI BINH', '1980-05-17')],
      [icvp('NGUYEN VAN AN', '1980-05-17'), icvp('NGUYEN VAN ANH', '1980-05-18')],
    ]
    for (const [a, b] of pairs)
      expect(sameHolder(holderKey(SECRET, a), holderKey(SECRET, b)), JSON.stringify([a, b])).toBe(
        samePerson(a.kind === 'icvp' ? 'icvp' : undefined, a, b),
      )
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
