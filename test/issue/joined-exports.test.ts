/**
 * Two exports joined (`cat a.csv b.csv`, `cat a.jsonl b.jsonl`) and spreadsheet columns hcert does
 * not read: reasons and warnings a site can act on, never quoting a cell.
 */
import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { readRecords, type InputRecord } from '../../src/issue/read-records.js'

const tmp = mkdtempSync(join(tmpdir(), 'hcert-joined-'))
let n = 0

async function read(name: string, content: string): Promise<{ records: InputRecord[]; warnings: string[] }> {
  const path = join(tmp, `${++n}-${name}`)
  writeFileSync(path, content)
  const records: InputRecord[] = []
  const warnings: string[] = []
  for await (const r of readRecords(path, undefined, { onWarning: (w) => warnings.push(w) })) records.push(r)
  return { records, warnings }
}

const BOM = '\uFEFF'
const HEADER = 'id,type,fn,gn,dob,vaccine,dose,doses,date\n'
const ROW = (id: string) => `${id},v,Zeta,Quux,1980-01-01,Comirnaty,1,2,2021-06-01\n`
const LINE = (id: string) =>
  `{"id":"${id}","type":"v","fn":"Zeta","gn":"Quux","dob":"1980-01-01","vaccine":"Comirnaty","dose":1,"doses":2,"date":"2021-06-01"}\n`

describe('a byte-order mark at the start of a later line (files joined)', () => {
  it('JSON Lines: the reason names the invisible mark and the joined files, not a JSON column', async () => {
    const { records } = await read('bom.jsonl', BOM + LINE('b1') + BOM + LINE('b2'))
    expect(records[0]?.error).toBeUndefined()
    expect(records[1]?.error).toMatch(/byte-order mark/)
    expect(records[1]?.error).toMatch(/joined/)
    expect(records[1]?.error).not.toMatch(/Zeta|b2/)
  })

  it('CSV: a first cell starting with the mark', async () => {
    const { records } = await read('bom.csv', BOM + HEADER + ROW('c1') + BOM + ROW('c2'))
    expect(records[0]?.error).toBeUndefined()
    expect(records[1]?.error).toMatch(/byte-order mark/)
    expect(records[1]?.error).not.toMatch(/Zeta|c2/)
  })
})

describe('a header row repeated mid-file', () => {
  it('is one reason (repeats the header, remove it), with or without a byte-order mark', async () => {
    for (const mark of ['', BOM]) {
      const { records } = await read('twice.csv', BOM + HEADER + ROW('h1') + mark + HEADER + ROW('h2'))
      expect(records.map((r) => r.error === undefined)).toEqual([true, false, true])
      expect(records[1]?.error).toMatch(/repeats the header row/)
      expect(records[1]?.error).toMatch(/remove/)
      expect(records[1]?.errorField).toBeUndefined()
    }
  })

  it('starting with a byte-order mark: one reason that says both, quoting no cell', async () => {
    for (const header of [HEADER, 'type,id,fn,gn,dob,vaccine,dose,doses,date\n']) {
      const { records } = await read('twice-bom.csv', BOM + HEADER + ROW('h1') + BOM + header + ROW('h2'))
      expect(records.map((r) => r.error === undefined)).toEqual([true, false, true])
      const reason = records[1]?.error
      expect(reason).toMatch(header === HEADER ? /repeats the header row/ : /is a header row/)
      expect(reason).toMatch(/byte-order mark \(U\+FEFF\)/)
      expect(reason).toMatch(/joined/)
      expect(reason).toMatch(/remove this line/)
      expect(reason).toMatch(/without a BOM/)
      expect(reason).not.toMatch(/vaccine|Zeta|h2/)
      expect(records[1]?.errorField).toBeUndefined()
    }
  })
})

describe('a repeated header resent in a rejects file', () => {
  it('keeps its one reason (the reason cell is no column name)', async () => {
    const { records } = await read(
      'resent.csv',
      HEADER.replace('\n', ',reason\n') + HEADER.replace('\n', ',record: repeats the header row\n'),
    )
    expect(records[0]?.error).toMatch(/repeats the header row/)
  })
})

describe('a header row of another export, joined mid-file', () => {
  it('columns in another order: one reason, remove it and check the columns', async () => {
    const { records } = await read(
      'other.csv',
      HEADER + ROW('o1') + 'type,id,fn,gn,dob,vaccine,dose,doses,date\n' + ROW('o2'),
    )
    expect(records.map((r) => r.error === undefined)).toEqual([true, false, true])
    expect(records[1]?.error).toMatch(/is a header row .*joined/)
  })
})

describe('columns hcert does not read', () => {
  it('empty-named columns in the middle that hold data are warned about by number', async () => {
    const { records, warnings } = await read(
      'unnamed.csv',
      'id,type,fn,gn,dob,,,vaccine,dose,doses,date\nu1,v,Zeta,Quux,1980-01-01,Sx,Sy,Comirnaty,1,2,2021-06-01\n',
    )
    expect(records[0]?.error).toBeUndefined()
    expect(warnings.join('\n')).toMatch(/<column 6>/)
    expect(warnings.join('\n')).toMatch(/<column 7>/)
    expect(warnings.join('\n')).not.toMatch(/Sx|Sy/)
  })

  it('an empty-named trailing column with nothing in it is no warning', async () => {
    const { warnings } = await read(
      'trailing.csv',
      HEADER.replace('\n', ',\n') + ROW('t1').replace('\n', ',\n'),
    )
    expect(warnings).toEqual([])
  })

  it('an unknown column name given twice: both columns are named', async () => {
    const { warnings } = await read(
      'twice-unknown.csv',
      'id,type,fn,gn,note,dob,vaccine,dose,doses,date,note\nw1,v,Zeta,Quux,a,1980-01-01,Comirnaty,1,2,2021-06-01,b\n',
    )
    expect(warnings.join('\n')).toMatch(/<column 5>/)
    expect(warnings.join('\n')).toMatch(/<column 11>/)
    expect(warnings.join('\n')).not.toMatch(/note/)
  })

  it('a column hcert reads, given twice, is refused', async () => {
    await expect(
      read(
        'two-dob.csv',
        'id,type,fn,gn,dob,dob,vaccine,dose,doses,date\n' +
          'd1,v,Zeta,Quux,1980-01-01,1980-01-01,Comirnaty,1,2,2021-06-01\n',
      ),
    ).rejects.toThrow(/"dob" 2 times/)
  })
})
