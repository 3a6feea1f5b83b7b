/**
 * Two `hcert issue` processes on one ledger at once (real processes, started together): each record
 * is issued once between them, both finish with correct reports, and every output line is the
 * ledger's certificate for its record. A busy ledger is waited for, and past the timeout is ERR_LEDGER.
 */
import { spawn } from 'node:child_process'
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { setTimeout as sleep } from 'node:timers/promises'
import Database from 'better-sqlite3'
import { describe, expect, it } from 'vitest'
import { BIN } from '../helpers/cli.js'
import { KEYS_EXAMPLE } from '../helpers/keys.js'
import { vaccinationCsv } from '../helpers/records.js'

const tmp = mkdtempSync(join(tmpdir(), 'hcert-concurrency-'))
const AT = '2021-12-21T00:00:00Z'

/** records P<from> … P<from+count-1>, record Pi on line i - from + 2 */
function writeRecords(name: string, from: number, count: number): string {
  const file = join(tmp, name)
  writeFileSync(file, vaccinationCsv({ from, to: from + count - 1 }))
  return file
}

interface Run {
  code: number | null
  stdout: string
  stderr: string
}

function issue(file: string, ledger: string, out: string, env: Record<string, string> = {}): Promise<Run> {
  const child = spawn(
    process.execPath,
    [BIN, 'issue', file, '--key-dir', KEYS_EXAMPLE, '--ledger', ledger, '--at', AT, '--out', out, '--json'],
    { env: { ...process.env, NO_COLOR: '1', ...env } },
  )
  let stdout = ''
  let stderr = ''
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString()))
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()))
  return new Promise((resolve) => child.on('close', (code) => resolve({ code, stdout, stderr })))
}

interface Line {
  line: number
  uvci: string
  hc1: string
}

/** Checks both runs against the ledger: each record once, every line the ledger's certificate for its record. */
function check(path: string, runs: Array<{ run: Run; out: string; from: number; count: number }>): void {
  const db = new Database(path, { readonly: true })
  const rows = db.prepare('SELECT idempotency_key AS key, uvci, hc1 FROM certificates').all() as Array<{
    key: string
    uvci: string
    hc1: string
  }>
  db.close()
  const byKey = new Map(rows.map((r) => [r.key, r]))
  const distinct = new Set(
    runs.flatMap(({ from, count }) => Array.from({ length: count }, (_, k) => from + k)),
  )
  expect(rows).toHaveLength(distinct.size)
  expect(byKey.size).toBe(distinct.size)
  let issued = 0
  for (const { run, out, from, count } of runs) {
    expect(run.stdout + run.stderr).not.toMatch(/ERR_INTERNAL|UNIQUE constraint/)
    expect(run.code).toBe(0)
    const report = JSON.parse(run.stdout)
    expect(report).toMatchObject({ records: count, rejected: 0 })
    expect(report.issued + report.alreadyIssued).toBe(count)
    issued += report.issued
    const lines = readFileSync(out, 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as Line)
    // every record once; a record the other run held comes out once that run committed it, after
    // later records (README: two runs at once), so the lines are compared as a set
    expect(lines.map((l) => l.line).sort((x, y) => x - y)).toEqual(
      Array.from({ length: count }, (_, k) => k + 2),
    )
    for (const l of lines) {
      const stored = byKey.get(`id:P${from + l.line - 2}`)
      expect(stored?.uvci).toBe(l.uvci)
      expect(stored?.hc1).toBe(l.hc1)
    }
  }
  expect(issued).toBe(distinct.size)
}

describe('two hcert issue processes on one ledger', () => {
  it('the same input at once, on a new ledger: each record once, the loser reports already issued with the winner’s certificates', async () => {
    const file = writeRecords('same.csv', 1, 3000)
    const ledger = join(tmp, 'same.sqlite')
    const outs = [join(tmp, 'same-1.jsonl'), join(tmp, 'same-2.jsonl')]
    const [a, b] = await Promise.all(outs.map((out) => issue(file, ledger, out)))
    check(ledger, [
      { run: a as Run, out: outs[0] as string, from: 1, count: 3000 },
      { run: b as Run, out: outs[1] as string, from: 1, count: 3000 },
    ])
  })

  it('overlapping inputs at once: each record once across both', async () => {
    const first = writeRecords('first.csv', 1, 3000)
    const second = writeRecords('second.csv', 1501, 3000)
    const ledger = join(tmp, 'overlap.sqlite')
    const [a, b] = await Promise.all([
      issue(first, ledger, join(tmp, 'first.jsonl')),
      issue(second, ledger, join(tmp, 'second.jsonl')),
    ])
    check(ledger, [
      { run: a, out: join(tmp, 'first.jsonl'), from: 1, count: 3000 },
      { run: b, out: join(tmp, 'second.jsonl'), from: 1501, count: 3000 },
    ])
  })
})

describe('a busy ledger', () => {
  it('is waited for while another process holds its write lock, and past HCERT_LEDGER_TIMEOUT is ERR_LEDGER with what to do', async () => {
    const file = writeRecords('busy.csv', 1, 20)
    const ledger = join(tmp, 'busy.sqlite')
    const warm = await issue(writeRecords('warm.csv', 9000, 1), ledger, join(tmp, 'warm.jsonl'))
    expect(warm.code).toBe(0)
    const holder = new Database(ledger)
    holder.exec('BEGIN IMMEDIATE')
    const timedOut = await issue(file, ledger, join(tmp, 'busy-1.jsonl'), { HCERT_LEDGER_TIMEOUT: '300' })
    expect(timedOut.code).toBe(2)
    expect(JSON.parse(timedOut.stdout).error).toMatchObject({
      code: 'ERR_LEDGER',
      message: expect.stringMatching(
        /is busy: another process kept it locked for 0\.3 s .*Wait for it to finish, or raise HCERT_LEDGER_TIMEOUT/,
      ),
    })
    // held until the run has started (its output file is open) and a while longer, then let go:
    // the run waits, then commits
    const out = join(tmp, 'busy-2.jsonl')
    const waiting = issue(file, ledger, out, { HCERT_LEDGER_TIMEOUT: '60000' })
    for (let i = 0; i < 200 && !existsSync(`${out}.partial`); i++) await sleep(50)
    await sleep(1000)
    holder.exec('ROLLBACK')
    const waited = await waiting
    holder.close()
    expect(waited.code).toBe(0)
    expect(JSON.parse(waited.stdout)).toMatchObject({ issued: 20, alreadyIssued: 0 })
  })
})
