/**
 * Two `hcert issue` processes on one ledger, the input repeating ids far apart: the records of run
 * B whose keys run A had reserved are held (put aside until A commits them), and A commits them
 * before B reads the later records that repeat their ids. The first record of an id still owns it:
 * B writes it out (already issued, A's certificate), and only the later records are rejected, as a
 * repeat (same content) or a reuse (other content) of the first, never the reverse.
 *
 * The order is forced, not left to timing: both runs read stdin, and a run reading stdin with one
 * chunk (1,000 records) in flight holds its reservations and commits nothing until its input ends
 * (the reader keeps the last piece of stdin it got until the next comes: blank lines, no records,
 * follow until the reservations are seen).
 */
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process'
import { mkdtempSync, readFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { setTimeout as sleep } from 'node:timers/promises'
import Database from 'better-sqlite3'
import { describe, expect, it } from 'vitest'
import { BIN } from '../helpers/cli.js'
import { KEYS_EXAMPLE } from '../helpers/keys.js'
import { CSV_HEADER, letters } from '../helpers/records.js'

const tmp = mkdtempSync(join(tmpdir(), 'hcert-held-'))
const AT = '2021-12-21T00:00:00Z'

/** a valid vaccination row: id, a distinct name for n, and the date (other content when it changes) */
const row = (id: string, n: number, date = '2021-06-01'): string =>
  `${id},v,Nguyen,Van ${letters(n)},1980-01-01,Comirnaty,1,2,${date}`

interface Run {
  child: ChildProcessWithoutNullStreams
  done: Promise<{ code: number | null; stdout: string; stderr: string }>
}

function issueFromStdin(ledger: string, out: string, rejects: string): Run {
  const child = spawn(
    process.execPath,
    [
      BIN,
      'issue',
      '-',
      '--format',
      'csv',
      '--key-dir',
      KEYS_EXAMPLE,
      '--ledger',
      ledger,
      '--at',
      AT,
      '--out',
      out,
      '--rejects',
      rejects,
      '--workers',
      '1',
      '--json',
    ],
    { env: { ...process.env, NO_COLOR: '1' } },
  )
  let stdout = ''
  let stderr = ''
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString()))
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()))
  return {
    child,
    done: new Promise((resolve) => child.on('close', (code) => resolve({ code, stdout, stderr }))),
  }
}

/** waits until `test` holds of the ledger's reservations (polled), or fails after 20 s */
async function untilReserved(ledger: string, run: Run, test: (keys: string[]) => boolean): Promise<void> {
  let stderr = ''
  run.child.stderr.on('data', (d: Buffer) => (stderr += d.toString()))
  for (let i = 0; i < 400; i++) {
    if (run.child.exitCode !== null) throw new Error(`the run ended (${run.child.exitCode}): ${stderr}`)
    // the reader keeps the last piece of stdin it got until the next comes: a blank line (no record)
    run.child.stdin.write('\n')
    let keys: string[] = []
    try {
      const db = new Database(ledger, { readonly: true, fileMustExist: true })
      keys = (db.prepare('SELECT key FROM reservations').all() as Array<{ key: string }>).map((r) => r.key)
      db.close()
    } catch {
      // the ledger, or its tables, not made yet
    }
    if (test(keys)) return
    await sleep(50)
  }
  throw new Error('the reservations never came')
}

describe('records another run held, their ids repeated later in the input', () => {
  it('the first record of an id keeps it whatever order the chunks commit in; later ones are its repeat or reuse', async () => {
    const ledger = join(tmp, 'held.sqlite')
    // the first records, P2 … P1000 (lines 3 … 1001 of B's input), both runs read them
    const firsts = Array.from({ length: 999 }, (_, k) => row(`P${k + 2}`, k + 2))
    // A: those and one of its own, a whole chunk: reserved, then kept (stdin stays open)
    const a = issueFromStdin(ledger, join(tmp, 'a.jsonl'), join(tmp, 'a-rejects.csv'))
    a.child.stdin.write(`${CSV_HEADER}\n${[...firsts, row('X1', 6000), row('X2', 6001)].join('\n')}\n`)
    await untilReserved(ledger, a, (keys) => keys.length >= 1000)

    // B: one of its own (Q1, line 2) and the same records: Q1 reserved, the others held for A
    const b = issueFromStdin(ledger, join(tmp, 'b.jsonl'), join(tmp, 'b-rejects.csv'))
    b.child.stdin.write(`${CSV_HEADER}\n${[row('Q1', 7000), ...firsts, row('Q2', 7001)].join('\n')}\n`)
    await untilReserved(ledger, b, (keys) => keys.includes('id:Q1'))

    // A commits them, then B reads the rest: every third record repeats an id of the first part,
    // half of them with the same content, half with another date
    a.child.stdin.end()
    const ranA = await a.done
    expect(ranA.code, ranA.stderr).toBe(0)
    const later: string[] = []
    /** record number (index) → the record it repeats, and whether with the same content */
    const repeats = new Map<number, { of: number; same: boolean }>()
    for (let j = 1; j <= 999; j++) {
      const index = 1001 + j // its line is later by the blank lines sent meanwhile
      if (j % 3 !== 0) {
        later.push(row(`R${j}`, 10000 + j))
        continue
      }
      const n = j + 1 // P<n> is record n (on line n + 1)
      const same = j % 2 === 0
      later.push(row(`P${n}`, n, same ? '2021-06-01' : '2021-06-02'))
      repeats.set(index, { of: n, same })
    }
    b.child.stdin.end(`${later.join('\n')}\n`)
    const ranB = await b.done
    expect(ranB.stderr).not.toMatch(/ERR_INTERNAL/)
    expect(ranB.code, ranB.stderr).toBe(4)
    const report = JSON.parse(ranB.stdout) as {
      records: number
      alreadyIssued: number
      rejected: number
      rejections: Array<{ line: number; index: number; field: string; reason: string }>
    }
    expect(report.records).toBe(2000)
    // a later record with the same content is the first one again: already issued, not sent back
    const sameRepeats = [...repeats.values()].filter((r) => r.same).length
    const reuses = [...repeats.entries()].filter(([, r]) => !r.same).map(([index]) => index)
    expect(sameRepeats).toBeGreaterThan(100)
    expect(report.alreadyIssued).toBe(999 + sameRepeats)
    // only the later records with other content are rejected, each naming the first record of its id
    expect(report.rejections.map((r) => r.index).sort((x, y) => x - y)).toEqual(reuses)
    for (const r of report.rejections) {
      const { of } = repeats.get(r.index) as { of: number; same: boolean }
      expect(r.reason).toContain(`record ${of} of this input`)
      expect(r.field).toBe('id')
    }
    // every first record is written out, with the ledger's (A's) certificate
    const lines = readFileSync(join(tmp, 'b.jsonl'), 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { line: number; id: string; uvci: string })
    const written = new Set(lines.map((l) => l.line))
    for (let line = 2; line <= 1002; line++) expect(written.has(line)).toBe(true)
    const db = new Database(ledger, { readonly: true })
    const stored = new Map(
      (
        db.prepare('SELECT idempotency_key AS key, uvci FROM certificates').all() as Array<{
          key: string
          uvci: string
        }>
      ).map((r) => [r.key, r.uvci]),
    )
    db.close()
    for (const l of lines) expect(l.uvci).toBe(stored.get(`id:${l.id}`))
    // the rejects file holds the later records with other content only, each naming the first
    const rejects = readFileSync(join(tmp, 'b-rejects.csv'), 'utf8').trim().split('\n').slice(1)
    expect(rejects).toHaveLength(reuses.length)
    for (const r of rejects) expect(r).toMatch(/record (\d+) of this input/)
  }, 60_000)

  it('fixS: a repeat of a record another run holds, read while it holds it, waits with it: every record gets its line', async () => {
    const ledger = join(tmp, 'held-repeat.sqlite')
    const firsts = Array.from({ length: 979 }, (_, k) => row(`P${k + 2}`, k + 2))
    const a = issueFromStdin(ledger, join(tmp, 'ha.jsonl'), join(tmp, 'ha-rejects.csv'))
    const extra = Array.from({ length: 22 }, (_, k) => row(`X${k}`, 6000 + k))
    a.child.stdin.write(`${CSV_HEADER}\n${[...firsts, ...extra].join('\n')}\n`)
    await untilReserved(ledger, a, (keys) => keys.includes('id:P980'))
    // B's first chunk: Q1, the records A holds and 20 exact repeats of them; then two chunks of its
    // own, so that it commits the first chunk (Q1) while A still holds the others
    const b = issueFromStdin(ledger, join(tmp, 'hb.jsonl'), join(tmp, 'hb-rejects.csv'))
    const own = Array.from({ length: 2000 }, (_, k) => row(`R${k}`, 10000 + k))
    b.child.stdin.write(
      `${CSV_HEADER}\n${[row('Q1', 7000), ...firsts, ...firsts.slice(0, 20), ...own].join('\n')}\n`,
    )
    for (let i = 0; i < 400; i++) {
      b.child.stdin.write('\n')
      let done = false
      try {
        const db = new Database(ledger, { readonly: true, fileMustExist: true })
        done = db.prepare("SELECT 1 FROM certificates WHERE idempotency_key = 'id:Q1'").get() !== undefined
        db.close()
      } catch {
        // busy: look again
      }
      if (done) break
      await sleep(50)
    }
    a.child.stdin.end()
    expect((await a.done).code).toBe(0)
    b.child.stdin.end()
    const ranB = await b.done
    expect(ranB.code, ranB.stderr).toBe(0)
    const report = JSON.parse(ranB.stdout) as { records: number; alreadyIssued: number; rejected: number }
    expect(report).toMatchObject({ records: 3000, rejected: 0, alreadyIssued: 999 })
    const lines = readFileSync(join(tmp, 'hb.jsonl'), 'utf8').trim().split('\n')
    expect(lines).toHaveLength(3000)
  }, 90_000)
})
