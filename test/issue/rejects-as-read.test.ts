/**
 * Issue 11, "the rejects file is safe to open and to resend" (tester findings 3, 4, 8): a rejects
 * row holds the record as it was read (a cell hcert refused to guess, a large number, a key given
 * twice, extra cells), so that resent unchanged it is refused again and fixed it issues what the
 * site typed; replacing a rejects file loses none of its records.
 */
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { Ledger } from '../../src/ledger/ledger.js'
import { issueFile } from '../helpers/issue.js'

const tmp = mkdtempSync(join(tmpdir(), 'hcert-rejects-as-read-'))
let n = 0

function file(name: string, content: string): string {
  const path = join(tmp, `${++n}-${name}`)
  writeFileSync(path, content)
  return path
}

const issue = issueFile

describe('finding 3: a rejects row is the record as it was read', () => {
  it('CSV: a quote closed mid-cell stays as typed (resent unchanged it is refused again, never issued as the guess); extra cells and empty-named columns are kept; a short row keeps its cells', async () => {
    const ledger = new Ledger(join(tmp, `${++n}.sqlite`))
    const input = file(
      'q.csv',
      'id,type,fn,gn,dob,vaccine,dose,doses,date,\n' +
        'Q1,v,"Tran"x,B,1980-05-17,Comirnaty,1,2,2021-06-01,\n' +
        'Q2,v,An,B,1980-05-17,Comirnaty,1,2,2021-06-01,note,x1,=x2\n' +
        'Q3,v,An,B\n',
    )
    const rejects = join(tmp, `${++n}-r.csv`)
    const first = await issue(ledger, input, { rejects })
    expect(first.report.rejected).toBe(3)
    const text = readFileSync(rejects, 'utf8')
    expect(text.split('\n')[0]).toBe('id,type,fn,gn,dob,vaccine,dose,doses,date,,reason')
    expect(text).toContain('\nQ1,v,"Tran"x,B,1980-05-17,Comirnaty,1,2,2021-06-01,,')
    expect(text).toMatch(
      /\nQ2,v,An,B,1980-05-17,Comirnaty,1,2,2021-06-01,note,[^\n]*has 12 fields[^\n]*,x1,'=x2\n/,
    )
    expect(text).toMatch(/\nQ3,v,An,B,,,,,,,[^\n]*has 4 fields/)
    // resent unchanged: nothing is issued, Q1 is refused again for its quote
    const resend = file('re.csv', text)
    const again = await issue(ledger, resend, { rejects: join(tmp, `${++n}-r2.csv`) })
    expect(again.report.issued).toBe(0)
    expect(again.report.rejections.find((r) => r.index === 1)?.field).toBe('fn')
  })

  it('CSV: a row with too few (or too many) cells, resent unchanged, is refused again for its count, never signed from shifted cells; with its reason emptied and fixed it issues', async () => {
    const ledger = new Ledger(join(tmp, `${++n}.sqlite`))
    const header = 'id,type,fn,gn,dob,vaccine,dose,doses,date,test_type,result,centre,country'
    const input = file(
      's.csv',
      `${header}\nt7,t,Ong,Bay,1990-01-01,,,,2021-07-01T08:00:00Z,PCR,negative,LA\n` +
        't8,t,Ong,Bay,1990-01-01,,,,2021-07-01T08:00:00Z,PCR,negative,C,x,LA\n',
    )
    const rejects = join(tmp, `${++n}-r.csv`)
    const first = await issue(ledger, input, { rejects })
    expect(first.report.rejected).toBe(2)
    const text = readFileSync(rejects, 'utf8')
    const again = await issue(ledger, file('s2.csv', text), { rejects })
    expect(again.report.issued).toBe(0)
    expect(again.certificates).toEqual([])
    expect(again.report.rejections.map((r) => r.reason)).toEqual([
      expect.stringMatching(/^has 12 fields; the header has 13 \(/),
      'has 15 fields; the header has 14',
    ])
    // resent unchanged once more: refused again, its reason as stable
    const third = await issue(ledger, file('s3.csv', readFileSync(rejects, 'utf8')), { rejects })
    expect(third.report.issued).toBe(0)
    expect(third.report.rejections[0]?.reason).toMatch(/^has 12 fields; the header has 13 \(/)
    // the too-long row with its extra cells deleted but its reason kept: refused again
    const lines = readFileSync(rejects, 'utf8').split('\n')
    const cut = lines.map((l) => (l.startsWith('t8,') ? l.replace(/,x,LA$/, '') : l)).join('\n')
    const fourth = await issue(ledger, file('s4.csv', cut), { rejects })
    expect(fourth.report.issued).toBe(0)
    // fixed by the site, its reason emptied: issued with the country it typed
    const fixed = `${header},reason\nt7,t,Ong,Bay,1990-01-01,,,,2021-07-01T08:00:00Z,PCR,negative,,LA,\n`
    const done = await issue(ledger, file('s5.csv', fixed), { rejects })
    expect(done.report.issued).toBe(1)
  })

  it('a repeat of a record issued in the same run is no rejection: its row leaves the rejects file with its record (exit 0)', async () => {
    const ledger = new Ledger(join(tmp, `${++n}.sqlite`))
    const header = 'id,type,fn,gn,dob,vaccine,dose,doses,date,test_type,result,centre,country'
    const row = '3,v,Lam,Tu,1990-01-01,BAD,2,2,2021-07-01,,,,VN'
    const rejects = join(tmp, `${++n}-r.csv`)
    const first = await issue(ledger, file('d.csv', `${header}\n${row}\n${row}\n`), { rejects })
    expect(first.report.issued).toBe(0)
    const fixed = readFileSync(rejects, 'utf8').replace(/,BAD,/g, ',Comirnaty,')
    const again = await issue(ledger, file('f.csv', fixed), { rejects })
    expect(again.report).toMatchObject({ issued: 1, alreadyIssued: 1, rejected: 0, rejections: [] })
    // the repeat has its own line, with the first's certificate (fixN)
    expect(again.certificates.map((c) => c.line)).toEqual([2, 3])
    expect(again.certificates[1]?.uvci).toBe(again.certificates[0]?.uvci)
    expect(again.report.warnings.join('\n')).toMatch(/record 2\) is the same record as an earlier one/)
    expect(existsSync(rejects)).toBe(false)
  })

  it('JSON Lines and JSON arrays: a number a double cannot hold, a key given twice, nesting, no object: the text as read in {"unparsed": …}; fixed there and resent, the site’s own id is issued', async () => {
    const ledger = new Ledger(join(tmp, `${++n}.sqlite`))
    const big =
      '{"id":9007199254740993,"type":"v","fn":"A","gn":"B","dob":"1980-01-01","vaccine":"Comirnaty","dose":1,"doses":2,"date":"2021-06-01"}'
    const twice =
      '{"id":"J6","id":"J7","type":"v","fn":"A","gn":"B","dob":"1980-05-17","vaccine":"Comirnaty","dose":1,"doses":2,"date":"2021-06-01"}'
    const input = file('b.jsonl', `${big}\n${twice}\n[1,2]\n`)
    const rejects = join(tmp, `${++n}-r.jsonl`)
    await issue(ledger, input, { rejects })
    const rows = readFileSync(rejects, 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { unparsed?: string; reason: string })
    expect(rows.map((r) => r.unparsed)).toEqual([big, twice, '[1,2]'])
    // the site follows the advice in the text itself; resent, the id is the one it typed
    const fixed = readFileSync(rejects, 'utf8')
      .replace('\\"id\\":9007199254740993', '\\"id\\":\\"9007199254740993\\"')
      .replace('\\"id\\":\\"J6\\",', '')
    const resent = await issue(ledger, file('fixed.jsonl', fixed), { rejects: join(tmp, `${++n}-r2.jsonl`) })
    expect(resent.certificates.map((c) => c.id).sort()).toEqual(['9007199254740993', 'J7'])

    const array = file('k.json', `[${twice},\n ${big}, 5]`)
    const arrayRejects = join(tmp, `${++n}-r.json`)
    await issue(new Ledger(join(tmp, `${++n}.sqlite`)), array, { rejects: arrayRejects })
    const elements = JSON.parse(readFileSync(arrayRejects, 'utf8')) as Array<{ unparsed?: string }>
    expect(elements.map((e) => e.unparsed)).toEqual([twice, big, '5'])
  })

  it('an id typed as text that looks like a number (1E400, 17 digits) is written back as the object read, the id as typed; 1E400 as a number is "loses digits", not "not a number"', async () => {
    const ledger = new Ledger(join(tmp, `${++n}.sqlite`))
    const row = (id: string, gn: string): string =>
      `{"id":${id},"type":"v","fn":"A","gn":"${gn}","dob":"1980-01-01","vaccine":"Nope","dose":1,"doses":2,"date":"2021-06-01"}`
    const input = file(
      'e.jsonl',
      `${row('"1E400"', 'B')}
${row('"12345678901234567"', 'C')}
${row('1E400', 'D')}
`,
    )
    const rejects = join(tmp, `${++n}-r.jsonl`)
    const { report } = await issue(ledger, input, { rejects })
    expect(report.rejections.filter((r) => r.field === 'id')).toEqual([
      expect.objectContaining({ index: 3, reason: 'a number this large loses digits: write the id as text' }),
    ])
    const rows = readFileSync(rejects, 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { id?: unknown; unparsed?: string })
    expect(rows[0]).toMatchObject({ id: '1E400' })
    expect(rows[1]).toMatchObject({ id: '12345678901234567' })
    expect(rows[2]?.unparsed).toBe(row('1E400', 'D'))
  })
})

const HEADER = 'id,type,fn,gn,dob,vaccine,dose,doses,date\n'

describe('findings 4 and 8: replacing a rejects file loses none of its records, and says so truly', () => {
  it('resending part of a rejects file carries the rest (neither issued since nor in this input) into the new one, unchanged, with a count', async () => {
    const ledger = new Ledger(join(tmp, `${++n}.sqlite`))
    const rejects = join(tmp, `${++n}-r.csv`)
    // names hold letters only (a name with a digit is rejected: record-checks)
    const names: Record<string, string> = { R1: 'Anh', R2: 'Binh', R3: 'Chi' }
    const row = (id: string, dob: string): string =>
      `${id},v,${names[id]},${names[id]},${dob},Comirnaty,1,2,2021-06-01\n`
    const first = await issue(
      ledger,
      file('p.csv', HEADER + row('R1', '2030-01-01') + row('R2', '2030-01-01') + row('R3', '2030-01-01')),
      { rejects },
    )
    expect(first.report.rejected).toBe(3)
    const second = await issue(
      ledger,
      file('fix.csv', HEADER + row('R1', '1990-01-01') + row('R2', '2031-01-01')),
      { rejects },
    )
    expect(second.report.issued).toBe(1)
    const lines = readFileSync(rejects, 'utf8').trim().split('\n')
    expect(lines.map((l) => l.split(',')[0])).toEqual(['id', 'R2', 'R3'])
    expect(lines[2]).toBe(
      'R3,v,Chi,Chi,2030-01-01,Comirnaty,1,2,2021-06-01,dob: the date of birth is in the future',
    )
    expect(second.report.warnings.join('\n')).toMatch(
      /1 record of the rejects file it replaces, neither issued since nor in this input, is carried/,
    )
    // a clean run that issues the last one removes the file
    const third = await issue(
      ledger,
      file('last.csv', HEADER + row('R2', '1991-01-01') + row('R3', '1992-01-01')),
      { rejects },
    )
    expect(third.report.issued).toBe(2)
    expect(() => readFileSync(rejects)).toThrow(/ENOENT/)
  })

  it('records without an id: fixed in the field the reason named and issued, the row leaves (its holder and event); changed elsewhere too, never called "not issued": hcert says it cannot tell, and keeps it; a fixed {"unparsed"} line with an id is matched by its id', async () => {
    const ledger = new Ledger(join(tmp, `${++n}.sqlite`))
    const rejects = join(tmp, `${++n}-r.csv`)
    const noId = 'type,fn,gn,dob,vaccine,dose,doses,date\n'
    await issue(ledger, file('n.csv', `${noId}v,Mai,An,2030-01-01,Comirnaty,1,2,2021-06-01\n`), { rejects })
    const fixed = await issue(
      ledger,
      file('nfix.csv', `${noId}v,Mai,An,1990-01-01,Comirnaty,1,2,2021-06-01\n`),
      { rejects },
    )
    expect(fixed.report.issued).toBe(1)
    expect(fixed.report.warnings).toEqual([])
    expect(() => readFileSync(rejects)).toThrow(/ENOENT/)
    await issue(ledger, file('m.csv', `${noId}v,Mai,Binh,2030-01-01,Comirnaty,1,2,2021-06-01\n`), { rejects })
    const changed = await issue(
      ledger,
      file('mfix.csv', `${noId}v,Mai,Binh,1990-01-01,Comirnaty,1,2,2021-06-02\n`),
      { rejects },
    )
    expect(changed.report.issued).toBe(1)
    const said = changed.report.warnings.join('\n')
    expect(said).not.toMatch(/not issued/)
    expect(said).toMatch(/1 record without an id .* hcert cannot tell whether this input held it fixed/)
    expect(readFileSync(rejects, 'utf8')).toMatch(/2030-01-01/)

    const jsonRejects = join(tmp, `${++n}-r.jsonl`)
    const line =
      '{"id":"U1","type":"v","fn":"A","gn":"B","dob":"1980-05-17","vaccine":"Comirnaty","dose":1,"doses":2,"date":"2021-06-01"'
    await issue(ledger, file('u.jsonl', `${line}\n`), { rejects: jsonRejects })
    expect(readFileSync(jsonRejects, 'utf8')).toMatch(/"unparsed"/)
    const again = await issue(ledger, file('ufix.jsonl', `${line}}\n`), { rejects: jsonRejects })
    expect(again.report.issued).toBe(1)
    expect(again.report.warnings).toEqual([])
    expect(() => readFileSync(jsonRejects)).toThrow(/ENOENT/)
  })
})
