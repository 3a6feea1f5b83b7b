/**
 * Real `hcert issue` and `hcert renew` processes at once on one ledger, on both engines, with
 * overlapping inputs, one of them killed with SIGKILL mid-run and then run again: every record is
 * in the ledger once, every line any process wrote out is the ledger's certificate for its record,
 * and no reservation is left behind.
 */
import { spawn } from 'node:child_process'
import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { BIN } from '../helpers/cli.js'
import { KEYS_EXAMPLE } from '../helpers/keys.js'
import { ENGINES, requirePgInCi, type Engine } from '../helpers/pg.js'
import { vaccinationCsv } from '../helpers/records.js'

requirePgInCi()
const tmp = mkdtempSync(join(tmpdir(), 'hcert-multi-'))
const AT = '2021-12-21T00:00:00Z'
const RENEW_AT = '2023-01-15T00:00:00Z'
/** a killed run's reservations are taken over at once on this machine (its pid is gone); the lease is the fallback */
const ENV = { HCERT_LEDGER_LEASE: '5000', NO_COLOR: '1' }
/**
 * records in the issue tests: two chunks (issue signs 1,000 a chunk), so that the run killed after
 * its first lines is killed mid-run, with the second chunk reserved or being signed
 */
const TOTAL = 1200

function records(name: string, from: number, to: number): string {
  const file = join(tmp, name)
  writeFileSync(file, vaccinationCsv({ from, to }))
  return file
}

interface Run {
  code: number | null
  signal: NodeJS.Signals | null
  lines: Array<Record<string, unknown>>
  stderr: string
}

/** Runs hcert with `args`; `killAfterOutput`: SIGKILL once it has written its first certificates. */
function hcert(args: string[], killAfterOutput = false): Promise<Run> {
  const child = spawn(process.execPath, [BIN, ...args], { env: { ...process.env, ...ENV } })
  let stdout = ''
  let stderr = ''
  child.stdout.on('data', (d: Buffer) => {
    stdout += d.toString()
    if (killAfterOutput && stdout.includes('\n')) child.kill('SIGKILL')
  })
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()))
  return new Promise((resolve) =>
    child.on('close', (code, signal) => {
      // a killed run's last line may be cut short: only whole lines count
      const whole = stdout.slice(0, stdout.lastIndexOf('\n') + 1)
      const lines = whole
        .split('\n')
        .filter((l) => l.startsWith('{'))
        .map((l) => JSON.parse(l) as Record<string, unknown>)
      resolve({ code, signal, lines, stderr })
    }),
  )
}

const issueArgs = (file: string, spec: string): string[] => [
  'issue',
  file,
  '--key-dir',
  KEYS_EXAMPLE,
  '--ledger',
  spec,
  '--at',
  AT,
  '--workers',
  '1',
]

function checkLedger(engine: Engine, spec: string, total: number, runs: Run[]): void {
  const ledger = engine.open(spec)
  try {
    const keys = Array.from({ length: total }, (_, i) => `id:P${i + 1}`)
    const issued = ledger.issuedForKeys(keys)
    expect(issued.size).toBe(total)
    expect(ledger.allIds().length).toBe(total)
    for (const run of runs)
      for (const line of run.lines) {
        const stored = issued.get(`id:${String(line.id)}`)
        expect({ uvci: line.uvci, hc1: line.hc1 }).toEqual({ uvci: stored?.head.uvci, hc1: stored?.head.hc1 })
      }
    expect(ledger.reservationCount()).toBe(0)
  } finally {
    ledger.close()
  }
}

describe.each(ENGINES)('processes at once on $name', (engine) => {
  it.each([
    {
      processes: 2,
      ranges: [
        [1, TOTAL],
        [401, TOTAL],
      ],
    },
    {
      processes: 4,
      ranges: [
        [1, TOTAL],
        [401, TOTAL],
        [1, 900],
        [301, TOTAL],
      ],
    },
  ])(
    'issue: $processes processes, overlapping inputs, the first killed (SIGKILL) and rerun',
    async ({ processes, ranges }) => {
      const spec = engine.spec(tmp, `issue${processes}`)
      const files = ranges.map(([from, to], i) =>
        records(`in-${engine.name}-${processes}-${i}.csv`, from as number, to as number),
      )
      const runs = await Promise.all(files.map((file, i) => hcert(issueArgs(file, spec), i === 0)))
      for (const run of runs.slice(1)) expect(run.code, run.stderr).toBe(0)
      const rerun = await hcert(issueArgs(files[0] as string, spec))
      expect(rerun.code, rerun.stderr).toBe(0)
      expect(rerun.lines).toHaveLength(TOTAL)
      for (const [i, run] of runs.entries()) {
        if (i === 0) continue
        const [from, to] = ranges[i] as number[]
        expect(run.lines).toHaveLength((to as number) - (from as number) + 1)
      }
      checkLedger(engine, spec, TOTAL, [...runs, rerun])
    },
    300_000,
  )

  it.each([{ processes: 2 }, { processes: 4 }])(
    'renew: $processes processes at once, the first killed (SIGKILL) and rerun: each certificate renewed once',
    async ({ processes }) => {
      const spec = engine.spec(tmp, `renew${processes}`)
      const issued = await hcert(issueArgs(records(`r-${engine.name}-${processes}.csv`, 1, 600), spec))
      expect(issued.code, issued.stderr).toBe(0)
      const renewArgs = ['renew', '--expired', '--key-dir', KEYS_EXAMPLE, '--ledger', spec, '--at', RENEW_AT]
      const runs = await Promise.all(Array.from({ length: processes }, (_, i) => hcert(renewArgs, i === 0)))
      for (const run of runs.slice(1)) expect(run.code, run.stderr).toBe(0)
      const rerun = await hcert(renewArgs)
      expect(rerun.code, rerun.stderr).toBe(0)
      const all = [...runs, rerun]
      // a UVCI on several output lines is one renewal written again (the rerun writes out what the
      // runs before it renewed: its output is complete), never a second certificate
      const hc1ByUvci = new Map<string, unknown>()
      for (const line of all.flatMap((r) => r.lines)) {
        const seen = hc1ByUvci.get(String(line.uvci))
        if (seen !== undefined) expect(line.hc1).toBe(seen)
        hc1ByUvci.set(String(line.uvci), line.hc1)
      }
      expect(hc1ByUvci.size).toBe(600)
      expect(new Set(rerun.lines.map((l) => l.uvci)).size).toBe(600)
      const ledger = engine.open(spec)
      try {
        // 600 issued and 600 renewals, each of an issued one, none renewed twice
        expect(ledger.allIds()).toHaveLength(1200)
        const keys = Array.from({ length: 600 }, (_, i) => `id:P${i + 1}`)
        const chains = ledger.issuedForKeys(keys)
        for (const chain of chains.values()) expect(chain.uvcis).toHaveLength(2)
        const heads = new Map([...chains.values()].map((c) => [c.head.uvci, c]))
        for (const line of all.flatMap((r) => r.lines)) {
          const chain = heads.get(String(line.uvci))
          expect(chain?.head.hc1).toBe(line.hc1)
          expect(chain?.uvcis[0]).toBe(line.replaces)
        }
        expect(ledger.reservationCount()).toBe(0)
      } finally {
        ledger.close()
      }
    },
    300_000,
  )
})
