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
