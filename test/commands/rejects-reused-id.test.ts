/**
 * A rejects file is not emptied by another record under the same id (tester finding 1): sites
 * number their rows 1, 2, 3 every day, so an earlier rejects file's record is dropped only when
 * THAT record (the id and plausibly the same holder) was issued since or read in this input.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { runCli } from '../helpers/cli.js'
import { freshFolders } from '../helpers/folders.js'
import { KEYS_EXAMPLE } from '../helpers/keys.js'

const folder = freshFolders('hcert-rejects-reused-id-')
const HEADER = 'id,type,fn,gn,dob,vaccine,dose,doses,date\n'
const MONDAY = '1,v,Phạm,Văn Hùng,1975-02-30,Comirnaty,1,2,2021-06-01\n'

function run(dir: string, name: string, rows: string) {
  writeFileSync(join(dir, name), HEADER + rows)
  return runCli([
    'issue',
    join(dir, name),
    '--key-dir',
    KEYS_EXAMPLE,
    '--ledger',
    join(dir, 'd.sqlite'),
    '--at',
    '2021-12-21T00:00:00Z',
    '--out',
    join(dir, `${name}.jsonl`),
    '--rejects',
    join(dir, 'rejects.csv'),
  ])
}
const CARRIED = /1 record of the rejects file it replaces, neither issued since nor in this input, is carried/

describe('an earlier rejects file and an id used again for another person', () => {
  it('another holder issued under the id the next day: the rejected record is carried and counted', () => {
    const dir = folder()
    expect(run(dir, 'monday.csv', MONDAY).code).toBe(4)
    const tuesday = run(dir, 'tuesday.csv', '1,v,Trần,Thị Mai,1992-11-03,Comirnaty,1,2,2021-06-02\n')
    expect(tuesday.code).toBe(0)
    expect(tuesday.stderr).toMatch(CARRIED)
    expect(tuesday.stderr).not.toMatch(/Phạm|Hùng|1975|Trần|Mai/)
    expect(readFileSync(join(dir, 'rejects.csv'), 'utf8')).toContain('Phạm,Văn Hùng,1975-02-30')
  })

  it('another rejected holder under the id: both are in the new rejects file', () => {
    const dir = folder()
    expect(run(dir, 'monday.csv', MONDAY).code).toBe(4)
    const r = run(dir, 'tuesday.csv', '1,v,Trần,Thị Mai,1992-11-31,Comirnaty,1,2,2021-06-02\n')
    expect(r.code).toBe(4)
    expect(r.stderr).toMatch(CARRIED)
    const text = readFileSync(join(dir, 'rejects.csv'), 'utf8')
    expect(text).toContain('Phạm,Văn Hùng,1975-02-30')
    expect(text).toContain('Trần,Thị Mai,1992-11-31')
  })

  it('the id used twice in one input, by other holders: the rejected record is carried', () => {
    const dir = folder()
    expect(run(dir, 'monday.csv', MONDAY).code).toBe(4)
    const r = run(
      dir,
      'tuesday.csv',
      '1,v,Trần,Thị Mai,1992-11-03,Comirnaty,1,2,2021-06-02\n1,v,Lê,Văn Cường,1990-01-01,Comirnaty,1,2,2021-06-02\n',
    )
    expect(r.code).toBe(4)
    expect(r.stderr).toMatch(CARRIED)
    expect(readFileSync(join(dir, 'rejects.csv'), 'utf8')).toContain('Phạm,Văn Hùng,1975-02-30')
  })

  it('the same record resent with its date of birth fixed: issued, and the file removed (nothing carried)', () => {
    const dir = folder()
    expect(run(dir, 'monday.csv', MONDAY).code).toBe(4)
    const r = run(dir, 'fixed.csv', MONDAY.replace('1975-02-30', '1975-02-03'))
    expect(r.code).toBe(0)
    expect(r.stderr).not.toMatch(/carried/)
    expect(existsSync(join(dir, 'rejects.csv'))).toBe(false)
  })
})

describe('carry-over of rows hcert could not key, and of the other kind (tester finding 4)', () => {
  const issue = (dir: string, input: string, ...more: string[]): ReturnType<typeof runCli> =>
    runCli([
      'issue',
      input,
      '--key-dir',
      KEYS_EXAMPLE,
      '--ledger',
      join(dir, 'k.sqlite'),
      '--at',
      '2021-12-21T00:00:00Z',
      ...more,
    ])
  const ROW =
    '"type":"v","fn":"Tran","gn":"An","dob":"1980-01-01","vaccine":"Comirnaty","dose":1,"doses":2,"date":"2021-06-01"'

  it('a big-number id written back as unparsed is dropped once the record is issued under that id as text (it was carried forever)', () => {
    const dir = folder()
    const rejects = join(dir, 'r.jsonl')
    writeFileSync(join(dir, 'big.jsonl'), `{"id":9007199254740993,${ROW}}\n`)
    expect(issue(dir, join(dir, 'big.jsonl'), '--rejects', rejects).code).toBe(4)
    expect(readFileSync(rejects, 'utf8')).toContain('"unparsed"')
    // another record the next day: the unparsed row is carried, counted as a record with an id
    writeFileSync(join(dir, 'other.jsonl'), `{"id":"7",${ROW.replace('Tran', 'Le')}}\n`)
    const other = issue(dir, join(dir, 'other.jsonl'), '--rejects', rejects)
    expect(other.code).toBe(0)
    expect(other.stderr).toMatch(CARRIED)
    // the record fixed as the reason says, the id as text: issued, and the unparsed row goes
    writeFileSync(join(dir, 'fixed.jsonl'), `{"id":"9007199254740993",${ROW}}\n`)
    const fixed = issue(dir, join(dir, 'fixed.jsonl'), '--rejects', rejects)
    expect(fixed.code).toBe(0)
    expect(fixed.stderr).not.toMatch(/carried/)
    expect(existsSync(rejects)).toBe(false)
  })

  it('fixS: a rejects file whose rows could not be split is judged by its header: of the other kind, ERR_USAGE, the file intact', () => {
    const dir = folder()
    // a DCC row one cell short (has 8 fields): no cell of it can be read
    const short = join(dir, 'short.csv')
    writeFileSync(short, `${HEADER}S7,v,Lê,1990-01-01,Comirnaty,1,2,2021-06-01\n`)
    const rejects = join(dir, 'r.csv')
    expect(issue(dir, short, '--rejects', rejects).code).toBe(4)
    const before = readFileSync(rejects, 'utf8')
    const icvp = join(dir, 'k.csv')
    writeFileSync(
      icvp,
      'id,name,dob,product,date,batch,clinician\nK1,Lê Thị Hoa,1990-01-01,STAMARIL,2031-06-01,L1,Dr A\n',
    )
    const run = issue(dir, icvp, '--kind', 'icvp', '--rejects', rejects, '--json')
    expect(run.code).toBe(2)
    expect(run.stdout).toMatch(/holds EU DCC records .* a rejects file holds one kind of record/)
    expect(run.stdout).not.toMatch(/Lê|Hoa|1990/)
    expect(readFileSync(rejects, 'utf8')).toBe(before)
    // the same kind's run still carries it
    writeFileSync(join(dir, 'ok.csv'), `${HEADER}d3,v,Le,Binh,1980-01-01,Comirnaty,1,2,2021-06-01\n`)
    expect(issue(dir, join(dir, 'ok.csv'), '--rejects', rejects).code).toBe(0)
    expect(readFileSync(rejects, 'utf8')).toContain('S7,v,Lê')
  })

  it("an ICVP run's rejects at a DCC run's --rejects (and the reverse) is ERR_USAGE before anything is read; the file intact (its rows lost their column names)", () => {
    const dir = folder()
    const icvp = join(dir, 'icvp.csv')
    writeFileSync(
      icvp,
      'id,name,dob,sex,nationality,product,date,batch,clinician\nc2,Trần Thị Mai,1992-11-03,F,VN,NOPE,2021-07-01,P9,Dr Binh\n',
    )
    const rejects = join(dir, 'r.csv')
    expect(issue(dir, icvp, '--kind', 'icvp', '--rejects', rejects).code).toBe(4)
    const before = readFileSync(rejects, 'utf8')
    const dcc = join(dir, 'dcc.csv')
    writeFileSync(dcc, `${HEADER}d2,v,Le,Binh,1980-01-01,Nope,1,2,2021-06-01\n`)
    const mixed = issue(dir, dcc, '--rejects', rejects, '--json')
    expect(mixed.code).toBe(2)
    const error = (JSON.parse(mixed.stdout) as { error: { code: string; message: string } }).error
    expect(error.code).toBe('ERR_USAGE')
    expect(error.message).toMatch(/holds ICVP records .* a rejects file holds one kind of record/)
    expect(error.message).not.toMatch(/Trần|Mai|1992/)
    expect(readFileSync(rejects, 'utf8')).toBe(before)
    // the reverse: a DCC run's rejects at an ICVP run's --rejects
    const dccRejects = join(dir, 'rd.csv')
    expect(issue(dir, dcc, '--rejects', dccRejects).code).toBe(4)
    const reverse = issue(dir, icvp, '--kind', 'icvp', '--rejects', dccRejects, '--json')
    expect(reverse.code).toBe(2)
    expect(reverse.stdout).toMatch(/holds EU DCC records/)
    // an ICVP row a DCC run rejected as such is that run's own: carried, under its header
    const stray = join(dir, 'stray.csv')
    writeFileSync(
      stray,
      'id,type,fn,gn,dob,vaccine,dose,doses,date,name,product\ns1,,,,1990-01-01,,,,2021-06-01,Lan,STAMARIL\n',
    )
    const strayRejects = join(dir, 'rs.csv')
    expect(issue(dir, stray, '--rejects', strayRejects).code).toBe(4)
    const again = issue(dir, dcc, '--rejects', strayRejects)
    expect(again.code).toBe(4)
    expect(again.stderr).toMatch(CARRIED)
  })
})

describe('a carried row leaves only when its own record was issued since (tester fixR findings 1, 2)', () => {
  const issue = (dir: string, name: string, text: string, ...more: string[]): ReturnType<typeof runCli> => {
    writeFileSync(join(dir, name), text)
    return runCli([
      'issue',
      join(dir, name),
      '--key-dir',
      KEYS_EXAMPLE,
      '--ledger',
      join(dir, 'p.sqlite'),
      '--out',
      join(dir, `${name}.jsonl`),
      '--rejects',
      join(dir, 'rp.csv'),
      ...more,
    ])
  }

  it('the next day reuses the id for another person of the same surname and birthday: the row is carried', () => {
    const dir = folder()
    const day1 = issue(
      dir,
      'p1.csv',
      `${HEADER}1,v,Nguyễn,Thị Mai,1990-01-01,Comirnty,1,2,2021-06-01\n2,v,Lê,Bảo,1985-01-01,Comirnaty,1,2,2021-06-01\n`,
    )
    expect(day1.code).toBe(4)
    const day2 = issue(
      dir,
      'p2.csv',
      `${HEADER}1,v,Nguyễn,Văn Hùng,1990-01-01,Comirnaty,1,2,2021-06-02\n3,v,Phan,Cúc,1970-05-05,Comirnaty,1,2,2021-06-02\n`,
    )
    expect(day2.code).toBe(0)
    expect(day2.stderr).toMatch(CARRIED)
    expect(readFileSync(join(dir, 'rp.csv'), 'utf8')).toContain('Nguyễn,Thị Mai,1990-01-01,Comirnty')
    // the row itself fixed (the vaccine its reason named) and resent: issued, and the file goes
    const fixed = issue(dir, 'p3.csv', `${HEADER}1,v,Nguyễn,Thị Mai,1990-01-01,Comirnaty,1,2,2021-06-01\n`)
    expect(fixed.code).toBe(4) // id 1 is another person's certificate now
    expect(readFileSync(join(dir, 'rp.csv'), 'utf8')).not.toContain('Comirnty')
  })

  it('ICVP: a name sharing one word ("Thị") under the same id and birthday is another person: carried, the file kept', () => {
    const dir = folder()
    const head = 'id,name,dob,sex,nationality,product,date,batch,clinician\n'
    expect(
      issue(
        dir,
        'i1.csv',
        `${head}1,Nguyễn Thị Mai,1990-01-01,F,VN,NOPE,2021-06-01,P9,Dr Binh\n`,
        '--kind',
        'icvp',
      ).code,
    ).toBe(4)
    const day2 = issue(
      dir,
      'i2.csv',
      `${head}1,Trần Thị Lan,1990-01-01,F,VN,STAMARIL,2021-06-02,P9,Dr Binh\n`,
      '--kind',
      'icvp',
    )
    expect(day2.code).toBe(0)
    expect(day2.stderr).toMatch(CARRIED)
    expect(readFileSync(join(dir, 'rp.csv'), 'utf8')).toContain('Nguyễn Thị Mai')
  })

  it('following the reason ("an id of its own") and resending under a new id removes the old row', () => {
    const dir = folder()
    const day1 = issue(
      dir,
      'q1.csv',
      `${HEADER}2,v,Lê,Bảo,1985-01-01,Comirnaty,1,2,2021-06-01\n2,v,Phan,Cúc,1970-05-05,Comirnaty,1,2,2021-06-01\n`,
    )
    expect(day1.code).toBe(4)
    expect(readFileSync(join(dir, 'rp.csv'), 'utf8')).toMatch(/id of its own/)
    const resent = issue(dir, 'q2.csv', `${HEADER}2b,v,Phan,Cúc,1970-05-05,Comirnaty,1,2,2021-06-01\n`)
    expect(resent.code).toBe(0)
    expect(resent.stderr).not.toMatch(/carried/)
    expect(existsSync(join(dir, 'rp.csv'))).toBe(false)
  })
})
