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

const TEST_RECORD = (changes: Record<string, unknown> = {}): Record<string, unknown> => ({
  type: 't',
  fn: 'Pham',
  gn: 'Thi Lan',
  dob: '1985-03-09',
  date: '2021-06-01T08:00:00Z',
  test_type: 'PCR',
  result: 'negative',
  centre: 'BV Bach Mai',
  ...changes,
})
const jsonl = (records: Array<Record<string, unknown>>): string =>
  file('in.jsonl', `${records.map((r) => JSON.stringify(r)).join('\n')}\n`)

describe('a COVID-19 event dated before the disease', () => {
  it('a vaccination, test or first positive test before 2019-12-01 is rejected, naming the field and the rule, never the value', async () => {
    const ledger = new Ledger(':memory:')
    const { report } = await issueFile(
      ledger,
      jsonl([
        flatVaccination({ id: 'D1', date: '1900-06-01' }),
        TEST_RECORD({ id: 'D2', date: '2019-11-30T22:00:00Z' }),
        { id: 'D3', type: 'r', fn: 'Vo', gn: 'Dung', dob: '1970-01-01', date: '2012-01-05' },
        // the first day allowed, and a sample time on it at an offset, are signed
        flatVaccination({ id: 'D4', gn: 'Binh', date: '2019-12-01' }),
        TEST_RECORD({ id: 'D5', gn: 'Mai', date: '2019-12-01T06:00:00+05:00' }),
      ]),
    )
    expect(report.rejections.map((r) => [r.index, r.field, r.reason])).toEqual([
      [
        1,
        'date',
        expect.stringMatching(/^is before 2019-12-01: a COVID-19 vaccination cannot be dated before/),
      ],
      [2, 'date', expect.stringMatching(/^is before 2019-12-01: a COVID-19 test cannot/)],
      [3, 'date', expect.stringMatching(/^is before 2019-12-01: a COVID-19 first positive test cannot/)],
    ])
    expect(JSON.stringify(report.rejections)).not.toMatch(/1900|2019-11-30|2012/)
    expect(report.issued).toBe(2)
    ledger.close()
  })
})

describe('a payload names the fields the site typed', () => {
  it("a test payload's bad sample time is t/sc, a vaccination's date v/dt, a name nam/gn", async () => {
    const ledger = new Ledger(':memory:')
    const test = {
      nam: { fn: 'Pham', gn: 'Lan' },
      dob: '1985-03-09',
      t: [{ tt: 'LP6464-4', sc: '2021-06-01 08:00', tr: '260415000', tc: 'BV' }],
    }
    const vaccination = {
      nam: { fn: 'Pham', gn: 'L4n' },
      dob: '1985-03-09',
      v: [{ mp: 'EU/1/20/1528', dn: 1, sd: 2, dt: '1900-01-01' }],
    }
    const { report } = await issueFile(ledger, jsonl([test, vaccination]))
    expect(report.rejections.map((r) => [r.index, r.field])).toEqual([
      [1, 't/sc'],
      [2, 'nam/gn'],
      [2, 'v/dt'],
    ])
    ledger.close()
  })
})

describe('a standardised name given with < out of place (ICAO 9303)', () => {
  it('LE<<X, <LE and LE< are rejected in words; VAN<ANH is signed', async () => {
    const ledger = new Ledger(':memory:')
    const { report } = await issueFile(
      ledger,
      jsonl([
        flatVaccination({ id: 'N1', fnt: 'LE<<X' }),
        flatVaccination({ id: 'N2', gnt: '<AN' }),
        flatVaccination({ id: 'N3', fnt: 'LE<' }),
        flatVaccination({ id: 'N4', fn: 'Le', gn: 'Van Anh', gnt: 'VAN<ANH' }),
      ]),
    )
    expect(report.rejections.map((r) => [r.index, r.field, r.reason])).toEqual([
      [1, 'fnt', expect.stringMatching(/^has a < at its start or end, or two < together: .*leave fnt empty/)],
      [2, 'gnt', expect.stringMatching(/^has a < at its start or end, or two < together: .*leave gnt empty/)],
      [3, 'fnt', expect.stringMatching(/^has a < at its start or end/)],
    ])
    expect(report.issued).toBe(1)
    ledger.close()
  })
})

describe('the same test sample at another UTC offset', () => {
  it('is the same holder and event: issued under another id with the sameHolderEvent warning', async () => {
    const ledger = new Ledger(':memory:')
    await issueFile(ledger, jsonl([TEST_RECORD({ id: 'S1', date: '2021-06-01T08:00:00Z' })]))
    const { report } = await issueFile(
      ledger,
      jsonl([TEST_RECORD({ id: 'S2', date: '2021-06-01T10:00:00+02:00' })]),
    )
    expect(report).toMatchObject({ issued: 1, sameHolderEvent: 1 })
    // another instant is another sample
    const other = await issueFile(ledger, jsonl([TEST_RECORD({ id: 'S3', date: '2021-06-01T10:00:00Z' })]))
    expect(other.report).toMatchObject({ issued: 1, sameHolderEvent: 0 })
    ledger.close()
  })
})

describe('a file plainly not in the format it is read as', () => {
  const rows = `${CSV_HEADER}\nF1,v,Nguyen,Van An,1980-01-01,Comirnaty,1,2,2021-06-01\n`
  const lines = `${JSON.stringify(flatVaccination({ id: 'F2' }))}\n`
  it('is one ERR_INPUT naming the format it looks like, not a rejection per row', async () => {
    for (const [name, text, format, looks] of [
      ['rows.txt', rows, 'jsonl', /does not look like JSON Lines, .*it looks like CSV: give --format csv/],
      ['rows.jsonl', `\n\n${rows}`, undefined, /does not look like JSON Lines, .*looks like CSV/],
      [
        'rows.json',
        rows,
        undefined,
        /does not look like JSON, .*starts with neither \[ nor \{; it looks like CSV/,
      ],
      [
        'lines.csv',
        lines,
        undefined,
        /does not look like CSV, .*it looks like JSON Lines: give --format jsonl/,
      ],
      [
        'array.csv',
        JSON.stringify([flatVaccination()]),
        undefined,
        /does not look like CSV, .*looks like JSON:/,
      ],
      [
        'array.jsonl',
        JSON.stringify([flatVaccination()]),
        undefined,
        /does not look like JSON Lines, .*looks like JSON:/,
      ],
    ] as const) {
      const ledger = new Ledger(':memory:')
      const source = file(name, text)
      const run = issueFile(ledger, source, format ? { format } : {})
      await expect(run).rejects.toMatchObject({ code: 'ERR_INPUT', message: expect.stringMatching(looks) })
      await expect(run).rejects.not.toMatchObject({ message: expect.stringMatching(/Nguyen|Le|1980/) })
      ledger.close()
    }
  })

  it('a JSON Lines file whose first line is a broken object is still read line by line', async () => {
    const ledger = new Ledger(':memory:')
    const { report } = await issueFile(ledger, file('broken.jsonl', `{"id": "B1", "type"\n${lines}`))
    expect(report).toMatchObject({ records: 2, issued: 1, rejected: 1 })
    ledger.close()
  })
})
