/**
 * A stopped `hcert export` (Ctrl-C, SIGTERM sent to a real process): it stops between certificates,
 * writes no --out file and leaves no temporary file (of --out or of the QR images), says what
 * happened, and exits 130 / 143.
 */
import { existsSync, mkdirSync, mkdtempSync, readdirSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { runCli, signalWhen } from '../helpers/cli.js'
import { KEYS_EXAMPLE } from '../helpers/keys.js'
import { letters } from '../helpers/records.js'

const tmp = mkdtempSync(join(tmpdir(), 'hcert-export-int-'))
const ledger = join(tmp, 'l.sqlite')

/** Runs export; once `qrDir` holds more than `above` images, sends `signal`. */
function runAndSignal(
  args: string[],
  qrDir: string,
  signal: NodeJS.Signals,
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const images = (): number => readdirSync(qrDir).filter((f) => f.endsWith('.png')).length
  return signalWhen(args, () => existsSync(qrDir) && images() > 10, [signal], 'make the ledger larger')
}

const partials = (dir: string): string[] =>
  existsSync(dir) ? readdirSync(dir).filter((f) => f.includes('.partial')) : []

describe('hcert export interrupted', () => {
  const rows = ['id,type,fn,gn,dob,vaccine,dose,doses,date']
  for (let i = 1; i <= 400; i++)
    rows.push(`P${i},v,Nguyen,Van ${letters(i)},1980-01-01,Comirnaty,1,2,2021-06-01`)
  writeFileSync(join(tmp, 'in.csv'), `${rows.join('\n')}\n`)
  const issued = runCli([
    'issue',
    join(tmp, 'in.csv'),
    '--key-dir',
    KEYS_EXAMPLE,
    '--ledger',
    ledger,
    '--out',
    join(tmp, 'issued.jsonl'),
  ])

  for (const [signal, code] of [
    ['SIGINT', 130],
    ['SIGTERM', 143],
  ] as const)
    it(`${signal}: exits ${code}, says so, writes no --out file and leaves no .partial file`, async () => {
      expect(issued.code, issued.stderr).toBe(0)
      const dir = join(tmp, signal)
      mkdirSync(dir)
      const qrDir = join(dir, 'qr')
      const out = join(dir, 'by.jsonl')
      const r = await runAndSignal(
        ['export', '--all', '--ledger', ledger, '--out', out, '--qr-dir', qrDir],
        qrDir,
        signal,
      )
      expect(r.code, r.stderr).toBe(code)
      expect(r.stderr).toMatch(new RegExp(`Interrupted \\(${signal}\\): .*by\\.jsonl was not written`))
      expect(existsSync(out)).toBe(false)
      expect(partials(dir)).toEqual([])
      expect(partials(qrDir)).toEqual([])
    })
})

describe('hcert export --json interrupted', () => {
  it('SIGINT: the report says interrupted, and out is null: no file was written', async () => {
    const dir = join(tmp, 'json')
    mkdirSync(dir)
    const qrDir = join(dir, 'qr')
    const out = join(dir, 'by.jsonl')
    const r = await runAndSignal(
      ['export', '--all', '--ledger', ledger, '--out', out, '--qr-dir', qrDir, '--json'],
      qrDir,
      'SIGINT',
    )
    expect(r.code, r.stderr).toBe(130)
    const report = JSON.parse(r.stdout) as { interrupted?: string; out: string | null; exported: number }
    expect(report.interrupted).toBe('SIGINT')
    expect(report.exported).toBeGreaterThan(0)
    expect(report.out).toBeNull()
    expect(existsSync(out)).toBe(false)
  })
})
