/**
 * Issue 11, interrupts: SIGINT (Ctrl-C) and SIGTERM sent to a real `hcert issue` mid-batch. The run
 * stops after the chunk in flight, says how many records it committed and that the same command
 * resumes, exits 130 / 143, and leaves no temporary file; a rerun issues every record exactly once.
 */
import { existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import Database from 'better-sqlite3'
import { describe, expect, it } from 'vitest'
import { runCli, signalWhen } from '../helpers/cli.js'
import { KEYS_EXAMPLE } from '../helpers/keys.js'
import { letters } from '../helpers/records.js'

const tmp = mkdtempSync(join(tmpdir(), 'hcert-interrupt-'))

/** Reservations left in the ledger: a run that stops, interrupted, leaves none. */
function reservations(ledger: string): number {
  const db = new Database(ledger, { readonly: true, fileMustExist: true })
  try {
    return (db.prepare('SELECT count(*) AS n FROM reservations').get() as { n: number }).n
  } finally {
    db.close()
  }
}

function count(ledger: string, origin = 'issue'): number {
  try {
    const db = new Database(ledger, { readonly: true, fileMustExist: true })
    const { n } = db.prepare('SELECT count(*) AS n FROM certificates WHERE origin = ?').get(origin) as {
      n: number
    }
    db.close()
    return n
  } catch {
    return 0 // not created yet, or no schema yet
  }
}

/** Runs the CLI; once the ledger holds more than `above` certificates, sends `signal`. */
function runAndSignal(
  args: string[],
  ledger: string,
  above: number,
  signal: NodeJS.Signals,
  origin = 'issue',
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return signalWhen(args, () => count(ledger, origin) > above, [signal])
}

const leftovers = (): string[] => readdirSync(tmp).filter((f) => f.includes('.partial'))

describe('hcert issue interrupted', () => {
  it('SIGINT, then SIGTERM with --json: each stops after a chunk, reports what it committed, exits 130 / 143; a rerun finishes, every record once', async () => {
    const total = 9000
    const rows = ['id,type,fn,gn,dob,vaccine,dose,doses,date']
    for (let i = 1; i <= total; i++)
      rows.push(
        `P${i},v,Nguyen,Van ${letters(i)},1980-01-01,Comirnaty,${i % 1000 === 0 ? 5 : 1},2,2021-06-01`,
      )
    const input = join(tmp, 'big.csv')
    writeFileSync(input, `${rows.join('\n')}\n`)
    const ledger = join(tmp, 'ledger.sqlite')
    const out = join(tmp, 'out.jsonl')
    const rejects = join(tmp, 'rejects.csv')
    const args = [
      'issue',
      input,
      '--key-dir',
      KEYS_EXAMPLE,
      '--ledger',
      ledger,
      '--at',
      '2021-12-21T00:00:00Z',
      '--out',
      out,
      '--rejects',
      rejects,
      '--workers',
      '1',
    ]

    const first = await runAndSignal(args, ledger, 0, 'SIGINT')
    expect(first.code).toBe(130)
    const committed = count(ledger)
    expect(committed).toBeGreaterThan(0)
    expect(committed).toBeLessThan(total - total / 1000)
    const head = /Batch big\.csv: (\d+) records, (\d+) issued, 0 already issued, (\d+) rejected/.exec(
      first.stderr,
    )
    expect(head, first.stderr).not.toBeNull()
    expect(Number(head?.[2])).toBe(committed)
    expect(first.stderr).toMatch(/Interrupted \(SIGINT\): the \d+ records above are committed to the ledger/)
    expect(first.stderr).toMatch(/Run the same command again to resume/)
    expect(existsSync(out)).toBe(false)
    expect(existsSync(rejects)).toBe(false)
    expect(leftovers()).toEqual([])
    expect(reservations(ledger)).toBe(0)

    const second = await runAndSignal([...args, '--json'], ledger, committed, 'SIGTERM')
    expect(second.code).toBe(143)
    const report = JSON.parse(second.stdout)
    const afterSecond = count(ledger)
    expect(report).toMatchObject({ interrupted: 'SIGTERM', issued: afterSecond - committed })
    expect(report.alreadyIssued).toBeGreaterThanOrEqual(committed)
    expect(leftovers()).toEqual([])

    const rerun = runCli(args)
    expect(rerun.code).toBe(4)
    const valid = total - total / 1000
    expect(rerun.stderr).toContain(
      `${total} records, ${valid - afterSecond} issued, ${afterSecond} already issued, ${total / 1000} rejected`,
    )
    const db = new Database(ledger, { readonly: true })
    const keys = db.prepare('SELECT idempotency_key AS key FROM certificates').pluck().all() as string[]
    db.close()
    expect(keys).toHaveLength(valid)
    expect(new Set(keys).size).toBe(valid)
    const lines = readFileSync(out, 'utf8').trim().split('\n')
    expect(lines).toHaveLength(valid)
    expect(readFileSync(rejects, 'utf8').trim().split('\n')).toHaveLength(1 + total / 1000)
    expect(leftovers()).toEqual([])
  }, 180_000)
})

describe('hcert renew interrupted', () => {
  it('SIGINT mid-run: the renewals committed are in --out, exit 130, no temporary file; a rerun renews the rest, each once', async () => {
    const total = 1500
    const rows = ['id,type,fn,gn,dob,vaccine,dose,doses,date']
    for (let i = 1; i <= total; i++)
      rows.push(`R${i},v,Tran,Thi ${letters(i)},1975-03-03,Comirnaty,1,2,2021-06-01`)
    const input = join(tmp, 'renew.csv')
    writeFileSync(input, `${rows.join('\n')}\n`)
    const ledger = join(tmp, 'renew.sqlite')
    const keys = ['--key-dir', KEYS_EXAMPLE, '--ledger', ledger]
    expect(
      runCli(['issue', input, ...keys, '--at', '2021-06-01T00:00:00Z', '--out', join(tmp, 'i.jsonl')]).code,
    ).toBe(0)
    const out = join(tmp, 'renewed.jsonl')
    const args = ['renew', ...keys, '--expired', '--at', '2022-06-02T00:00:00Z', '--out', out]

    const first = await runAndSignal(args, ledger, 0, 'SIGINT', 'renew')
    expect(first.code).toBe(130)
    const renewed = count(ledger, 'renew')
    expect(renewed).toBeGreaterThan(0)
    expect(renewed).toBeLessThan(total)
    expect(first.stderr).toMatch(
      new RegExp(`Interrupted \\(SIGINT\\): the ${renewed} renewals above are committed`),
    )
    expect(readFileSync(out, 'utf8').trim().split('\n')).toHaveLength(renewed)
    expect(leftovers()).toEqual([])
    expect(reservations(ledger)).toBe(0)

    const rerun = runCli([...args.slice(0, -1), join(tmp, 'renewed-2.jsonl'), '--json'])
    expect(rerun.code).toBe(0)
    expect(JSON.parse(rerun.stdout)).toMatchObject({ renewed: total - renewed })
    const db = new Database(ledger, { readonly: true })
    const { renewals, replaced, superseded } = db
      .prepare(
        `SELECT count(*) AS renewals, count(DISTINCT replaces) AS replaced,
          (SELECT count(*) FROM certificates WHERE origin = 'issue' AND superseded_by IS NOT NULL) AS superseded
         FROM certificates WHERE origin = 'renew'`,
      )
      .get() as { renewals: number; replaced: number; superseded: number }
    db.close()
    expect({ renewals, replaced, superseded }).toEqual({
      renewals: total,
      replaced: total,
      superseded: total,
    })
  }, 180_000)
})
