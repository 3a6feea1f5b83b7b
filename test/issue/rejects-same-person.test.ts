/**
 * Tester findings on the rejects file and the same-person rules (fixC): a rejects row whose reason
 * named a name field leaves only for a FIX of that name, never for another person under the id; a
 * typed fnt/gnt must not contradict fn/gn, and --correct compares the names as typed; a row this
 * run read and rejected again is written once, never also carried.
 */
import { copyFileSync, existsSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { buildDcc } from '../../src/issue/build-dcc.js'
import { Ledger } from '../../src/ledger/ledger.js'
import { fileMaker, issueFile } from '../helpers/issue.js'

const file = fileMaker('hcert-rejects-same-person-')
const DEFAULTS = { country: 'VN', issuer: 'Ministry of Health' }
const HEADER = 'id,type,fn,gn,dob,vaccine,dose,doses,date,country'
const WITH_T = 'id,type,fn,gn,fnt,gnt,dob,vaccine,dose,doses,date,country'
const rows = (header: string, ...lines: string[]): string => `${header}\n${lines.join('\n')}\n`
const lines = (path: string): string[] => readFileSync(path, 'utf8').trim().split('\n')

describe('finding 1: a row whose reason named a name leaves only for a fix of that name', () => {
  it('Greek and Chinese names (fnt/gnt needed): other people issued under the ids carry both rows; the fixed rows clear them', async () => {
    const ledger = new Ledger(':memory:')
    const rejects = join(file.folder, 'g.csv')
    const g1 = file(
      'g1.csv',
      rows(
        HEADER,
        '1,v,Παπαδόπουλος,Γιώργος,1985-03-09,Comirnaty,1,2,2021-06-01,GR',
        '2,v,王,小明,1985-03-09,Comirnaty,1,2,2021-06-01,CN',
      ),
    )
    const first = await issueFile(ledger, g1, { rejects })
    expect(first.report.rejected).toBe(2)
    const others = await issueFile(
      ledger,
      file(
        'g2.csv',
        rows(
          WITH_T,
          '1,v,Ζαχαρίου,Νίκος,ZACHARIOU,NIKOS,1985-03-09,Comirnaty,1,2,2021-06-01,GR',
          '2,v,李,娜,LI,NA,1985-03-09,Comirnaty,1,2,2021-06-01,CN',
        ),
      ),
      { rejects },
    )
    expect(others.report.issued).toBe(2)
    expect(others.report.warnings.join('\n')).toMatch(/2 records of the rejects file it replaces/)
    expect(lines(rejects).map((l) => l.split(',').slice(0, 4).join(','))).toEqual([
      'id,type,fn,gn',
      '1,v,Παπαδόπουλος,Γιώργος',
      '2,v,王,小明',
    ])
    // the rows fixed as the reason asked (fnt/gnt given, the names as typed): issued, the file gone
    const own = new Ledger(':memory:')
    await issueFile(own, g1, { rejects })
    const fixed = await issueFile(
      own,
      file(
        'g3.csv',
        rows(
          WITH_T,
          '1,v,Παπαδόπουλος,Γιώργος,PAPADOPOULOS,GIORGOS,1985-03-09,Comirnaty,1,2,2021-06-01,GR',
          '2,v,王,小明,WANG,XIAOMING,1985-03-09,Comirnaty,1,2,2021-06-01,CN',
        ),
      ),
      { rejects },
    )
    expect(fixed.report.rejections).toEqual([])
    expect(existsSync(rejects)).toBe(false)
    ledger.close()
    own.close()
  })

  it('Latin names with digits (fn and gn named): another person under the id carries the row; the digits removed clear it', async () => {
    const ledger = new Ledger(':memory:')
    const rejects = join(file.folder, 'l.csv')
    const row = (fn: string, gn: string): string =>
      rows(HEADER, `1,v,${fn},${gn},1985-03-09,Comirnaty,1,2,2021-06-01,VN`)
    expect(
      (await issueFile(ledger, file('l1.csv', row('Nguyễn 2', 'Văn An 3')), { rejects })).report.rejected,
    ).toBe(1)
    const other = await issueFile(ledger, file('l2.csv', row('Hoàng', 'Thị Lan')), { rejects })
    expect(other.report.issued).toBe(1)
    expect(readFileSync(rejects, 'utf8')).toContain('Nguyễn 2,Văn An 3')
    const own = new Ledger(':memory:')
    const fixed = await issueFile(own, file('l3.csv', row('Nguyễn', 'Văn An')), { rejects })
    expect(fixed.report.issued).toBe(1)
    expect(existsSync(rejects)).toBe(false)
    ledger.close()
    own.close()
  })
})

describe('finding 2: typed fnt/gnt against fn/gn, and --correct by the names as typed', () => {
  const reasons = (record: Record<string, unknown>): string[] =>
    buildDcc(record, DEFAULTS).rejections.map((r) => `${r.field}: ${r.reason}`)
  const record = (names: Record<string, string>) => ({
    type: 'v',
    dob: '1985-03-09',
    vaccine: 'Comirnaty',
    dose: '1',
    doses: '2',
    date: '2021-06-01',
    ...names,
  })

  it("a typed fnt/gnt that contradicts a Latin or Cyrillic fn/gn is rejected, without quoting names; hcert's own form, a close one or a per-language variant passes", () => {
    const swapped = reasons(record({ fn: 'Trần', gn: 'Bình', fnt: 'NGUYEN', gnt: 'AN' }))
    expect(swapped).toEqual([
      'fnt: does not match fn (hcert writes fn in ICAO form itself; leave fnt empty or fix it)',
      'gnt: does not match gn (hcert writes gn in ICAO form itself; leave gnt empty or fix it)',
    ])
    expect(swapped.join(' ')).not.toMatch(/TRAN|NGUYEN|BINH|\bAN\b/i)
    expect(reasons(record({ fn: 'Trần', gn: 'Văn Bình', fnt: 'TRAN', gnt: 'VAN<BINH' }))).toEqual([])
    expect(reasons(record({ fn: 'Müller', gn: 'Jürgen', fnt: 'MULLER', gnt: 'JURGEN' }))).toEqual([])
    // Ukrainian as its passports write it (Г→H, И→Y), which hcert cannot tell from the name
    expect(reasons(record({ fn: 'Григоренко', gn: 'Юрій', fnt: 'HRYHORENKO', gnt: 'YURII' }))).toEqual([])
    expect(reasons(record({ fn: 'Петров', gn: 'Иван', fnt: 'IVANOV', gnt: 'IVAN' }))).toEqual([
      'fnt: does not match fn (hcert writes fn in ICAO form itself; leave fnt empty or fix it)',
    ])
    // in a DCC payload alike
    const payload = {
      nam: { fn: 'Trần', fnt: 'NGUYEN', gn: 'An', gnt: 'AN' },
      dob: '1985-03-09',
      v: [
        {
          tg: '840539006',
          vp: 'J07BX03',
          mp: 'EU/1/20/1528',
          ma: 'ORG-100030215',
          dn: 1,
          sd: 2,
          dt: '2021-06-01',
          co: 'VN',
          is: 'Ministry of Health',
          ci: 'URN:UVCI:01:VN:A',
        },
      ],
    }
    expect(reasons(payload)).toEqual([
      'fnt: does not match fn (hcert writes fn in ICAO form itself; leave fnt empty or fix it)',
    ])
  })

  it('--correct: another typed name under the same fnt/gnt is another person (Chinese names), a typo fix of the typed name is a correction', async () => {
    const ledger = new Ledger(':memory:')
    const row = (fn: string, gn: string, fnt: string, gnt: string, dose = 1): string =>
      file(
        'c.csv',
        rows(WITH_T, `K9,v,${fn},${gn},${fnt},${gnt},1985-03-09,Comirnaty,${dose},2,2021-06-01,CN`),
      )
    expect((await issueFile(ledger, row('王', '小明', 'WANG', 'XIAOMING'))).report.issued).toBe(1)
    const other = await issueFile(ledger, row('李', '娜', 'WANG', 'XIAOMING', 2), { correct: true })
    expect(other.report.issued).toBe(0)
    expect(other.report.rejections.map((r) => r.reason)).toEqual([
      expect.stringContaining('seems to belong to another person'),
    ])
    const greek = new Ledger(':memory:')
    const g = (fn: string, dose = 1): string =>
      file(
        'c.csv',
        rows(WITH_T, `K8,v,${fn},Γιώργος,PAPADOPOULOS,GIORGOS,1985-03-09,Comirnaty,${dose},2,2021-06-01,GR`),
      )
    expect((await issueFile(greek, g('Παπαδόπουλος'))).report.issued).toBe(1)
    // a typo in the typed name fixed (two letters swapped): the same person, corrected
    expect((await issueFile(greek, g('Παπαδόπυολος'), { correct: true })).report.corrected).toBe(1)
    expect((await issueFile(greek, g('Ζαχαρίου', 1), { correct: true })).report.rejections).toEqual([
      expect.objectContaining({ field: 'id', reason: expect.stringContaining('another person') }),
    ])
    ledger.close()
    greek.close()
  })
})

describe('finding 3: a row this run read and rejected again is written once, never also carried', () => {
  const resend = async (input: string, name: string): Promise<number[]> => {
    const ledger = new Ledger(':memory:')
    const rejects = join(file.folder, `${name}-r${name.slice(name.lastIndexOf('.'))}`)
    await issueFile(ledger, file(name, input), { rejects })
    const counts = [lines(rejects).length]
    for (let i = 0; i < 3; i++) {
      const copy = join(file.folder, `${i}-re-${name}`)
      copyFileSync(rejects, copy)
      await issueFile(ledger, copy, { rejects })
      counts.push(lines(rejects).length)
    }
    ledger.close()
    return counts
  }
  const json = (id: string): string =>
    `"type":"v","fn":"Le","gn":"Cuong","dob":"1985-03-09","vaccine":"Comirnaty","dose":1,"doses":2,"date":"2021-06-01","id":"${id}"`

  it('JSON Lines: a key given twice, a line that is no JSON', async () => {
    expect(await resend(`{"id":"J3",${json('J4')}}\n{${json('J5')}\n`, 'in.jsonl')).toEqual([2, 2, 2, 2])
  })

  it('CSV: a quote closed mid-cell, a header row of a joined file', async () => {
    const csv = rows(
      'id,type,fn,gn,dob,vaccine,dose,doses,date',
      'C1,v,"Tran"x,An,1985-03-09,Comirnaty,1,2,2021-06-01',
      'id,type,fn,gn,dob,vaccine,dose,doses,date',
    )
    expect(await resend(csv, 'in.csv')).toEqual([3, 3, 3, 3])
  })
})

describe('finding 4: the same-holder warning of an ICVP run names the ICVP fields', () => {
  it('name, date of birth, product, date; not the DCC set', async () => {
    const ledger = new Ledger(':memory:')
    const { report } = await issueFile(
      ledger,
      file(
        'i.csv',
        rows(
          'id,name,dob,sex,nationality,product,date,batch,clinician,issuer',
          'i1,Trần Thị Bích,1992-11-03,F,VN,STAMARIL,2021-07-01,P9,Dr Binh,Pasteur',
          'i2,TRAN THI BICH,1992-11-03,F,VN,STAMARIL,2021-07-01,P9,Dr Binh,Pasteur',
        ),
      ),
      { kind: 'icvp' },
    )
    expect(report.sameHolderEvent).toBe(1)
    const said = report.warnings.join('\n')
    expect(said).toContain('the holder and vaccination (name, date of birth, product, date)')
    expect(said).not.toMatch(/disease|dose|test or recovery/)
    ledger.close()
  })
})

describe('finding 3: a resent row broken anew (more cells than the header) replaces its earlier row', () => {
  const header = 'id,type,fn,gn,dob,vaccine,dose,doses,date'
  it("the row's id and its names and date of birth among the cells: one row for the record; another person's broken row under the id: both kept", async () => {
    for (const [broken, expected] of [
      ['5,v,Binh,An,1990-01-01,Comirnaty,x,1,2,2021-06-01', ['5,v,Binh,An,1990-01-01,Comirnaty,x']],
      [
        '5,v,Tran,Mai,1990-01-01,Comirnaty,x,1,2,2021-06-01',
        ['5,v,Tran,Mai,1990-01-01,Comirnaty,x', '5,v,Binh,An,2030-01-01,Comirnaty,1'],
      ],
    ] as const) {
      const ledger = new Ledger(':memory:')
      const rejects = join(file.folder, `b-${broken.slice(4, 8)}.csv`)
      const first = rows(header, '5,v,Binh,An,2030-01-01,Comirnaty,1,2,2021-06-01')
      expect((await issueFile(ledger, file('b1.csv', first), { rejects })).report.rejected).toBe(1)
      const again = await issueFile(ledger, file('b2.csv', rows(header, broken)), { rejects })
      expect(again.report.rejections.map((r) => r.reason)).toEqual(['has 10 fields; the header has 9'])
      expect(
        lines(rejects)
          .slice(1)
          .map((l) => l.split(',').slice(0, 7).join(',')),
      ).toEqual(expected)
      ledger.close()
    }
  })
})
