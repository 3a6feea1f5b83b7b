/**
 * `hcert issue` as testers broke it: an id whose first record is rejected still belongs to that
 * record (a later record of the id is its reuse, not issued in its place); `--correct` on a record
 * without an id refuses it (no key to correct by) instead of issuing a second certificate; the
 * same-holder check compares standardised names (ICVP names too); an already issued certificate
 * that has expired is written out again with a warning and counted (`alreadyIssuedExpired`).
 */
import { describe, expect, it } from 'vitest'
import { Ledger } from '../../src/ledger/ledger.js'
import { CSV_HEADER } from '../helpers/records.js'
import { fileMaker, issueFile } from '../helpers/issue.js'

const file = fileMaker('hcert-ids-')
const csv = (text: string, header = CSV_HEADER): string => file('in.csv', `${header}\n${text}\n`)

const issue = issueFile

describe('the first record of an id owns it, even when it is rejected', () => {
  it('a later record of the id with other content is rejected as its reuse, never issued in its place', async () => {
    const ledger = new Ledger(':memory:')
    const { report, certificates } = await issue(
      ledger,
      csv(
        [
          'X,v,Nguyen,Van A,1980-01-01,Comirnaty,5,2,2021-06-01', // dose 5 of 2: rejected
          'Y,v,Tran,Thi B,1981-02-02,Comirnaty,1,2,2021-06-01',
          'X,v,Le,Van C,1982-03-03,Comirnaty,1,2,2021-06-01', // valid, same id, other content
          'X,v,Pham,Van D,1983-04-04,Comirnaty,7,2,2021-06-01', // invalid too, and the id reused
        ].join('\n'),
      ),
    )
    expect(certificates.map((c) => c.id)).toEqual(['Y'])
    expect(report).toMatchObject({ records: 4, issued: 1, rejected: 3 })
    const byIndex = (i: number) => report.rejections.filter((r) => r.index === i)
    expect(byIndex(1).map((r) => r.field)).toEqual(['dose'])
    expect(byIndex(3)).toEqual([
      expect.objectContaining({
        field: 'id',
        reason: expect.stringContaining(
          'record 1 of this input has it (rejected; if this record is its fix, remove record 1)',
        ),
      }),
    ])
    expect(byIndex(4).map((r) => r.field)).toEqual(['dose', 'id'])
    ledger.close()
  })

  it('the same record again after a rejected one is its repeat, said to be rejected, not "issued once"', async () => {
    const ledger = new Ledger(':memory:')
    const first = await issue(ledger, csv('Z,v,Nguyen,Van A,1980-01-01,Comirnaty,1,2,2021-06-01'))
    expect(first.report.issued).toBe(1)
    // other content under Z: rejected (the ledger's reuse); its exact repeat later in the input too
    const row = 'Z,v,Nguyen,Van A,1980-01-01,Comirnaty,2,2,2021-07-01'
    const { report } = await issue(ledger, csv(`${row}\n${row}`))
    expect(report.rejections[1]).toMatchObject({
      index: 2,
      field: 'record',
      reason: 'is the same record as record 1 of this input, which is rejected (see its reason)',
    })
    ledger.close()
  })
})

describe('--correct needs an id', () => {
  it('a record without an id that the ledger does not hold is refused, not issued beside the first', async () => {
    const ledger = new Ledger(':memory:')
    const header = 'type,fn,gn,dob,vaccine,dose,doses,date'
    await issue(ledger, csv('v,Nguyen,Van Anh,1980-01-01,Comirnaty,1,2,2021-06-01', header))
    const { report, certificates } = await issue(
      ledger,
      csv('v,Nguyen,Van An,1980-01-01,Comirnaty,1,2,2021-06-01', header),
      { correct: true },
    )
    expect(certificates).toEqual([])
    expect(report).toMatchObject({ issued: 0, corrected: 0, rejected: 1 })
    expect(report.rejections[0]).toMatchObject({
      field: 'id',
      reason: expect.stringMatching(/^is needed with --correct: /),
    })
    expect(JSON.stringify(report)).not.toContain('Nguyen')
    // the same record (already issued), and one whose country changed (the same key), still work
    const again = await issue(ledger, csv('v,Nguyen,Van Anh,1980-01-01,Comirnaty,1,2,2021-06-01', header), {
      correct: true,
    })
    expect(again.report).toMatchObject({ alreadyIssued: 1, rejected: 0 })
    const moved = await issue(ledger, csv('v,Nguyen,Van Anh,1980-01-01,Comirnaty,1,2,2021-06-01', header), {
      correct: true,
      defaults: { country: 'VN', issuer: 'Another Ministry' },
    })
    expect(moved.report).toMatchObject({ issued: 1, corrected: 1, rejected: 0 })
    ledger.close()
  })

  it('compares standardised names: a change in diacritics alone is no other person (DCC and ICVP)', async () => {
    const ledger = new Ledger(':memory:')
    await issue(ledger, csv('A1,v,Nguyễn,Văn An,1980-01-01,Comirnaty,1,2,2021-06-01'))
    // names without their marks, in capitals, and the date of birth fixed: one field changed
    const dcc = await issue(ledger, csv('A1,v,NGUYEN,VAN AN,1980-01-02,Comirnaty,1,2,2021-06-01'), {
      correct: true,
    })
    expect(dcc.report).toMatchObject({ corrected: 1, rejected: 0 })

    const header = 'id,name,dob,sex,nationality,product,date,batch,clinician,issuer'
    await issue(
      ledger,
      csv('c1,Trần Thị Bích,1992-11-03,F,VN,STAMARIL,2021-07-01,P9,Dr Binh,Pasteur', header),
      {
        kind: 'icvp',
      },
    )
    const icvp = await issue(
      ledger,
      csv('c1,TRAN THI BICH,1992-11-04,F,VN,STAMARIL,2021-07-01,P9,Dr Binh,Pasteur', header),
      { kind: 'icvp', correct: true },
    )
    expect(icvp.report.rejections).toEqual([])
    expect(icvp.report).toMatchObject({ corrected: 1 })
    ledger.close()
  })
})

describe('an expired certificate written out again', () => {
  it('is written out as already issued, counted in alreadyIssuedExpired and warned about with hcert renew', async () => {
    const ledger = new Ledger(':memory:')
    const file = csv(
      [
        'E1,v,Nguyen,Van A,1980-01-01,Comirnaty,1,2,2021-06-01',
        'E2,v,Nguyen,Van B,1980-01-01,Comirnaty,1,2,2021-06-01',
      ].join('\n'),
    )
    const first = await issue(ledger, file)
    expect(first.report.alreadyIssuedExpired).toBe(0)
    const fresh = await issue(ledger, file, { now: new Date('2022-06-01T00:00:00Z') })
    expect(fresh.report).toMatchObject({ alreadyIssued: 2, alreadyIssuedExpired: 0 })
    expect(fresh.report.warnings.join()).not.toMatch(/expired/)
    // 12 months later and a day: both expired
    const late = await issue(ledger, file, { now: new Date('2022-12-22T00:00:00Z') })
    expect(late.certificates.map((c) => c.hc1)).toEqual(first.certificates.map((c) => c.hc1))
    expect(late.report).toMatchObject({ alreadyIssued: 2, alreadyIssuedExpired: 2, rejected: 0 })
    expect(late.report.warnings).toEqual([
      expect.stringMatching(
        /^2 records \(records 1, 2\) were issued before and their certificates have expired: .*hcert renew/,
      ),
    ])
    ledger.close()
  })
})

describe('--correct fixes a typo, it never passes a certificate to another person', () => {
  const header = 'id,name,dob,sex,nationality,product,date,batch,clinician,issuer'
  const icvpRow = (id: string, name: string, dob = '1992-11-03') =>
    `${id},${name},${dob},F,VN,STAMARIL,2021-07-01,P9,Dr Binh,Pasteur`

  it('twins (one given name changed, not close) are two people: rejected with --correct, and no --correct suggested', async () => {
    const ledger = new Ledger(':memory:')
    await issue(ledger, csv('1,v,Nguyễn,An,1990-05-05,Comirnaty,1,2,2021-06-01'))
    const corrected = await issue(ledger, csv('1,v,Nguyễn,Bình,1990-05-05,Comirnaty,1,2,2021-06-02'), {
      correct: true,
    })
    expect(corrected.report).toMatchObject({ issued: 0, corrected: 0, rejected: 1 })
    expect(corrected.report.rejections[0]?.reason).toMatch(/seems to belong to another person/)
    const plain = await issue(ledger, csv('1,v,Nguyễn,Bình,1990-05-05,Comirnaty,1,2,2021-06-02'))
    expect(plain.report.rejections[0]?.reason).toMatch(/give this record an id of its own/)
    expect(plain.report.rejections[0]?.reason).not.toMatch(/correct that certificate with --correct/)
    ledger.close()
  })

  it('one-field fixes still correct: a surname typo, a given-name typo, a wrong date of birth', async () => {
    const ledger = new Ledger(':memory:')
    // each fix of its own record (id): going back to an earlier version is never a correction (an
    // old batch resent is written out as corrected since)
    for (const [id, fn, gn, dob] of [
      ['2', 'Nguyễb', 'Văn Anh', '1990-05-05'], // surname typo
      ['3', 'Nguyễn', 'Văn Ahn', '1990-05-05'], // two letters swapped
      ['4', 'Nguyễn', 'Văn Anh', '1990-06-05'], // the date of birth
    ]) {
      await issue(ledger, csv(`${id},v,Nguyễn,Văn Anh,1990-05-05,Comirnaty,1,2,2021-06-01`))
      const row = `${id},v,${fn},${gn},${dob},Comirnaty,1,2,2021-06-01`
      const { report } = await issue(ledger, csv(row), { correct: true })
      expect(report.rejections, row).toEqual([])
      expect(report.corrected, row).toBe(1)
    }
    ledger.close()
  })

  it('ICVP: a shared middle name does not make another woman the same person; a one-word typo corrects', async () => {
    const ledger = new Ledger(':memory:')
    await issue(ledger, csv(icvpRow('c7', 'Lê Thị Hoa'), header), { kind: 'icvp' })
    const other = await issue(ledger, csv(icvpRow('c7', 'Phạm Thị Lan'), header), {
      kind: 'icvp',
      correct: true,
    })
    expect(other.report).toMatchObject({ corrected: 0, rejected: 1 })
    expect(other.report.rejections[0]?.reason).toMatch(/seems to belong to another person/)
    const typo = await issue(ledger, csv(icvpRow('c7', 'Lê Thị Hao'), header), {
      kind: 'icvp',
      correct: true,
    })
    expect(typo.report.rejections).toEqual([])
    expect(typo.report.corrected).toBe(1)
    ledger.close()
  })
})

describe("the same holder and event is warned about whatever the names' case, marks or hyphens", () => {
  it('DCC: Nguyễn Văn An typed four ways is one holder (sameHolderEvent counts every repeat)', async () => {
    const ledger = new Ledger(':memory:')
    const { report } = await issue(
      ledger,
      csv(
        [
          'VN-1,v,Nguyễn,Văn An,1980-01-01,Comirnaty,1,2,2021-06-01',
          'VN-2,v,NGUYỄN,VĂN AN,1980-01-01,Comirnaty,1,2,2021-06-01',
          'VN-3,v,Nguyen,Van An,1980-01-01,Comirnaty,1,2,2021-06-01',
          'VN-4,v,Nguyễn,Văn-An,1980-01-01,Comirnaty,1,2,2021-06-01',
        ].join('\n'),
      ),
    )
    expect(report).toMatchObject({ issued: 4, sameHolderEvent: 3 })
    // and against the ledger, in a later run
    const later = await issue(ledger, csv('VN-5,v,nguyễn,văn an,1980-01-01,Comirnaty,1,2,2021-06-01'))
    expect(later.report).toMatchObject({ issued: 1, sameHolderEvent: 1 })
    ledger.close()
  })

  it('ICVP: the name in capitals without its marks is the same holder', async () => {
    const ledger = new Ledger(':memory:')
    const header = 'id,name,dob,sex,nationality,product,date,batch,clinician,issuer'
    const { report } = await issue(
      ledger,
      csv(
        [
          'i1,Trần Thị Bích,1992-11-03,F,VN,STAMARIL,2021-07-01,P9,Dr Binh,Pasteur',
          'i2,TRAN THI BICH,1992-11-03,F,VN,STAMARIL,2021-07-01,P9,Dr Binh,Pasteur',
        ].join('\n'),
        header,
      ),
      { kind: 'icvp' },
    )
    expect(report).toMatchObject({ issued: 2, sameHolderEvent: 1 })
    ledger.close()
  })
})

describe('fixN: an ICVP correction is told in ICVP terms', () => {
  const header = 'id,name,dob,sex,nationality,product,date,batch,clinician,issuer'
  const row = (product: string) => `w1,Lê Thị Hoa,1990-01-01,F,VN,${product},2021-06-01,B1,Dr A,Pasteur`

  it('a vaccine against another disease (STAMARIL to Picovax) is refused with an ICVP reason; another polio vaccine corrects', async () => {
    const ledger = new Ledger(':memory:')
    expect((await issue(ledger, csv(row('STAMARIL'), header), { kind: 'icvp' })).report.issued).toBe(1)
    const polio = await issue(ledger, csv(row('Picovax'), header), { kind: 'icvp', correct: true })
    expect(polio.report).toMatchObject({ issued: 0, rejected: 1 })
    const reason = polio.report.rejections[0]?.reason ?? ''
    expect(reason).toMatch(
      /^the id \(column id\) was issued before for a vaccination against another disease/,
    )
    expect(reason).not.toMatch(/test|recovery|dose 2|Lê|Hoa|1990|w1/)
    // polio to polio: IPV (Picovax) first, then the bivalent oral vaccine it should have been
    expect(
      (await issue(ledger, csv(row('Picovax').replace('w1', 'w2'), header), { kind: 'icvp' })).report.issued,
    ).toBe(1)
    const opv = await issue(
      ledger,
      csv(row('PolioVaccineOralOPVBivalProduct16e883911ea0108b8213bc213c9972fe').replace('w1', 'w2'), header),
      { kind: 'icvp', correct: true },
    )
    expect(opv.report.rejections).toEqual([])
    expect(opv.report).toMatchObject({ corrected: 1 })
    ledger.close()
  })
})
