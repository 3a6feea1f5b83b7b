/**
 * The "same person" rule of `--correct` and the rejects carry-over (holder-match.ts): a changed name
 * counts as a typo fix only when close (OSA distance ≤ 2 and ≤ a third of the longer length);
 * otherwise it is another person on its own.
 */
import { describe, expect, it } from 'vitest'
import {
  closeNames,
  holderOfRecord,
  osaDistance,
  samePerson,
  type Holder,
} from '../../src/issue/holder-match.js'
import { fieldsOfReason, sameRejectedHolder } from '../../src/issue/rejected-holder.js'

const dcc = (surname: string, given: string, dob = '1990-05-05'): Holder => ({ surname, given, dob })
const icvp = (name: string, dob = '1990-05-05'): Holder => ({ surname: name, given: '', dob })

describe('samePerson', () => {
  it('measures the optimal-string-alignment distance (a swap is one edit)', () => {
    expect(osaDistance('AHN', 'ANH')).toBe(1)
    expect(osaDistance('AN', 'BINH')).toBe(3)
    expect(osaDistance('', 'ABC')).toBe(3)
    expect(osaDistance('NGUYEN', 'NGUYEN')).toBe(0)
    expect(closeNames('AN', 'AM')).toBe(false) // 1 edit of 2 letters
    expect(closeNames('NGUYEN', 'NGUEYN')).toBe(true)
    expect(closeNames('HOA', 'HAO')).toBe(true)
    expect(closeNames('HOA', 'LAN')).toBe(false)
  })

  it('DCC: a name that is not close is another person on its own; one close change or the dob is the same', () => {
    expect(samePerson(undefined, dcc('NGUYEN', 'AN'), dcc('NGUYEN', 'BINH'))).toBe(false) // twins
    expect(samePerson(undefined, dcc('NGUYEN', 'AN'), dcc('TRAN', 'AN'))).toBe(false)
    expect(samePerson(undefined, dcc('NGUYEN', 'VAN<ANH'), dcc('NGUYEB', 'VAN<ANH'))).toBe(true)
    expect(samePerson(undefined, dcc('NGUYEN', 'VAN<ANH'), dcc('NGUYEN', 'VAN<AHN'))).toBe(true)
    expect(samePerson(undefined, dcc('NGUYEN', 'AN'), dcc('NGUYEN', 'AN', '1990-06-05'))).toBe(true)
    expect(samePerson(undefined, dcc('NGUYEN', 'VAN<ANH'), dcc('NGUYEN', 'VAN<AHN', '1990-06-05'))).toBe(
      false,
    )
  })

  it('ICVP: all words equal but one close word is one change; anything else is another person', () => {
    expect(samePerson('icvp', icvp('LE THI HOA'), icvp('PHAM THI LAN'))).toBe(false)
    expect(samePerson('icvp', icvp('LE THI HOA'), icvp('LE THI LAN'))).toBe(false)
    expect(samePerson('icvp', icvp('LE THI HOA'), icvp('LE THI HAO'))).toBe(true)
    expect(samePerson('icvp', icvp('NGUYEN VAN AN'), icvp('AN VAN NGUYEN'))).toBe(false)
    expect(samePerson('icvp', icvp('LE THI HOA'), icvp('LE THI HOA', '1990-01-01'))).toBe(true)
  })
})

describe('names as typed (fixC findings 1, 2)', () => {
  const flat = (fn: string, gn: string, fnt?: string, gnt?: string): Holder =>
    holderOfRecord(undefined, { fn, gn, dob: '1985-03-09', ...(fnt ? { fnt } : {}), ...(gnt ? { gnt } : {}) })

  it('samePerson compares fn/gn as typed as well as fnt/gnt: the same fnt under another typed name is another person', () => {
    expect(samePerson(undefined, flat('Nguyễn', 'An'), flat('Trần', 'Bình', 'NGUYEN', 'AN'))).toBe(false)
    expect(
      samePerson(undefined, flat('王', '小明', 'WANG', 'XIAOMING'), flat('李', '娜', 'WANG', 'XIAOMING')),
    ).toBe(false)
    expect(samePerson(undefined, flat('Nguyễn', 'An'), flat('Nguyen', 'An', 'NGUYEN', 'AN'))).toBe(true)
  })

  it('a rejects row whose reason named a name leaves only for a close typed name, digits left out', () => {
    const same = (reason: string, a: Holder, b: Holder): boolean =>
      sameRejectedHolder(undefined, a, b, fieldsOfReason(undefined, reason))
    const greek = flat('Παπαδόπουλος', 'Γιώργος')
    const needed = 'fnt: is needed: …; gnt: is needed: …'
    expect(same(needed, greek, flat('Ζαχαρίου', 'Νίκος', 'ZACHARIOU', 'NIKOS'))).toBe(false)
    expect(same(needed, greek, flat('Παπαδόπουλος', 'Γιώργος', 'PAPADOPOULOS', 'GIORGOS'))).toBe(true)
    const digits = flat('Nguyễn 2', 'Văn An 3')
    const named = 'fn: has a digit; gn: has a digit'
    expect(same(named, digits, flat('Hoàng', 'Thị Lan'))).toBe(false)
    expect(same(named, digits, flat('Nguyễn', 'Văn An'))).toBe(true)
    // a field the reason did not name stays equal, as typed too
    expect(same('dob: is in the future', flat('Nguyễn', 'An'), flat('Trần', 'Bình', 'NGUYEN', 'AN'))).toBe(
      false,
    )
  })
})
