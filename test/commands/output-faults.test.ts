/**
 * Outputs that fail or destroy (tester findings b1: 1, 2, 3, 7, 8, 11), through the built CLI as
 * real processes: stdin's file given as an output, renew's re-run output, stdout full (/dev/full) or
 * closed (| head), rejects files of other batches, escape sequences in batch names, dry-run counts.
 */
import { spawnSync } from 'node:child_process'
import { existsSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it, vi } from 'vitest'
import { BIN, runCli } from '../helpers/cli.js'
import { KEYS_EXAMPLE } from '../helpers/keys.js'
import { vaccinationCsv } from '../helpers/records.js'
import { freshFolders } from '../helpers/folders.js'

vi.setConfig({ testTimeout: 180_000 })

/** a fresh folder per test */
const folder = freshFolders('hcert-output-faults-')
const AT = '2021-12-21T00:00:00Z'
const csv = (count: number, prefix = 'P', bad?: (i: number) => boolean): string =>
  vaccinationCsv({ to: count, prefix, bad })
const issueArgs = (dir: string): string[] => [
  '--key-dir',
  KEYS_EXAMPLE,
  '--ledger',
  join(dir, 'l.sqlite'),
  '--at',
  AT,
]
/** a shell line, so that stdin, stdout and pipes are real files and pipes */
function sh(line: string, cwd: string): { code: number; stdout: string; stderr: string } {
  const r = spawnSync('bash', ['-c', line], {
    cwd,
    encoding: 'utf8',
    env: { ...process.env, NO_COLOR: '1', H: `${process.execPath} ${BIN}` },
  })
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr }
}
const lines = (path: string): string[] => readFileSync(path, 'utf8').split('\n').filter(Boolean)

describe('an output that is the file on stdin (finding 2)', () => {
  it.each(['--out', '--rejects'])('%s c.csv < c.csv is refused before anything is read', (flag) => {
    const dir = folder()
    const text = csv(3)
    writeFileSync(join(dir, 'c.csv'), text)
    const r = sh(`$H issue - ${issueArgs(dir).join(' ')} ${flag} c.csv < c.csv`, dir)
    expect(r.code).toBe(2)
    expect(r.stderr).toMatch(/ERR_USAGE.*is the input \(the file given on stdin\)/)
    expect(readFileSync(join(dir, 'c.csv'), 'utf8')).toBe(text)
    expect(existsSync(join(dir, 'l.sqlite'))).toBe(false)
  })
})

describe('renew run again writes the earlier renewals out again (finding 1)', () => {
  it('a second run keeps --out complete and counts them as already renewed', () => {
    const dir = folder()
    writeFileSync(join(dir, 'b.csv'), csv(4))
    expect(runCli(['issue', join(dir, 'b.csv'), ...issueArgs(dir), '--out', join(dir, 'o.jsonl')]).code).toBe(
      0,
    )
    const renew = [
      'renew',
      '--expiring-within',
      '400d',
      '--key-dir',
      KEYS_EXAMPLE,
      '--ledger',
      join(dir, 'l.sqlite'),
      '--at',
      '2022-06-01T00:00:00Z',
      '--out',
      join(dir, 'r.jsonl'),
    ]
    const first = runCli(renew)
    expect(first.code).toBe(0)
    const before = lines(join(dir, 'r.jsonl'))
    expect(before).toHaveLength(4)
    const second = runCli([...renew, '--json'])
    expect(second.code).toBe(0)
    const report = JSON.parse(second.stdout) as { renewed: number; alreadyRenewed: number }
    expect(report).toMatchObject({ renewed: 0, alreadyRenewed: 4 })
    expect(lines(join(dir, 'r.jsonl'))).toEqual(before)
  })
})

describe('stdout that fails (finding 3)', () => {
  it.each([
    ['issue', (dir: string) => `$H issue b.csv ${issueArgs(dir).join(' ')}`],
    ['issue --json', (dir: string) => `$H issue b.csv ${issueArgs(dir).join(' ')} --json`],
    [
      'stats',
      (dir: string) =>
        `$H issue b.csv ${issueArgs(dir).join(' ')} >/dev/null 2>&1; $H stats --ledger l.sqlite`,
    ],
    [
      'export',
      (dir: string) =>
        `$H issue b.csv ${issueArgs(dir).join(' ')} >/dev/null 2>&1; $H export --ledger l.sqlite --all`,
    ],
    [
      'renew',
      (dir: string) =>
        `$H issue b.csv ${issueArgs(dir).join(' ')} >/dev/null 2>&1; $H renew --ledger l.sqlite --key-dir ${KEYS_EXAMPLE} --expiring-within 400d --at 2022-06-01T00:00:00Z`,
    ],
  ])('%s > /dev/full: ERR_USAGE exit 2 naming stdout, not ERR_INTERNAL', (_name, line) => {
    const dir = folder()
    writeFileSync(
      join(dir, 'b.csv'),
      csv(3, 'P', (i) => i === 3),
    )
    const r = sh(`${line(dir)} > /dev/full`, dir)
    expect(r.code).toBe(2)
    expect(r.stderr).toMatch(/\[ERR_USAGE\] cannot write stdout: no space left on the device \(ENOSPC\)/)
    expect(r.stderr).not.toMatch(/ERR_INTERNAL|this is a bug/)
    // no success line beside the error: "Exported 3 certificates", "Batch b.csv: 3 records …", "Renew …: 3 renewed"
    expect(r.stderr).not.toMatch(/Exported \d|Batch b\.csv|Renew /)
  })

  it('export | head -1: the error, and no "Exported N certificates" line', () => {
    const dir = folder()
    writeFileSync(join(dir, 'b.csv'), csv(400))
    const r = sh(
      `$H issue b.csv ${issueArgs(dir).join(' ')} >/dev/null 2>&1; $H export --ledger l.sqlite --all | head -1 > first.jsonl; echo "exit=\${PIPESTATUS[0]}" >&2`,
      dir,
    )
    expect(r.stderr).toMatch(/exit=2/)
    expect(r.stderr).toMatch(/cannot write stdout: the reader closed the pipe/)
    expect(r.stderr).not.toMatch(/Exported/)
  })

  it('issue | head -1 is an error exit saying the certificates are committed', () => {
    const dir = folder()
    writeFileSync(join(dir, 'b.csv'), csv(400))
    const r = sh(
      `$H issue b.csv ${issueArgs(dir).join(' ')} | head -1 > first.jsonl; echo "exit=\${PIPESTATUS[0]}" >&2`,
      dir,
    )
    expect(r.stderr).toMatch(/exit=2/)
    expect(r.stderr).toMatch(
      /cannot write stdout: the reader closed the pipe.*\(EPIPE\).*committed to the ledger.*hcert export/,
    )
    expect(lines(join(dir, 'first.jsonl'))).toHaveLength(1)
  })
})

describe('a reader slower than the run (CI, multi-process renew: exit 13 and no report)', () => {
  // 110 certificates are 71–76 KB: more than a pipe holds (64 KB), and the 7–12 KB left queued is
  // under the stream's 16 KB mark, so no 'drain' ever comes. The reader starts after the run ends.
  it.each([
    [
      'issue',
      (dir: string) => `$H issue b.csv ${issueArgs(dir).join(' ')}`,
      /Batch b\.csv: 110 records, 110 issued/,
    ],
    [
      'export',
      (dir: string) =>
        `$H issue b.csv ${issueArgs(dir).join(' ')} >/dev/null 2>&1; $H export --ledger l.sqlite --all`,
      /Exported 110 certificates/,
    ],
    [
      'renew',
      (dir: string) =>
        `$H issue b.csv ${issueArgs(dir).join(' ')} >/dev/null 2>&1; $H renew --ledger l.sqlite --key-dir ${KEYS_EXAMPLE} --expired --at 2023-01-15T00:00:00Z`,
      /110 renewed/,
    ],
  ])('%s | (sleep; wc): exit 0, every line out, then its summary', (_name, line, summary) => {
    const dir = folder()
    writeFileSync(join(dir, 'b.csv'), csv(110))
    const r = sh(`${line(dir)} | (sleep 2; wc -l); echo "exit=\${PIPESTATUS[0]}" >&2`, dir)
    expect(r.stderr).toMatch(/exit=0/)
    expect(r.stdout.trim()).toBe('110')
    expect(r.stderr).toMatch(summary)
  })
})

describe('a stderr reader slower than the run', () => {
  it('a report longer than a pipe holds (1,500 rejections, ~160 KB) reaches its last line before exit 4', () => {
    const dir = folder()
    writeFileSync(
      join(dir, 'b.csv'),
      csv(1500, 'P', () => true),
    )
    // process.exit dropped what a full pipe had not taken: the reader got the first 64 KB
    const r = sh(
      `$H issue b.csv ${issueArgs(dir).join(' ')} 2>&1 >/dev/null | (sleep 2; cat) > report.txt; echo "exit=\${PIPESTATUS[0]}" >&2`,
      dir,
    )
    expect(r.stderr).toMatch(/exit=4/)
    const report = readFileSync(join(dir, 'report.txt'), 'utf8')
    expect(report.length).toBeGreaterThan(100_000)
    expect(report.trimEnd().split('\n').at(-1)).toMatch(/… and 500 more/)
  })
})

describe('a run with no rejections and an earlier rejects file (finding 7)', () => {
  it("keeps another batch's rejects file, with a warning that counts, and removes one whose records are issued", () => {
    const dir = folder()
    writeFileSync(
      join(dir, 'b.csv'),
      csv(4, 'B', (i) => i > 2),
    )
    writeFileSync(join(dir, 'ok.csv'), csv(2, 'K'))
    const rejects = join(dir, 'rejects.csv')
    const issue = (file: string): ReturnType<typeof runCli> =>
      runCli([
        'issue',
        join(dir, file),
        ...issueArgs(dir),
        '--rejects',
        rejects,
        '--out',
        join(dir, 'o.jsonl'),
      ])
    expect(issue('b.csv').code).toBe(4)
    const kept = readFileSync(rejects, 'utf8')
    const other = issue('ok.csv')
    expect(other.code).toBe(0)
    expect(readFileSync(rejects, 'utf8')).toBe(kept)
    expect(other.stderr).toMatch(
      /warning: --rejects .*: 2 records of the rejects file it replaces, neither issued since nor in this input, are carried into it unchanged/,
    )
    expect(other.stderr).not.toMatch(/Nguyen|Van [A-Z]/)
    // the same batch, fixed: every record of the rejects file is issued now, so it goes
    writeFileSync(join(dir, 'b.csv'), csv(4, 'B'))
    const fixed = issue('b.csv')
    expect(fixed.code).toBe(0)
    expect(existsSync(rejects)).toBe(false)
  })
})

describe('escape sequences in the batch name (finding 8)', () => {
  it('an input file name is shown escaped; --batch with a control character is a usage error', () => {
    const dir = folder()
    const evil = 'evil\u001b[31m.csv'
    writeFileSync(join(dir, evil), csv(1))
    const named = runCli(['issue', join(dir, evil), ...issueArgs(dir), '--out', join(dir, 'o.jsonl')])
    expect(named.code).toBe(0)
    expect(named.stderr).not.toContain('\u001b')
    expect(named.stderr).toContain('Batch evil\\u001b[31m.csv')
    writeFileSync(join(dir, 'b.csv'), csv(1))
    const flagged = runCli([
      'issue',
      join(dir, 'b.csv'),
      ...issueArgs(dir),
      '--batch',
      'a\u001b]0;title\u0007b',
    ])
    expect(flagged.code).toBe(2)
    expect(flagged.stderr).toMatch(/ERR_USAGE.*--batch holds a control character/)
    // eslint-disable-next-line no-control-regex
    expect(flagged.stderr).not.toMatch(/[\u001b\u0007]/)
  })
})

describe('a dry run says what would be issued (finding 11)', () => {
  it('text "N would be issued", --json wouldIssue (issued stays 0: nothing is signed)', () => {
    const dir = folder()
    writeFileSync(
      join(dir, 'b.csv'),
      csv(3, 'P', (i) => i === 3),
    )
    const text = runCli(['issue', join(dir, 'b.csv'), ...issueArgs(dir), '--dry-run'])
    expect(text.code).toBe(4)
    expect(text.stderr).toMatch(
      /Dry run: nothing signed: 3 records, 2 would be issued, 0 already issued, 1 rejected/,
    )
    const json = runCli(['issue', join(dir, 'b.csv'), ...issueArgs(dir), '--dry-run', '--json'])
    expect(JSON.parse(json.stdout)).toMatchObject({ dryRun: true, issued: 0, wouldIssue: 2, rejected: 1 })
  })
})
