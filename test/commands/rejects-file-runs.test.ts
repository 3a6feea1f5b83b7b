/**
 * The rejects file across runs (tester fixR findings 3, 4, 5): two runs at one --rejects path,
 * carried rows under another header, a CSV from stdin with a rejects name without extension.
 */
import { spawnSync } from 'node:child_process'
import { existsSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it, vi } from 'vitest'
import { BIN, runCli } from '../helpers/cli.js'
import { freshFolders } from '../helpers/folders.js'
import { KEYS_EXAMPLE } from '../helpers/keys.js'

vi.setConfig({ testTimeout: 120_000 })

const folder = freshFolders('hcert-rejects-runs-')
const HEADER = 'id,type,fn,gn,dob,vaccine,dose,doses,date\n'
const BAD = '1,v,Trần,Bình,1981-01-01,Comirnaty,3,2,2021-06-01\n'

const issue = (dir: string, input: string, ...more: string[]): ReturnType<typeof runCli> =>
  runCli(['issue', input, '--key-dir', KEYS_EXAMPLE, '--ledger', join(dir, 'l.sqlite'), ...more])

describe('two runs at one --rejects path (finding 3)', () => {
  it('a run whose rejects path a live run holds is ERR_USAGE at once, naming the pid; nothing committed, the file intact', () => {
    const dir = folder()
    const rejects = join(dir, 'r.csv')
    writeFileSync(join(dir, 'a.csv'), HEADER + BAD)
    expect(issue(dir, join(dir, 'a.csv'), '--rejects', rejects).code).toBe(4)
    const before = readFileSync(rejects, 'utf8')
    // another run holds the path: its lock holds a live pid (this test's)
    const lock = join(dir, '.r.csv.hcert-lock')
    writeFileSync(lock, `${process.pid}\n`)
    writeFileSync(join(dir, 'b.csv'), `${HEADER}2,v,Lê,An,1980-01-01,Comirnaty,1,2,2021-06-01\n`)
    const second = issue(
      dir,
      join(dir, 'b.csv'),
      '--rejects',
      rejects,
      '--out',
      join(dir, 'o.jsonl'),
      '--json',
    )
    expect(second.code).toBe(2)
    const error = (JSON.parse(second.stdout) as { error: { code: string; message: string } }).error
    expect(error.code).toBe('ERR_USAGE')
    expect(error.message).toMatch(new RegExp(`another hcert run \\(pid ${process.pid}\\) writes that file`))
    expect(error.message).toMatch(/give each run its own --rejects path/)
    expect(readFileSync(rejects, 'utf8')).toBe(before)
    expect(existsSync(join(dir, 'o.jsonl'))).toBe(false)
    // the lock of a process that is gone is taken over, and freed when the run ends
    const gone = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], {
      encoding: 'utf8',
    })
    writeFileSync(lock, `${gone.stdout}\n`)
    const third = issue(dir, join(dir, 'b.csv'), '--rejects', rejects, '--out', join(dir, 'o.jsonl'))
    expect(third.code).toBe(0)
    expect(existsSync(lock)).toBe(false)
    expect(readFileSync(rejects, 'utf8')).toBe(before)
  })
})

describe('carried rows under another header (finding 4)', () => {
  it("the rejects file's header is the union, and the fixed file resent issues every row", () => {
    const dir = folder()
    const rejects = join(dir, 'rh.csv')
    writeFileSync(
      join(dir, 'day1.csv'),
      'id,type,fn,gn,dob,vaccine,dose,doses,date,country\n1,v,Nguyễn,An,1980-01-01,Comirnaty,1,2,2021-06-01,VN\n2,v,Trần,Bình,1981-01-01,Comirnaty,3,2,2021-06-01,VN\n',
    )
    expect(issue(dir, join(dir, 'day1.csv'), '-o', join(dir, 'h1.jsonl'), '--rejects', rejects).code).toBe(4)
    writeFileSync(
      join(dir, 'h2.csv'),
      'type,fn,gn,dob,vaccine,dose,doses,date,id,centre\nv,Hồ,Em,1990-01-01,Comirnaty,1,2,2021-06-01,10,\n',
    )
    expect(issue(dir, join(dir, 'h2.csv'), '-o', join(dir, 'h2.jsonl'), '--rejects', rejects).code).toBe(0)
    const text = readFileSync(rejects, 'utf8').split('\n')
    expect(text[0]).toBe('type,fn,gn,dob,vaccine,dose,doses,date,id,centre,country,reason')
    expect(text[1]).toMatch(/^v,Trần,Bình,1981-01-01,Comirnaty,3,2,2021-06-01,2,,VN,"dose: /)
    writeFileSync(join(dir, 'fix.csv'), readFileSync(rejects, 'utf8').replace(',3,2,', ',1,2,'))
    const resent = issue(dir, join(dir, 'fix.csv'), '-o', join(dir, 'h3.jsonl'), '--rejects', rejects)
    expect(resent.stderr).not.toMatch(/fields; the header has/)
    expect(resent.code).toBe(0)
    expect(existsSync(rejects)).toBe(false)
  })
})

describe('a CSV from stdin with a rejects name without extension (finding 5)', () => {
  it('the rejects file is CSV, as the input', () => {
    const dir = folder()
    writeFileSync(join(dir, 'day1.csv'), HEADER + BAD)
    const r = spawnSync(
      'bash',
      [
        '-c',
        `cat day1.csv | "${process.execPath}" "${BIN}" issue - --key-dir "${KEYS_EXAMPLE}" --ledger l.sqlite --rejects stdr`,
      ],
      { cwd: dir, encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' } },
    )
    expect(r.status).toBe(4)
    const text = readFileSync(join(dir, 'stdr'), 'utf8')
    expect(text.split('\n')[0]).toBe(`${HEADER.trim()},reason`)
    // resent as CSV it is read (and refused for its dose again, not as JSON)
    const again = issue(dir, join(dir, 'stdr'), '--format', 'csv', '--rejects', join(dir, 'stdr2.csv'))
    expect(again.code).toBe(4)
    expect(again.stderr).toMatch(/dose: /)
  })
})
