/**
 * Input faults a tester found in the merged product (b1 findings 4, 5, 10, 12, 15): reasons that
 * quoted an id, a CSV quote closed mid-cell that was signed, JSON keys given twice resolved to
 * their last value, a non-UTF-8 file without its line, and reasons that pointed the wrong way.
 */
import { join } from 'node:path'
import Database from 'better-sqlite3'
import { describe, expect, it } from 'vitest'
import { readRecords, type InputRecord } from '../../src/issue/read-records.js'
import { Ledger } from '../../src/ledger/ledger.js'
import { type IssueOptions } from '../../src/services/issue.js'
import { statsOf } from '../../src/services/stats.js'
import { fileMaker, ISSUE_NOW, issueFile } from '../helpers/issue.js'
import { vaccinationEntry } from '../helpers/records.js'

const NOW = ISSUE_NOW
const file = fileMaker('hcert-tester-input-')
const tmp = file.folder

async function read(name: string, content: string | Uint8Array): Promise<InputRecord[]> {
  const out: InputRecord[] = []
  for await (const r of readRecords(file(name, content))) out.push(r)
  return out
}

const issue = async (ledger: Ledger, source: string, extra: Partial<IssueOptions> = {}) =>
  (await issueFile(ledger, source, extra)).report

const HEADER = 'id,type,fn,gn,dob,vaccine,dose,doses,date\n'

describe('finding 10: reasons never quote the id (a national ID or passport number)', () => {
  it('in the report, the ledger rejections and stats, for an id reused within the input and across runs, and for a UVCI given twice', async () => {
    const path = join(tmp, 'ids.sqlite')
    const ledger = new Ledger(path)
    const first = file(
      'a.csv',
      HEADER +
        'P1234567,v,Tran,An,1980-01-01,Comirnaty,1,2,2021-06-01\n' +
        'P1234567,v,Le,Binh,1990-01-01,Comirnaty,1,2,2021-06-01\n',
    )
    const a = await issue(ledger, first)
    expect(a).toMatchObject({ issued: 1, rejected: 1 })
    expect(a.rejections[0]).toMatchObject({
      field: 'id',
      reason: expect.stringMatching(/^the id \(column id\) is reused/),
    })
    const second = file('b.csv', HEADER + 'P1234567,v,Pham,Chi,1970-01-01,Comirnaty,1,2,2021-06-01\n')
    const b = await issue(ledger, second)
    // another holder (every name and the date of birth differ): the other-person reason, no id quoted either
    expect(b.rejections[0]).toMatchObject({
      field: 'id',
      reason: expect.stringMatching(/^the id \(column id\) seems to belong to another person/),
    })
    const uvci = 'URN:UVCI:01:VN:SECRET123'
    const nested = (id: string, fn: string, ci: string): string =>
      JSON.stringify({
        id,
        ver: '1.3.0',
        nam: { fn, gn: 'Dung', fnt: fn.toUpperCase(), gnt: 'DUNG' },
        dob: '1985-01-01',
        v: [vaccinationEntry({ ci })],
      }) + '\n'
    expect(await issue(ledger, file('c.jsonl', nested('U1', 'Vo', uvci)))).toMatchObject({ issued: 1 })
    const d = await issue(ledger, file('d.jsonl', nested('U2', 'Do', uvci.toLowerCase())))
    // a payload record's reason names its payload field, and its advice is one it accepts (an
    // empty ci is refused: "leave ci out")
    expect(d.rejections[0]).toMatchObject({
      field: 'v/ci',
      reason: expect.stringMatching(
        /^the UVCI \(ci\) is already used.*; leave ci out so that hcert assigns one/,
      ),
    })
    // following the advice: ci left out, hcert assigns one
    const e = await issue(ledger, file('e.jsonl', nested('U2', 'Do', undefined as unknown as string)))
    expect(e).toMatchObject({ issued: 1, rejected: 0 })
    const stats = statsOf(ledger, { now: NOW, by: 'month', soon: 86400 })
    ledger.close()
    const db = new Database(path, { readonly: true })
    const reasons = db.prepare('SELECT reason FROM rejections').all() as Array<{ reason: string }>
    db.close()
    expect(reasons).toHaveLength(3)
    const said = JSON.stringify([a.rejections, b.rejections, d.rejections, reasons, stats.topRejections])
    for (const secret of ['P1234567', 'SECRET123', 'secret123']) expect(said).not.toContain(secret)
    // the id stays the site's own reference, as its own field of the rejection
    expect(a.rejections[0]).toMatchObject({ index: 2, line: 3 })
  })
})

describe('finding 4: a CSV quote closed in the middle of a cell is the row rejection, never a guessed cell', () => {
  it('on one line, whatever follows the closing quote', async () => {
    const records = await read(
      'q.csv',
      HEADER +
        'Q1,v,"Tr""an"x"y",An,1980-01-01,Comirnaty,1,2,2021-06-01\n' +
        'Q2,v,"Tran"x,An,1980-01-01,Comirnaty,1,2,2021-06-01\n' +
        'Q3,v,"Tr""an",An,1980-01-01,Comirnaty,1,2,2021-06-01\n',
    )
    expect(records.map((r) => [r.line, r.errorField, r.error === undefined])).toEqual([
      [2, 'fn', false],
      [3, 'fn', false],
      [4, undefined, true],
    ])
    expect(records[0]?.error).toMatch(/text after its closing quote/)
    expect(records[2]?.raw.fn).toBe('Tr"an')
    for (const r of records) expect(r.error ?? '').not.toMatch(/anx|"y"/)
  })
  it('when the closing quote ends one chunk and the text after it starts the next', async () => {
    // the file is read in chunks of 256 KiB: filler rows (each under the row limit) put the
    // closing quote of Q1's fn on the first chunk's last byte
    const tail = ',v,A,B,1980-01-01,Comirnaty,1,2,2021-06-01\n'
    const filler = (length: number): string => 'F'.repeat(length - tail.length) + tail
    const before = 256 * 1024 - 1 - HEADER.length - 'Q1,v,"Tran'.length
    const rows = [filler(50_000), filler(50_000), filler(50_000), filler(50_000), filler(50_000)]
    rows.push(filler(before - rows.join('').length))
    const content = HEADER + rows.join('') + 'Q1,v,"Tran"x,An,1980-01-01,Comirnaty,1,2,2021-06-01\n'
    expect(content[256 * 1024 - 1]).toBe('"')
    expect(content[256 * 1024 - 2]).toBe('n')
    const path = file('q2.csv', content)
    const out: InputRecord[] = []
    for await (const r of readRecords(path)) out.push(r)
    expect(out.map((r) => r.errorField)).toEqual([...rows.map(() => undefined), 'fn'])
  })
})

describe('finding 5: a JSON key given twice rejects the record (key named, position, never the values)', () => {
  it('JSON Lines', async () => {
    const records = await read(
      'dup.jsonl',
      '{"id":"R1","id":"R2","type":"v","fn":"A","gn":"B","dob":"1980-01-01","dob":"1990-02-02"}\n' +
        '{"id":"R3","type":"v","fn":"A","gn":"B","dob":"1980-01-01"}\n' +
        '{"type":"v","nam":{"fn":"A","fn":"C"},"Nguyen":1,"Nguyen":2}\n',
    )
    expect(records[0]).toMatchObject({ line: 1, errorField: 'id', raw: {} })
    expect(records[0]?.error).toMatch(/^gives the key id twice \(the second at column 12\); keep one/)
    expect(records[1]?.error).toBeUndefined()
    expect(records[2]).toMatchObject({ errorField: 'fn' })
    const said = JSON.stringify(records.map((r) => r.error))
    for (const v of ['R1', 'R2', '1980', '1990', 'Nguyen']) expect(said).not.toContain(v)
  })
  it('a JSON array: the element with the duplicate only, at its line', async () => {
    const records = await read(
      'dup.json',
      '[\n{"id":"R1","type":"v"},\n{"id":"R2",\n "Nguyen":1, "Nguyen":2}\n]\n',
    )
    expect(records[0]?.error).toBeUndefined()
    expect(records[1]).toMatchObject({ index: 2, element: 1, errorField: 'record' })
    expect(records[1]?.error).toBe(
      'gives the key <key 3> twice (the second at line 4, column 14); keep one, so that it is clear which value counts',
    )
  })
  it('issue rejects it instead of signing the last values', async () => {
    const ledger = new Ledger(join(tmp, 'dup.sqlite'))
    const report = await issue(
      ledger,
      file(
        'dup2.jsonl',
        '{"id":"R1","id":"R2","type":"v","fn":"Tran","gn":"An","dob":"1980-01-01","dob":"1990-02-02","vaccine":"Comirnaty","dose":1,"doses":2,"date":"2021-06-01"}\n',
      ),
    )
    ledger.close()
    expect(report).toMatchObject({ issued: 0, rejected: 1 })
    expect(report.rejections[0]?.field).toBe('id')
  })
})

describe('finding 12: a file that is not UTF-8 names its line and says how to save it', () => {
  it('a Latin-1 CSV', async () => {
    const text =
      HEADER +
      'A1,v,Tran,An,1980-01-01,Comirnaty,1,2,2021-06-01\nA2,v,M\xfcller,Jo,1980-01-01,Comirnaty,1,2,2021-06-01\n'
    await expect(read('latin1.csv', Buffer.from(text, 'latin1'))).rejects.toThrow(
      /^input: line 3 is not UTF-8 text .*save it as "CSV UTF-8 \(Comma delimited\)"/,
    )
  })
  it('in a later chunk, and a sequence cut off at the end of the file', async () => {
    const good = 'A1,v,Tran,An,1980-01-01,Comirnaty,1,2,2021-06-01\n'
    const lines = Math.ceil((300 * 1024) / good.length)
    const big = Buffer.concat([
      Buffer.from(HEADER + good.repeat(lines)),
      Buffer.from('A2,v,Nguy\xean,An,1980-01-01,Comirnaty,1,2,2021-06-01\n', 'latin1'),
    ])
    await expect(read('late.csv', big)).rejects.toThrow(new RegExp(`^input: line ${lines + 2} is not UTF-8`))
    await expect(
      read('cut.csv', Buffer.concat([Buffer.from(HEADER + good + 'x'), Buffer.from([0xe1, 0xba])])),
    ).rejects.toThrow(/^input: line 3 is not UTF-8/)
  })
})

describe('finding 15: one reason that points the right way', () => {
  const entry = {
    tg: '840539006',
    vp: '1119349007',
    mp: 'EU/1/20/1528',
    ma: 'ORG-100030215',
    dn: 1,
    sd: 2,
    dt: '2021-06-01',
    co: 'VN',
    is: 'Ministry of Health',
  }
  const payload = { ver: '1.3.0', nam: { fn: 'Vo', gn: 'Dung' }, dob: '1985-01-01', v: [entry] }
  async function rejections(name: string, records: unknown[], extra: Partial<IssueOptions> = {}) {
    const ledger = new Ledger(join(tmp, `${name}.sqlite`))
    const report = await issue(
      ledger,
      file(`${name}.jsonl`, records.map((r) => JSON.stringify(r)).join('\n') + '\n'),
      extra,
    )
    ledger.close()
    return report.rejections.map((r) => [r.field, r.reason])
  }

  it('a vaccination payload with 2 entries: the entry count only, not the second entry fields', async () => {
    const got = await rejections('two', [{ ...payload, v: [entry, entry] }])
    expect(got).toEqual([['type', 'must hold at most 1 entry']])
  })
  it('nam given as text: the form nam takes', async () => {
    const got = await rejections('nam', [{ ...payload, nam: 'Vo' }])
    expect(got).toEqual([['nam', expect.stringMatching(/^nam must be an object with the names/)]])
  })
  it('a DCC payload among ICVP records given with --kind icvp: one reason saying it looks like a DCC', async () => {
    const icvp = {
      name: 'Vo Dung',
      dob: '1985-01-01',
      product: 'STAMARIL',
      date: '2021-06-01',
      batch: 'LOTA',
      issuer: 'MoH',
    }
    const got = await rejections('as-icvp', [icvp, payload, { id: 'x', nam: { fn: 'A' } }], { kind: 'icvp' })
    expect(got).toEqual([
      ['record', expect.stringMatching(/^looks like an EU DCC payload .* without --kind icvp/)],
      ['record', expect.stringMatching(/^looks like an EU DCC payload/)],
    ])
  })
  it('a file of DCC payloads given with --kind icvp is refused whole (issue-other-kind-file.test.ts)', async () => {
    await expect(rejections('all-dcc', [payload, payload], { kind: 'icvp' })).rejects.toMatchObject({
      code: 'ERR_USAGE',
      message: expect.stringMatching(/looks like an EU DCC file.*without --kind icvp/),
    })
  })
  it('an ICVP nationality of two letters no country has is not told it is a country name', async () => {
    const icvp = {
      name: 'Vo Dung',
      dob: '1985-01-01',
      nationality: 'ZZ',
      product: 'STAMARIL',
      date: '2021-06-01',
      batch: 'L1',
      issuer: 'Pasteur Institute',
    }
    const got = await rejections('ntl', [icvp, { ...icvp, nationality: 'Viet Nam' }], { kind: 'icvp' })
    expect(got).toEqual([
      ['nationality', expect.stringMatching(/^is no country: two letters ISO 3166 assigns to no country/)],
      ['nationality', expect.stringMatching(/\(not the country name\)$/)],
    ])
  })
})
