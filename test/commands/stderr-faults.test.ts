/**
 * stderr that cannot be written (a reader that closed the pipe: `2>&1 | head -1`, `2>&1 >/dev/null |
 * true`; a full device) is an output failure like stdout's: exit 2, never ERR_INTERNAL (exit 1), and
 * no error written to the stderr that failed. An error being reported when stderr fails keeps its
 * own exit code. Real processes and pipes.
 */
import { spawnSync } from 'node:child_process'
import { readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { beforeAll, describe, expect, it, vi } from 'vitest'
import { BIN } from '../helpers/cli.js'
import { KEYS_EXAMPLE } from '../helpers/keys.js'
import { vaccinationCsv } from '../helpers/records.js'
import { freshFolders } from '../helpers/folders.js'

vi.setConfig({ testTimeout: 120_000 })

const folder = freshFolders('hcert-stderr-faults-')
const ISSUE = `$H issue b.csv --key-dir ${KEYS_EXAMPLE} --ledger l.sqlite --at 2021-12-21T00:00:00Z`
const env = { ...process.env, NO_COLOR: '1', H: `${process.execPath} ${BIN}` }

/** one folder for the runs below: b.csv (3 records, the third rejected) issued into l.sqlite */
let shared: string
beforeAll(() => {
  shared = folder()
  writeFileSync(join(shared, 'b.csv'), vaccinationCsv({ to: 3, bad: (i) => i === 3 }))
  spawnSync('bash', ['-c', `${ISSUE} --out first.jsonl >/dev/null 2>&1`], { cwd: shared, env })
})

function sh(line: string, cwd = shared): { code: number; stdout: string; stderr: string } {
  const r = spawnSync('bash', ['-c', line], { cwd, encoding: 'utf8', env, timeout: 60_000 })
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr }
}

const RUNS: [string, string][] = [
  ['issue', `${ISSUE} --out o.jsonl`],
  ['issue --dry-run', `${ISSUE} --dry-run`],
  [
    'renew --expired --dry-run',
    `$H renew --expired --dry-run --key-dir ${KEYS_EXAMPLE} --ledger l.sqlite --at 2023-01-15T00:00:00Z`,
  ],
  ['export --uvci (not in the ledger)', '$H export --uvci X --ledger l.sqlite'],
  ['export --all --out', '$H export --all --ledger l.sqlite --out e.jsonl'],
]

describe('stderr whose reader is gone (2>&1 >/dev/null | true)', () => {
  it.each(RUNS)('%s: exit 2, not ERR_INTERNAL', (_name, line) => {
    const r = sh(`${line} 2>&1 >/dev/null | true; echo "exit=\${PIPESTATUS[0]}"`)
    expect(r.stdout.trim()).toBe('exit=2')
  })

  it.each([
    ['verify of a missing file', '$H verify nothing-here.png', 2],
    ['an unknown flag', '$H conformance --no-such-flag', 2],
    ['decode of a missing file', '$H decode nothing-here.png', 3],
  ])('%s: the error it was reporting keeps its exit code', (_name, line, code) => {
    const r = sh(`${line} 2>&1 >/dev/null | true; echo "exit=\${PIPESTATUS[0]}"`)
    expect(r.stdout.trim()).toBe(`exit=${code}`)
  })
})

describe('stderr on a full device (2>/dev/full)', () => {
  it.each(RUNS.slice(0, 1).concat(RUNS.slice(-1)))('%s: exit 2', (_name, line) => {
    const r = sh(`${line} 2>/dev/full >/dev/null; echo "exit=$?"`)
    expect(r.stdout.trim()).toBe('exit=2')
  })

  it('--json, which writes nothing to stderr: its document and exit code are unchanged', () => {
    const r = sh(
      `$H renew --expired --key-dir ${KEYS_EXAMPLE} --ledger l.sqlite --at 2023-01-15T00:00:00Z --out r.jsonl --json 2>/dev/full; echo "exit=$?" >&2`,
    )
    // renew --json writes nothing to stderr: its document is the report
    expect(r.stderr.trim()).toBe('exit=0')
    expect(JSON.parse(r.stdout)).toMatchObject({ renewed: 2 })
  })
})

describe('2>&1 | head -1 (tester finding 1)', () => {
  it('issue with a long report: head shows its first line, the run exits 2, nothing is lost', () => {
    const dir = folder()
    // 900 rejections listed: ~100 KB of report, more than a pipe holds, so head closes it mid-report
    writeFileSync(join(dir, 'b.csv'), vaccinationCsv({ to: 1000, bad: (i) => i > 100 }))
    const r = sh(`${ISSUE} --out o.jsonl 2>&1 | head -1; echo "exit=\${PIPESTATUS[0]}"`, dir)
    expect(r.stdout).toMatch(
      /^Batch b\.csv: 1000 records, 100 issued, 0 already issued, 900 rejected\nexit=2\n$/,
    )
    expect(r.stderr).toBe('')
    expect(readFileSync(join(dir, 'o.jsonl'), 'utf8').trim().split('\n')).toHaveLength(100)
  })
})
