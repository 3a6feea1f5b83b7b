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
