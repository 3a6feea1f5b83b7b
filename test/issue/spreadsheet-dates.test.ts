/**
 * A date column a spreadsheet exported as its date numbers (44197 for 2021-01-01): the reason says
 * so and how to export the column, never the value.
 */
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { Ledger } from '../../src/ledger/ledger.js'
import { fileMaker, issueFile } from '../helpers/issue.js'

const file = fileMaker('hcert-serial-dates-')
let n = 0

async function rejections(name: string, content: string): Promise<Array<[string, string]>> {
  const ledger = new Ledger(join(file.folder, `${++n}.sqlite`))
  const { report } = await issueFile(ledger, file(name, content), { dryRun: true })
  ledger.close()
  return report.rejections.map((r) => [r.field, r.reason])
}

describe("a spreadsheet's date number in a date column", () => {
  it('CSV dob and date: the reason says it looks like a date number and how to export it', async () => {
    const got = await rejections(
      'serial.csv',
      'id,type,fn,gn,dob,vaccine,dose,doses,date\ns1,v,Zeta,Quux,29221,Comirnaty,1,2,44197.5\n',
    )
    expect(got.map(([field]) => field).sort()).toEqual(['date', 'dob'])
    for (const [, reason] of got) {
      expect(reason).toMatch(/spreadsheet's date number/)
      expect(reason).toMatch(/YYYY-MM-DD/)
      expect(reason).not.toMatch(/29221|44197/)
    }
  })

  it('JSON Lines, the value as a number; a date that is merely wrong gets no such hint', async () => {
    const got = await rejections(
      'serial.jsonl',
      '{"id":"j1","type":"v","fn":"Zeta","gn":"Quux","dob":44197,"vaccine":"Comirnaty","dose":1,"doses":2,"date":"2021-06-01"}\n' +
        '{"id":"j2","type":"v","fn":"Zeta","gn":"Quux","dob":"01/02/1980","vaccine":"Comirnaty","dose":1,"doses":2,"date":"2021-06-01"}\n',
    )
    expect(got).toHaveLength(2)
    expect(got[0]?.[0]).toBe('dob')
    expect(got[0]?.[1]).toMatch(/spreadsheet's date number/)
    expect(got[1]?.[1]).not.toMatch(/spreadsheet's date number/)
  })

  it('a date in a local style (1/6/2021, 01.06.2021, 6-1-21): the reason says 1/6 reads two ways and how to write it, never the value', async () => {
    const got = await rejections(
      'local.csv',
      'id,type,fn,gn,dob,vaccine,dose,doses,date\n' +
        'l1,v,Zeta,Quux,7/3/1980,Comirnaty,1,2,2021-06-01\n' +
        'l2,v,Zeta,Quuy,1980-03-07,Comirnaty,1,2,01.06.2021\n' +
        'l3,v,Zeta,Quuz,1980-03-07,Comirnaty,1,2,6-1-21\n' +
        'l4,v,Zeta,Quuw,1980-03-07,Comirnaty,1,2,2021/06/01\n',
    )
    expect(got.map(([field]) => field)).toEqual(['dob', 'date', 'date', 'date'])
    for (const [, reason] of got.slice(0, 3)) {
      expect(reason).toMatch(/local style/)
      expect(reason).toMatch(/YYYY-MM-DD/)
      expect(reason).not.toMatch(/7\/3|1980|01\.06|6-1-21/)
    }
    // year first is no local day-month form: the plain reason
    expect(got[3]?.[1]).not.toMatch(/local style/)
  })

  it('an id a spreadsheet wrote in scientific notation is rejected, never a key two records share', async () => {
    const got = await rejections(
      'scientific.csv',
      'id,type,fn,gn,dob,vaccine,dose,doses,date\n' +
        '1.23457E+11,v,Zeta,Quux,1980-01-01,Comirnaty,1,2,2021-06-01\n' +
        '1.23457E+11,v,Other,Name,1981-01-01,Comirnaty,1,2,2021-06-01\n',
    )
    expect(got).toHaveLength(2)
    for (const [field, reason] of got) {
      expect(field).toBe('id')
      expect(reason).toMatch(/scientific notation/)
      expect(reason).not.toMatch(/23457/)
    }
  })
})
