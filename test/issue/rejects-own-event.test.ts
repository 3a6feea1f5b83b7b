/**
 * Tester findings on the rejects file across resends (fixE): a carried row leaves only for a
 * record of its own holder AND event (never for the same person's other dose, test or vaccination
 * under its id), under any id (a row fixed and resent as `2b` leaves, and is never resent for a
 * second certificate), except in the fields its own reason named; a row whose id itself was
 * rejected is in the rejects file once however often it is resent.
 */
import { copyFileSync, existsSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { Ledger } from '../../src/ledger/ledger.js'
import type { IssueOptions } from '../../src/services/issue.js'
import { fileMaker, issueFile } from '../helpers/issue.js'
import { ENGINES, requirePgInCi } from '../helpers/pg.js'
import { letters } from '../helpers/records.js'

requirePgInCi()
const file = fileMaker('hcert-rejects-own-event-')
const HEADER = 'id,type,fn,gn,dob,vaccine,dose,doses,date,test_type,result,manufacturer'
const rows = (header: string, ...lines: string[]): string => `${header}\n${lines.join('\n')}\n`
const lines = (path: string): string[] =>
  existsSync(path) ? readFileSync(path, 'utf8').trim().split('\n').slice(1) : []
let n = 0
const fresh = (ext = 'csv'): { ledger: Ledger; rejects: string } => ({
  ledger: new Ledger(':memory:'),
  rejects: join(file.folder, `r${++n}.${ext}`),
})

/** A vaccination row: `id`, the holder `fn gn` born `dob`, `vaccine` dose `dose`/2 on `date`. */
const vaccination = (
  id: string,
  o: { gn?: string; dob?: string; vaccine?: string; dose?: number; date?: string; maker?: string } = {},
) =>
  `${id},v,Trần,${o.gn ?? 'Thị Mai'},${o.dob ?? '1985-03-09'},${o.vaccine ?? 'Comirnaty'},${o.dose ?? 2},2,${o.date ?? '2021-07-01'},,,${o.maker ?? ''}`
const pcr = (id: string, gn = 'Thị Mai') =>
  `${id},t,Trần,${gn},1985-03-09,,,,2021-08-01T08:00:00Z,PCR,negative,`

/** Issues `text` (a CSV file's) into the ledger with --rejects, as a site's next run. */
const run = (ledger: Ledger, rejects: string, text: string, extra: Partial<IssueOptions> = {}) =>
  issueFile(ledger, file('in.csv', text), { rejects, ...extra })

describe('fault 1: a carried row leaves only for its own event, not another event of its holder under its id', () => {
  it("dose 2 rejected for its vaccine: the same person's PCR test, dose 1 or another date under id 7 leave it carried; the fixed dose clears it", async () => {
    for (const other of [
      pcr('7'),
      vaccination('7', { dose: 1, date: '2021-06-01' }),
      vaccination('7', { date: '2021-07-15' }),
    ]) {
      const { ledger, rejects } = fresh()
      expect(
        (await run(ledger, rejects, rows(HEADER, vaccination('7', { vaccine: 'Nopevax' })))).report.rejected,
      ).toBe(1)
      const later = await run(ledger, rejects, rows(HEADER, other))
      expect(later.report.issued).toBe(1)
      expect(later.report.warnings.join('\n')).toMatch(/1 record of the rejects file it replaces/)
      expect(lines(rejects)).toEqual([expect.stringContaining('Nopevax,2,2,2021-07-01')])
      // the row fixed (another product: the reason named the vaccine), under an id of its own now
      // that 7 is taken: issued, and the file removed
      const fixed = await run(ledger, rejects, rows(HEADER, vaccination('7b', { vaccine: 'Spikevax' })))
      expect(fixed.report.issued).toBe(1)
      expect(existsSync(rejects)).toBe(false)
      ledger.close()
    }
  })

  it("a dob-rejected row stays when a namesake's other vaccination is issued under its id; its fix clears it", async () => {
    const { ledger, rejects } = fresh()
    await run(ledger, rejects, rows(HEADER, vaccination('7', { dob: '2035-03-09' })))
    const namesake = await run(
      ledger,
      rejects,
      rows(HEADER, vaccination('7', { dob: '1990-01-01', date: '2021-09-01' })),
    )
    expect(namesake.report.issued).toBe(1)
    expect(lines(rejects)).toEqual([expect.stringContaining('2035-03-09')])
    await run(ledger, rejects, rows(HEADER, vaccination('7b', { dob: '1985-03-09' })))
    expect(existsSync(rejects)).toBe(false)
    ledger.close()
  })

  it('ICVP: another product or date of the holder under its id leaves the row carried', async () => {
    const header = 'id,name,dob,sex,nationality,product,date,batch,clinician,issuer'
    const icvp = (id: string, product: string, date: string, dob = '1985-03-09') =>
      `${id},Trần Thị Mai,${dob},F,VN,${product},${date},L1,Dr Lan,Pasteur`
    for (const other of [icvp('7', 'IMOVAX POLIO', '2021-06-01'), icvp('7', 'STAMARIL', '2021-08-01')]) {
      const { ledger, rejects } = fresh()
      const first = await run(
        ledger,
        rejects,
        rows(header, icvp('7', 'STAMARIL', '2021-06-01', '2035-01-01')),
        {
          kind: 'icvp',
        },
      )
      expect(first.report.rejected).toBe(1)
      const later = await run(ledger, rejects, rows(header, other), { kind: 'icvp' })
      expect(later.report.issued).toBe(1)
      expect(lines(rejects)).toEqual([expect.stringContaining('2035-01-01')])
      ledger.close()
    }
  })
})

describe('fault 2: a row fixed and resent under a new id is cleared, and never issued twice', () => {
  it('an id reused for different content, resent as 2b: the row leaves; resending the rejects file issues nothing more', async () => {
    const { ledger, rejects } = fresh()
    const first = await run(
      ledger,
      rejects,
      rows(HEADER, vaccination('2', { gn: 'An' }), vaccination('2', { gn: 'Bình' })),
    )
    expect(first.report.rejections.map((r) => r.field)).toEqual(['id'])
    const fixed = await run(ledger, rejects, rows(HEADER, vaccination('2b', { gn: 'Bình' })))
    expect(fixed.report.issued).toBe(1)
    expect(existsSync(rejects)).toBe(false)
    ledger.close()
  })

  it('a row rejected for its vaccine or its date, fixed and resent as 2b: it leaves, in this run or a later one', async () => {
    for (const [bad, good] of [
      [{ vaccine: 'Nopevax' }, { vaccine: 'Comirnaty' }],
      [{ date: '2021-07-32' }, { date: '2021-07-03' }],
      [{ dob: '2035-03-09' }, { dob: '1985-03-09' }],
      // a date of birth after the vaccination: the site fixes the date instead
      [
        { dob: '2021-07-05', date: '2021-07-01' },
        { dob: '2021-07-05', date: '2021-07-09' },
      ],
      // a manufacturer that is not the vaccine's maker: the site fixes the vaccine
      [
        { vaccine: 'Comirnaty', maker: 'ORG-100031184' },
        { vaccine: 'Spikevax', maker: 'ORG-100031184' },
      ],
    ] as const) {
      const { ledger, rejects } = fresh()
      await run(
        ledger,
        rejects,
        rows(HEADER, vaccination('2', bad), vaccination('3', { gn: 'Lan', vaccine: 'Nopevax' })),
      )
      const fixed = await run(ledger, rejects, rows(HEADER, vaccination('2b', good)))
      expect(fixed.report.issued).toBe(1)
      expect(lines(rejects)).toEqual([expect.stringMatching(/^3,/)])
      ledger.close()
    }
    // issued by a run without --rejects: the next run at the rejects file finds it (issued since)
    const { ledger, rejects } = fresh()
    await run(
      ledger,
      rejects,
      rows(
        HEADER,
        vaccination('2', { vaccine: 'Nopevax' }),
        vaccination('3', { gn: 'Lan', vaccine: 'Nopevax' }),
      ),
    )
    const later = new Date(Date.now() + 5000)
    await issueFile(ledger, file('fix.csv', rows(HEADER, vaccination('2b'))), { now: later })
    const resent = await run(ledger, rejects, rows(HEADER, vaccination('4', { gn: 'Hoa' })), { now: later })
    expect(resent.report.issued).toBe(1)
    expect(lines(rejects)).toEqual([expect.stringMatching(/^3,/)])
    ledger.close()
  })
})

describe('fault 3: a row whose id was rejected is in the rejects file once, however often it is resent', () => {
  const resend = async (input: string, ext: string): Promise<number[]> => {
    const { ledger, rejects } = fresh(ext)
    const original = file(`in.${ext}`, input)
    await issueFile(ledger, original, { rejects })
    const counts = [readFileSync(rejects, 'utf8').trim().split('\n').length]
    for (let i = 0; i < 2; i++) {
      const copy = join(file.folder, `${++n}-re.${ext}`)
      copyFileSync(rejects, copy)
      await issueFile(ledger, copy, { rejects })
      counts.push(readFileSync(rejects, 'utf8').trim().split('\n').length)
    }
    await issueFile(ledger, original, { rejects })
    counts.push(readFileSync(rejects, 'utf8').trim().split('\n').length)
    ledger.close()
    return counts
  }

  it('CSV: an id a spreadsheet wrote as 1.23457E+11, one over 128 characters, one with a tab', async () => {
    const csv = rows(
      HEADER,
      vaccination('1.23457E+11', { gn: letters(0) }),
      vaccination('x'.repeat(129), { gn: letters(1) }),
      vaccination('"4\t5"', { gn: letters(2) }),
    )
    expect(await resend(csv, 'csv')).toEqual([4, 4, 4, 4])
  })

  it('JSON Lines and JSON: ids 1.5, true, {}, a very big integer', async () => {
    const record = (id: string, gn: string): string =>
      `{"id":${id},"type":"v","fn":"Trần","gn":"${gn}","dob":"1985-03-09","vaccine":"Comirnaty","dose":1,"doses":2,"date":"2021-06-01"}`
    const ids = ['1.5', 'true', '{}', '123456789012345678901234567890']
    const jsonl = ids.map((id, i) => record(id, letters(i))).join('\n')
    expect(await resend(`${jsonl}\n`, 'jsonl')).toEqual([4, 4, 4, 4])
    const json = `[${ids.map((id, i) => record(id, letters(i))).join(',\n')}]`
    expect(await resend(json, 'json')).toEqual([6, 6, 6, 6])
  })
})

describe('fault 1, a line that did not parse: matched by the holder and event its text shows, not by its id alone', () => {
  const line = (id: string, gn: string, close = '}') =>
    `{"id":"${id}","type":"v","fn":"Trần","gn":"${gn}","dob":"1985-03-09","vaccine":"Comirnaty","dose":1,"doses":2,"date":"2021-06-01"${close}`

  it("another person's record under its id leaves the broken line carried; the line fixed and resent (as 7b) clears it", async () => {
    const { ledger, rejects } = fresh('jsonl')
    const jsonl = (...records: string[]) =>
      issueFile(ledger, file('in.jsonl', `${records.join('\n')}\n`), { rejects })
    expect((await jsonl(line('7', 'Thị Mai', ''))).report.rejected).toBe(1)
    const other = await jsonl(line('7', 'Văn Hùng'))
    expect(other.report.issued).toBe(1)
    expect(readFileSync(rejects, 'utf8')).toContain('Thị Mai')
    // another person's broken line under the id is no fix of it either
    await jsonl(line('7', 'Văn Nam', ''))
    expect(readFileSync(rejects, 'utf8')).toContain('Thị Mai')
    const fixed = await jsonl(line('7b', 'Thị Mai'))
    expect(fixed.report.issued).toBe(1)
    expect(readFileSync(rejects, 'utf8')).not.toContain('Thị Mai')
    expect(readFileSync(rejects, 'utf8')).toContain('Văn Nam')
    ledger.close()
  })
})

describe('fault 2 on each ledger engine: the fix issued by a run without --rejects', () => {
  for (const engine of ENGINES)
    it(`${engine.name}: the next run at the rejects file finds it among the certificates issued since`, async () => {
      const ledger = engine.open(engine.spec(file.folder, 'since'))
      const rejects = join(file.folder, `since-${engine.name}.csv`)
      const input = (text: string) => file('in.csv', text)
      await issueFile(ledger, input(rows(HEADER, vaccination('2', { dob: '2035-03-09' }))), { rejects })
      const later = new Date(Date.now() + 5000)
      await issueFile(ledger, input(rows(HEADER, vaccination('2b'))), { now: later })
      await issueFile(ledger, input(rows(HEADER, vaccination('4', { gn: 'Hoa' }))), { rejects, now: later })
      expect(existsSync(rejects)).toBe(false)
      ledger.close()
    })
})

describe("fault 1, a resent row broken anew: it replaces its earlier row only when it shows that row's event", () => {
  it("the same person's dose 1 under the id, broken (more cells than the header), leaves the dose 2 row carried", async () => {
    const header = 'id,type,fn,gn,dob,vaccine,dose,doses,date'
    const { ledger, rejects } = fresh()
    const first = rows(header, '5,v,Binh,An,2035-01-01,Comirnaty,2,2,2021-07-01')
    expect((await run(ledger, rejects, first)).report.rejected).toBe(1)
    const dose1 = '5,v,Binh,An,1990-01-01,Comirnaty,x,1,2,2021-06-01'
    const again = await run(ledger, rejects, rows(header, dose1))
    expect(again.report.rejections.map((r) => r.reason)).toEqual(['has 10 fields; the header has 9'])
    expect(lines(rejects).map((l) => l.split(',').slice(0, 7).join(','))).toEqual([
      '5,v,Binh,An,1990-01-01,Comirnaty,x',
      '5,v,Binh,An,2035-01-01,Comirnaty,2',
    ])
    ledger.close()
  })
})

describe('fixI: a line that did not parse is matched by the event and the holder its text shows', () => {
  /** the lines a rejects file (JSON Lines) holds, as the text each was typed */
  const jsonLines = (path: string): string[] =>
    existsSync(path)
      ? readFileSync(path, 'utf8')
          .trim()
          .split('\n')
          .map((l) => (JSON.parse(l) as { unparsed?: string }).unparsed ?? l)
      : []
  const jsonlRun = (ledger: Ledger, rejects: string, ...records: string[]) =>
    issueFile(ledger, file('in.jsonl', `${records.join('\n')}\n`), { rejects })

  it("a dose-2 line with an unquoted type stays carried when the same person's PCR test is issued under its id", async () => {
    const { ledger, rejects } = fresh('jsonl')
    const broken =
      '{"id":"82","type":v,"fn":"Lê","gn":"Tam","dob":"1990-01-01","vaccine":"Comirnaty","dose":2,"doses":2,"date":"2021-07-01","country":"VN"}'
    expect((await jsonlRun(ledger, rejects, broken)).report.rejected).toBe(1)
    const test =
      '{"id":"82","type":"t","fn":"Lê","gn":"Tam","dob":"1990-01-01","date":"2021-06-05T08:00:00Z","test_type":"PCR","result":"negative","centre":"BV","country":"VN"}'
    expect((await jsonlRun(ledger, rejects, test)).report.issued).toBe(1)
    expect(jsonLines(rejects)).toEqual([expect.stringContaining('"type":v')])
    // the line fixed, under an id of its own: it leaves
    const fixed = broken.replace('"82","type":v', '"82b","type":"v"')
    expect((await jsonlRun(ledger, rejects, fixed)).report.issued).toBe(1)
    expect(existsSync(rejects)).toBe(false)
    ledger.close()
  })

  it("a line cut off early stays carried when another person's record (or another type) is issued under its id", async () => {
    const { ledger, rejects } = fresh('jsonl')
    expect((await jsonlRun(ledger, rejects, '{"id":"79","type":"v","fn":"L')).report.rejected).toBe(1)
    const other = (type: string, fn: string) =>
      type === 'v'
        ? `{"id":"79","type":"v","fn":"${fn}","gn":"An","dob":"1980-01-01","vaccine":"Comirnaty","dose":1,"doses":2,"date":"2021-06-01"}`
        : `{"id":"79","type":"t","fn":"${fn}","gn":"An","dob":"1980-01-01","date":"2021-06-05T08:00:00Z","test_type":"PCR","result":"negative","centre":"BV"}`
    expect((await jsonlRun(ledger, rejects, other('v', 'Nguyễn'))).report.issued).toBe(1)
    expect(jsonLines(rejects)).toEqual([expect.stringContaining('"fn":"L')])
    ledger.close()
    const second = fresh('jsonl')
    await jsonlRun(second.ledger, second.rejects, '{"id":"79","type":"v","fn":"L')
    expect((await jsonlRun(second.ledger, second.rejects, other('t', 'Lý'))).report.issued).toBe(1)
    expect(jsonLines(second.rejects)).toEqual([expect.stringContaining('"fn":"L')])
    // a record the text does not contradict (a vaccination of an L… name) is still its record
    second.ledger.close()
    const third = fresh('jsonl')
    await jsonlRun(third.ledger, third.rejects, '{"id":"79","type":"v","fn":"L')
    expect((await jsonlRun(third.ledger, third.rejects, other('v', 'Lý'))).report.issued).toBe(1)
    expect(existsSync(third.rejects)).toBe(false)
    third.ledger.close()
  })
})

describe('fixI: a fixed date of birth is close to the rejected one', () => {
  it('a namesake born 1975-08-08 leaves a row rejected for dob 1990-02-30 carried; 1990-02-20 clears it', async () => {
    const { ledger, rejects } = fresh()
    expect(
      (await run(ledger, rejects, rows(HEADER, vaccination('9', { dob: '1990-02-30' })))).report.rejected,
    ).toBe(1)
    const namesake = await run(ledger, rejects, rows(HEADER, vaccination('10', { dob: '1975-08-08' })))
    expect(namesake.report.issued).toBe(1)
    expect(lines(rejects)).toEqual([expect.stringContaining('1990-02-30')])
    await run(ledger, rejects, rows(HEADER, vaccination('9b', { dob: '1990-02-20', gn: 'Thị Mai' })))
    expect(existsSync(rejects)).toBe(false)
    ledger.close()
  })

  it('the typo kinds a fixed date of birth may differ by', async () => {
    const { fixedDob } = await import('../../src/issue/rejected-holder.js')
    expect(fixedDob('1990-02-30', '1990-02-28')).toBe(true) // same year-month
    expect(fixedDob('1990-13-05', '1990-03-05')).toBe(true) // one digit
    expect(fixedDob('1909-01-05', '1990-01-05')).toBe(true) // two neighbours swapped
    expect(fixedDob('1990-25-03', '1990-03-25')).toBe(true) // day and month swapped
    expect(fixedDob('2035-03-09', '1985-03-09')).toBe(true) // the year mistyped
    expect(fixedDob('unknown', '1975-08-08')).toBe(true) // no date at all
    expect(fixedDob('1990-02-30', '1975-08-08')).toBe(false)
    expect(fixedDob('1990-02-30', '1990-08-08')).toBe(false)
  })
})

describe('fixN: a rejected date of birth that stands for a date is fixed by that date', () => {
  it('dob 33000 (a spreadsheet date number) fixed as 1990-05-07, the date it stands for, clears the row', async () => {
    const { ledger, rejects } = fresh()
    expect(
      (await run(ledger, rejects, rows(HEADER, vaccination('b6', { dob: '33000' })))).report.rejected,
    ).toBe(1)
    // a namesake born another year does not clear it
    await run(ledger, rejects, rows(HEADER, vaccination('b7', { dob: '1975-08-08' })))
    expect(lines(rejects)).toEqual([expect.stringContaining('33000')])
    const fixed = await run(ledger, rejects, rows(HEADER, vaccination('b6', { dob: '1990-05-07' })))
    expect(fixed.report.issued).toBe(1)
    expect(existsSync(rejects)).toBe(false)
    ledger.close()
  })

  it('the forms a rejected date of birth may stand for a date in, and a typo in that date', async () => {
    const { fixedDob } = await import('../../src/issue/rejected-holder.js')
    expect(fixedDob('33000', '1990-05-07')).toBe(true) // spreadsheet date number
    expect(fixedDob('33000.5', '1990-05-07')).toBe(true) // with a time fraction
    expect(fixedDob('33000', '1990-05-08')).toBe(true) // the date it stands for, with a typo
    expect(fixedDob('33000', '1975-08-08')).toBe(false)
    expect(fixedDob('19900507', '1990-05-07')).toBe(true) // compact
    expect(fixedDob('7/5/1990', '1990-05-07')).toBe(true) // day-month
    expect(fixedDob('5/7/1990', '1990-05-07')).toBe(true) // month-day
    expect(fixedDob('07.05.90', '1990-05-07')).toBe(true) // two-digit year
    expect(fixedDob('7/5/1990', '1975-08-08')).toBe(false)
    expect(fixedDob('44000', '1990-05-07')).toBe(false) // another date number
  })
})
