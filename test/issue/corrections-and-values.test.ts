/**
 * `hcert issue --correct` and record values as fresh testers broke them: a dry run counts the
 * corrections a real run would sign (`wouldCorrect`); a JSON array's output lines say which element
 * they are for, as its rejections do.
 */
import { describe, expect, it } from 'vitest'
import { Ledger } from '../../src/ledger/ledger.js'
import { CSV_HEADER } from '../helpers/records.js'
import { fileMaker, flatVaccination, issueFile } from '../helpers/issue.js'

const file = fileMaker('hcert-corrections-')
const csv = (text: string, header = CSV_HEADER): string => file('in.csv', `${header}\n${text}\n`)

describe('--correct --dry-run', () => {
  it('counts the corrections a real run would sign (wouldCorrect), and corrected stays of issued (0)', async () => {
    const ledger = new Ledger(':memory:')
    await issueFile(
      ledger,
      csv(
        [
          'A1,v,Nguyen,Van An,1980-01-01,Comirnaty,1,2,2021-06-01',
          'A2,v,Tran,Thi Mai,1981-01-01,Comirnaty,1,2,2021-06-01',
        ].join('\n'),
      ),
    )
    const fixed = csv(
      [
        'A1,v,Nguyen,Van An,1980-01-02,Comirnaty,1,2,2021-06-01',
        'A2,v,Tran,Thi Mai,1981-01-01,Comirnaty,1,2,2021-06-02',
      ].join('\n'),
    )
    const dry = await issueFile(ledger, fixed, { correct: true, dryRun: true })
    expect(dry.report).toMatchObject({
      dryRun: true,
      issued: 0,
      corrected: 0,
      wouldIssue: 2,
      wouldCorrect: 2,
    })
    const real = await issueFile(ledger, fixed, { correct: true })
    expect(real.report).toMatchObject({ issued: 2, corrected: 2 })
    expect(real.report.wouldCorrect).toBeUndefined()
    ledger.close()
  })
})

describe('a JSON array input: each output line carries its element', () => {
  it('issued and already issued lines give the element index beside the line, as rejections do', async () => {
    const ledger = new Ledger(':memory:')
    const records = [
      flatVaccination({ id: 'J1' }),
      flatVaccination({ id: 'J2', gn: 'Binh', dose: 9 }),
      flatVaccination({ id: 'J3', gn: 'Chi' }),
    ]
    const input = file('in.json', JSON.stringify(records))
    const first = await issueFile(ledger, input)
    expect(first.certificates.map((c) => [c.id, c.line, c.element])).toEqual([
      ['J1', 1, 0],
      ['J3', 1, 2],
    ])
    expect(first.report.rejections.map((r) => r.element)).toEqual([1])
    const again = await issueFile(ledger, input)
    expect(again.certificates.map((c) => [c.id, c.element])).toEqual([
      ['J1', 0],
      ['J3', 2],
    ])
    // JSON Lines and CSV lines carry no element
    const lines = await issueFile(
      ledger,
      file('in.jsonl', `${JSON.stringify(flatVaccination({ id: 'L1' }))}\n`),
    )
    expect(lines.certificates[0]).not.toHaveProperty('element')
    ledger.close()
  })
})

const TEST_HEADER = 'id,type,fn,gn,dob,date,test_type,result,centre'

describe('--correct fixes a record of the same event', () => {
  it('a PCR test under the id of a 2/2 vaccination is another event: rejected, with or without --correct, never offered --correct', async () => {
    const ledger = new Ledger(':memory:')
    await issueFile(ledger, csv('E1,v,Nguyen,Van An,1980-01-01,Comirnaty,2,2,2021-06-01'))
    const test = csv('E1,t,Nguyen,Van An,1980-01-01,2021-07-01T08:00:00Z,PCR,negative,BV', TEST_HEADER)
    for (const correct of [true, false]) {
      const { report, certificates } = await issueFile(ledger, test, { correct })
      expect(certificates).toEqual([])
      expect(report).toMatchObject({ issued: 0, corrected: 0, rejected: 1 })
      expect(report.rejections).toEqual([
        expect.objectContaining({
          field: 'id',
          reason: expect.stringMatching(
            /^the id \(column id\) was issued before for another event .*give this record an id of its own$/,
          ),
        }),
      ])
      expect(report.rejections[0]?.reason).not.toContain('--correct')
    }
    expect(ledger.database.prepare('SELECT COUNT(*) AS n FROM certificates').get()).toEqual({ n: 1 })
    ledger.close()
  })

  it('another dose is another event; another date or product of the same dose is a correction', async () => {
    const ledger = new Ledger(':memory:')
    await issueFile(ledger, csv('E2,v,Tran,Thi Mai,1981-01-01,Comirnaty,1,2,2021-06-01'))
    const dose = await issueFile(ledger, csv('E2,v,Tran,Thi Mai,1981-01-01,Comirnaty,2,2,2021-07-01'), {
      correct: true,
    })
    expect(dose.report.rejections.map((r) => r.reason)).toEqual([expect.stringContaining('another event')])
    const fixed = await issueFile(ledger, csv('E2,v,Tran,Thi Mai,1981-01-01,Spikevax,1,2,2021-06-02'), {
      correct: true,
    })
    expect(fixed.report).toMatchObject({ issued: 1, corrected: 1, rejected: 0 })
    ledger.close()
  })
})

describe('a chain of corrections is compared with its first certificate too', () => {
  it('one typo at a time cannot walk a certificate to another name', async () => {
    const ledger = new Ledger(':memory:')
    await issueFile(ledger, csv('C1,v,Tran,Van An,1980-01-01,Comirnaty,1,2,2021-06-01'))
    const one = await issueFile(ledger, csv('C1,v,Tram,Van An,1980-01-01,Comirnaty,1,2,2021-06-01'), {
      correct: true,
    })
    expect(one.report).toMatchObject({ corrected: 1, rejected: 0 })
    // TRUM is one typo from TRAM (the current certificate), two from TRAN (the first): 1 of 4 letters at most
    const two = await issueFile(ledger, csv('C1,v,Trum,Van An,1980-01-01,Comirnaty,1,2,2021-06-01'), {
      correct: true,
    })
    expect(two.report).toMatchObject({ issued: 0, corrected: 0, rejected: 1 })
    expect(two.report.rejections[0]).toMatchObject({
      field: 'id',
      reason: expect.stringContaining("not a close typo of the one the id's first certificate gave"),
    })
    expect(JSON.stringify(two.report)).not.toMatch(/Tr[au]m|TRUM|Van An/i)
    ledger.close()
  })

  it('two fields wrong are still corrected in two runs, one field each', async () => {
    const ledger = new Ledger(':memory:')
    await issueFile(ledger, csv('C2,v,Nguyen,Van Ahn,1980-01-01,Comirnaty,1,2,2021-06-01'))
    const name = await issueFile(ledger, csv('C2,v,Nguyen,Van Anh,1980-01-01,Comirnaty,1,2,2021-06-01'), {
      correct: true,
    })
    expect(name.report).toMatchObject({ corrected: 1, rejected: 0 })
    const dob = await issueFile(ledger, csv('C2,v,Nguyen,Van Anh,1980-10-01,Comirnaty,1,2,2021-06-01'), {
      correct: true,
    })
    expect(dob.report).toMatchObject({ corrected: 1, rejected: 0 })
    ledger.close()
  })
})
