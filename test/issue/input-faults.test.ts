/**
 * Input faults found after issue 11's first round: records are never lost to one bad row, and the
 * messages say what is wrong with the file (read-records.ts, csv.ts).
 */
import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { readRecords, type InputRecord } from '../../src/issue/read-records.js'

const tmp = mkdtempSync(join(tmpdir(), 'hcert-input-faults-'))
let n = 0
async function read(name: string, content: string | Uint8Array): Promise<InputRecord[]> {
  const path = join(tmp, `${++n}-${name}`)
  writeFileSync(path, content)
  const out: InputRecord[] = []
  for await (const r of readRecords(path)) out.push(r)
  return out
}
const HEADER = 'type,fn,gn,dob,vaccine,dose,doses,date\n'
const row = (fn: string): string => `v,${fn},An,1980-01-01,Comirnaty,1,2,2021-06-01\n`

describe('an unclosed CSV quote is one rejection at its line; the records after it are read', () => {
  it('in the middle of the file', async () => {
    const records = await read(
      'q.csv',
      HEADER + row('A') + 'v,"Nguyen,An,1980-01-01,Comirnaty,1,2,2021-06-01\n' + row('C') + row('D'),
    )
    expect(records.map((r) => [r.index, r.line, r.errorField, r.error === undefined])).toEqual([
      [1, 2, undefined, true],
      [2, 3, 'fn', false],
      [3, 4, undefined, true],
      [4, 5, undefined, true],
    ])
    expect(records[1]?.error).toMatch(/quote .* never closed/)
    expect(records[1]?.error).not.toContain('Nguyen')
  })
  it('with a quote further down that would close it', async () => {
    const records = await read(
      'q2.csv',
      HEADER + 'v,"Nguyen,An,1980-01-01,Comirnaty,1,2,2021-06-01\n' + row('B') + row('"C"') + row('D'),
    )
    expect(records.map((r) => [r.line, r.error === undefined])).toEqual([
      [2, false],
      [3, true],
      [4, true],
      [5, true],
    ])
    expect(records[2]?.raw.fn).toBe('C')
  })
  it('on the last line, and past the length limit', async () => {
    const last = await read('q3.csv', HEADER + row('A') + 'v,"Nguyen,An')
    expect(last.map((r) => [r.line, r.errorField])).toEqual([
      [2, undefined],
      [3, 'fn'],
    ])
    const many = await read(
      'q4.csv',
      HEADER + 'v,"Nguyen,An,1980-01-01,Comirnaty,1,2,2021-06-01\n' + row('B').repeat(2000),
    )
    expect(many).toHaveLength(2001)
    expect(many.filter((r) => r.error)).toHaveLength(1)
  })
  it('a quoted cell over two lines that closes is still one record (RFC 4180)', async () => {
    const records = await read(
      'q5.csv',
      HEADER + 'v,"Ngu\nyen",An,1980-01-01,Comirnaty,1,2,2021-06-01\n' + row('B'),
    )
    expect(records.map((r) => [r.line, r.error])).toEqual([
      [2, undefined],
      [4, undefined],
    ])
    expect(records[0]?.raw.fn).toBe('Ngu\nyen')
  })
})

describe('a record past the length limit rejects that record only', () => {
  it('a 70,000-character CSV cell: field, line, "longer than"; the next records are read', async () => {
    const records = await read('long.csv', HEADER + row('A') + row('x'.repeat(70_000)) + row('C'))
    expect(records.map((r) => [r.line, r.errorField])).toEqual([
      [2, undefined],
      [3, 'fn'],
      [4, undefined],
    ])
    expect(records[1]?.error).toMatch(/longer than 65,536 characters/)
  })
  it('a 70,000-character JSON Lines line', async () => {
    const line = (fn: string): string => `${JSON.stringify({ type: 'v', fn })}\n`
    const records = await read('long.jsonl', line('A') + line('x'.repeat(70_000)) + line('C'))
    expect(records.map((r) => [r.line, r.error === undefined])).toEqual([
      [1, true],
      [2, false],
      [3, true],
    ])
    expect(records[1]?.error).toMatch(/longer than 65,536 characters/)
  })
})

describe('all-empty CSV rows are skipped like blank lines', () => {
  it('a row of commas is no record', async () => {
    const records = await read('commas.csv', HEADER + row('A') + ',,,,,,,\n' + ' , ,,,,,,\n' + row('B'))
    expect(records.map((r) => [r.index, r.line, r.error])).toEqual([
      [1, 2, undefined],
      [2, 5, undefined],
    ])
  })
})

describe('files in another shape than comma-separated UTF-8 say so', () => {
  it('tab-separated', async () => {
    await expect(
      read('tab.csv', HEADER.replaceAll(',', '\t') + row('A').replaceAll(',', '\t')),
    ).rejects.toThrow(/tab-separated.*use commas/)
  })
  it.each([
    [
      'UTF-16LE with a BOM',
      Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(HEADER + row('A'), 'utf16le')]),
    ],
    ['UTF-16LE without a BOM', Buffer.from(HEADER + row('A'), 'utf16le')],
    ['UTF-16BE with a BOM', Buffer.from(`\uFEFF${HEADER}${row('A')}`, 'utf16le').swap16()],
  ])('%s', async (_what, bytes) => {
    await expect(read('u16.csv', bytes)).rejects.toThrow(/UTF-16 .*save it as "CSV UTF-8/)
  })
})

describe('elements of a JSON array are told by element index', () => {
  it('one-line array: every element on line 1, element index 0-based', async () => {
    const records = await read('a.json', JSON.stringify([{ type: 'v' }, 3, { type: 'v' }]))
    expect(records.map((r) => [r.index, r.line, r.element])).toEqual([
      [1, 1, 0],
      [2, 1, 1],
      [3, 1, 2],
    ])
  })
  it('a pretty-printed array: the line each element starts on', async () => {
    const records = await read('b.json', JSON.stringify([{ type: 'v', fn: 'a,[{' }, { type: 'v' }], null, 2))
    expect(records.map((r) => [r.line, r.element])).toEqual([
      [2, 0],
      [6, 1],
    ])
  })
})

describe('spreadsheet habits (tester finding 5)', () => {
  it('semicolons and tabs are told Excel\'s right choice, "CSV UTF-8 (Comma delimited)"', async () => {
    await expect(
      read('semi.csv', HEADER.replaceAll(',', ';') + row('A').replaceAll(',', ';')),
    ).rejects.toThrow(/separated by semicolons; .*save the file as "CSV UTF-8 \(Comma delimited\)"/)
    await expect(
      read('tab2.csv', HEADER.replaceAll(',', '\t') + row('A').replaceAll(',', '\t')),
    ).rejects.toThrow(
      /tab-separated; .*use commas \(in Excel, save the file as "CSV UTF-8 \(Comma delimited\)"\)/,
    )
  })

  it("Excel's first line sep=, is its hint, not a header: skipped, lines counted as in the file", async () => {
    for (const hint of ['sep=,\n', 'SEP=,\r\n', '\uFEFFsep=,\n']) {
      const records = await read('sep.csv', hint + HEADER + row('A') + row('B'))
      expect(records.map((r) => [r.index, r.line, r.error, r.raw.fn])).toEqual([
        [1, 3, undefined, 'A'],
        [2, 4, undefined, 'B'],
      ])
    }
  })

  it('sep=; or sep=<tab> says the file is separated so, before any record', async () => {
    await expect(
      read('sep2.csv', 'sep=;\n' + HEADER.replaceAll(',', ';') + row('A').replaceAll(',', ';')),
    ).rejects.toThrow(
      /first line \(sep=\) says it is separated by semicolons; .*"CSV UTF-8 \(Comma delimited\)"/,
    )
    await expect(read('sep3.csv', 'sep=\t\n' + HEADER.replaceAll(',', '\t'))).rejects.toThrow(
      /separated by tabs/,
    )
  })

  it('a trailing empty header column (…,date,) takes rows with its cell empty or left out; a row short of a named column is still refused', async () => {
    const header = HEADER.replace('\n', ',\n')
    const records = await read(
      'trail.csv',
      header + row('A').replace('\n', ',\n') + row('B') + 'v,C,An,1980-01-01,Comirnaty,1,2\n',
    )
    expect(records.map((r) => [r.index, r.error, r.raw.fn])).toEqual([
      [1, undefined, 'A'],
      [2, undefined, 'B'],
      [3, 'has 7 fields; the header has 9', 'C'],
    ])
    // two unnamed columns: rows may leave out either or both
    const two = await read(
      'trail2.csv',
      HEADER.replace('\n', ',,\n') + row('A') + row('B').replace('\n', ',\n'),
    )
    expect(two.map((r) => r.error)).toEqual([undefined, undefined])
  })
})
