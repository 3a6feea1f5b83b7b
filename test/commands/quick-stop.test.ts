/**
 * Round 9, finding 4: the second Ctrl-C (or SIGTERM) stops at once, and still says what was
 * committed: one line on stderr ("Interrupted (SIGINT): … Run the same command again …") and, with
 * --json, a small JSON object on stdout ({ interrupted, stoppedAtOnce, records }). Real processes.
 */
import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import Database from 'better-sqlite3'
import { describe, expect, it, vi } from 'vitest'
import { signalWhen } from '../helpers/cli.js'
import { KEYS_EXAMPLE } from '../helpers/keys.js'
import { vaccinationCsv } from '../helpers/records.js'

vi.setConfig({ testTimeout: 180_000 })

function certificates(ledger: string): number {
  try {
    const db = new Database(ledger, { readonly: true, fileMustExist: true })
    const { n } = db.prepare('SELECT count(*) AS n FROM certificates').get() as { n: number }
    db.close()
    return n
  } catch {
    return 0
  }
}

/** runs the CLI; once the ledger holds a certificate, sends `signal` twice, 20 ms apart */
function runAndSignalTwice(
  args: string[],
  ledger: string,
  signal: NodeJS.Signals,
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return signalWhen(args, () => certificates(ledger) > 0, [signal, signal])
}

describe('a second signal stops at once and says what was committed', () => {
  it('issue --json: exit 130, a line on stderr and a JSON object with the count on stdout', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'hcert-quick-stop-'))
    const input = join(dir, 'big.csv')
    writeFileSync(input, vaccinationCsv({ to: 20_000 }))
    const ledger = join(dir, 'l.sqlite')
    const run = await runAndSignalTwice(
      [
        'issue',
        input,
        '--key-dir',
        KEYS_EXAMPLE,
        '--ledger',
        ledger,
        '--at',
        '2021-07-01T00:00:00Z',
        '--json',
      ],
      ledger,
      'SIGINT',
    )
    expect(run.code).toBe(130)
    const report = JSON.parse(run.stdout) as { interrupted: string; stoppedAtOnce: boolean; records: number }
    expect(report).toMatchObject({ interrupted: 'SIGINT', stoppedAtOnce: true })
    expect(report.records).toBeLessThanOrEqual(certificates(ledger))
    expect(run.stderr).toMatch(/Interrupted \(SIGINT\): .*Run the same command again/)
    expect(run.stderr).not.toMatch(/Nguyen/)
  })
})
