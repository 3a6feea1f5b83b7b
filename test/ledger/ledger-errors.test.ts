/**
 * A damaged ledger, or a full disk under it, is ERR_LEDGER (exit 2) with what to do, never
 * ERR_INTERNAL; what was committed stays consistent, and a rerun resumes.
 */
import { spawnSync } from 'node:child_process'
import {
  copyFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  truncateSync,
  writeFileSync,
} from 'node:fs'
import { openSync, closeSync, writeSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import Database from 'better-sqlite3'
import { beforeAll, describe, expect, it } from 'vitest'
import { inlineSigner } from '../../src/issue/sign-jobs.js'
import { Ledger } from '../../src/ledger/ledger.js'
import { issueCertificates } from '../../src/services/issue.js'
import { BIN, runCli } from '../helpers/cli.js'
import { exampleSigner, KEYS_EXAMPLE } from '../helpers/keys.js'
import { vaccinationCsv } from '../helpers/records.js'

const tmp = mkdtempSync(join(tmpdir(), 'hcert-ledger-errors-'))
const AT = '2021-12-21T00:00:00Z'

const csv = (from: number, count: number): string => vaccinationCsv({ from, to: from + count - 1 })

const input = join(tmp, 'records.csv')
const base = join(tmp, 'base.sqlite')

beforeAll(async () => {
  writeFileSync(input, csv(1, 1000))
  const signer = exampleSigner('ES256')
  const ledger = new Ledger(base)
  await issueCertificates({
    source: input,
    signer,
    jobSigner: inlineSigner(signer),
    ledger,
    batch: 'records.csv',
    now: new Date(AT),
    validity: { amount: 12, unit: 'm' },
    defaults: { country: 'VN', issuer: 'Ministry of Health' },
    dryRun: false,
  })
  ledger.close() // the last connection checkpoints: everything is in base.sqlite
})

function issueInto(ledger: string, file = input, extra: string[] = []) {
  return runCli([
    'issue',
    file,
    '--key-dir',
    KEYS_EXAMPLE,
    '--ledger',
    ledger,
    '--at',
    AT,
    '--json',
    ...extra,
  ])
}

function expectLedgerError(result: { code: number; stdout: string }, message: RegExp): void {
  expect(result.code).toBe(2)
  const { error } = JSON.parse(result.stdout)
  expect(error).toMatchObject({ code: 'ERR_LEDGER', layer: 'ledger' })
  expect(error.message).toMatch(message)
}

const DAMAGED =
  /is damaged \(SQLITE_(CORRUPT|NOTADB)[^)]*\); hcert wrote nothing more to it\. Restore it from a backup/

describe('a damaged ledger', () => {
  // no SQLite header: a file that is not a ledger (a CSV, a key) or a ledger overwritten whole
  const NOT_A_LEDGER =
    /is not a ledger \(not a SQLite database[^)]*\); give --ledger the ledger file .*restore it from a backup/
  it('a file of garbage: ERR_LEDGER saying what to do, for issue, export and stats; the file is left as it was', () => {
    const path = join(tmp, 'garbage.sqlite')
    const bytes = Buffer.alloc(64 * 1024, 0)
    for (let i = 0; i < bytes.length; i++) bytes[i] = (i * 7919 + 13) % 251
    writeFileSync(path, bytes)
    expectLedgerError(issueInto(path), NOT_A_LEDGER)
    expectLedgerError(runCli(['export', '--all', '--ledger', path, '--json']), NOT_A_LEDGER)
    expectLedgerError(runCli(['stats', '--ledger', path, '--json']), NOT_A_LEDGER)
    expect(readFileSync(path).equals(bytes)).toBe(true)
  })

  it('a page overwritten in the middle, found only when a chunk is looked up: ERR_LEDGER, not ERR_INTERNAL, nothing written', () => {
    const path = join(tmp, 'overwritten.sqlite')
    copyFileSync(base, path)
    // the root page of the idempotency keys' index: what a chunk's lookup reads first (a page
    // number picked by hand moves whenever the schema's layout changes)
    const probe = new Database(path, { readonly: true })
    const root = probe
      .prepare(
        `SELECT rootpage FROM sqlite_master WHERE tbl_name = 'certificates' AND sql IS NULL ORDER BY rootpage LIMIT 1`,
      )
      .pluck()
      .get() as number
    probe.close()
    const fd = openSync(path, 'r+')
    writeSync(fd, Buffer.alloc(16384, 0xa5), 0, 16384, 16384 * (root - 1))
    closeSync(fd)
    const bytes = readFileSync(path)
    expectLedgerError(issueInto(path), DAMAGED)
    expect(readFileSync(path).equals(bytes)).toBe(true)
  })

  it('a truncated ledger: ERR_LEDGER', () => {
    const path = join(tmp, 'truncated.sqlite')
    copyFileSync(base, path)
    truncateSync(path, Math.floor(readFileSync(path).length / 2))
    expectLedgerError(issueInto(path), DAMAGED)
  })
})

describe('a ledger missing a table or a column (dropped by hand, a partial restore)', () => {
  const NOT_COMPLETE =
    /is damaged or not complete \(its (daily_counts table is missing|certificates table lacks the column content)\).*restore the ledger from a copy \(a backup\)$/
  it.each([
    ['a table', 'DROP TABLE daily_counts'],
    ['a column', 'ALTER TABLE certificates DROP COLUMN content'],
  ])(
    '%s: ERR_LEDGER "damaged or not complete" for issue, export, stats and renew; nothing written',
    (_what, sql) => {
      const path = join(tmp, `incomplete-${sql.split(' ')[0]}.sqlite`)
      copyFileSync(base, path)
      const db = new Database(path)
      db.exec(sql)
      db.close()
      const bytes = readFileSync(path)
      expectLedgerError(issueInto(path), NOT_COMPLETE)
      expectLedgerError(runCli(['export', '--all', '--ledger', path, '--json']), NOT_COMPLETE)
      expectLedgerError(runCli(['stats', '--ledger', path, '--json']), NOT_COMPLETE)
      expectLedgerError(
        runCli(['renew', '--expired', '--key-dir', KEYS_EXAMPLE, '--ledger', path, '--dry-run', '--json']),
        NOT_COMPLETE,
      )
      expect(readFileSync(path).equals(bytes)).toBe(true)
    },
  )
})

describe('a ledger on a read-only disk', () => {
  it('stats, export and issue --dry-run read a ledger on a read-only disk (in memory: SQLite can make no -shm file there)', () => {
    const dir = mkdtempSync(join(tmp, 'ro-'))
    const mnt = join(dir, 'mnt')
    mkdirSync(mnt)
    const wal = join(dir, 'wal.sqlite')
    copyFileSync(base, wal) // a ledger in WAL mode, as issue leaves it
    const hcert = `"${process.execPath}" "${BIN}"`
    const ran = spawnSync(
      'unshare',
      [
        ...(process.getuid?.() === 0 ? [] : ['-r']),
        '-m',
        'sh',
        '-c',
        `mount -t tmpfs -o size=2m tmpfs "${mnt}" || exit 99
         cp "${wal}" "${mnt}/l.sqlite" && mount -o remount,ro "${mnt}" || exit 99
         ${hcert} stats --ledger "${mnt}/l.sqlite" --json; echo "exit=$?"
         ${hcert} export --all --ledger "${mnt}/l.sqlite" --json; echo "exit=$?"
         ${hcert} issue "${input}" --key-dir "${KEYS_EXAMPLE}" --ledger "${mnt}/l.sqlite" --dry-run --json; echo "exit=$?"`,
      ],
      { encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' }, maxBuffer: 64 * 1024 * 1024 },
    )
    if (ran.status === 99 || ran.error) return // no mount namespace here: nothing to test with
    const documents = ran.stdout.split(/exit=\d+\n/).slice(0, 3)
    // the dry run reads the ledger: its records are already there under other content (exit 4)
    expect(ran.stdout.match(/exit=\d+$/gm), ran.stdout.slice(-600) + ran.stderr).toEqual([
      'exit=0',
      'exit=0',
      'exit=4',
    ])
    const [stats, exported, dryRun] = documents.map((d) => JSON.parse(d as string))
    expect(stats.totals.issued).toBeGreaterThan(0)
    expect(exported.exported).toBe(stats.totals.issued)
    expect(dryRun.error).toBeUndefined()
    expect(dryRun.rejected).toBeGreaterThan(0)
  })
})

/**
 * A disk that fills during a run: a 2 MB tmpfs in a mount namespace of the child's own when this
 * machine allows it (root, or user namespaces), else a file size limit (ulimit -f) on the child.
 * The ledger is copied out of the tmpfs before the namespace goes.
 */
function issueOnSmallDisk(
  dir: string,
  file: string,
): { code: number; stdout: string; kind: 'tmpfs' | 'ulimit' } {
  const mnt = join(dir, 'mnt')
  mkdirSync(mnt, { recursive: true })
  const issue = `"${process.execPath}" "${BIN}" issue "${file}" --key-dir "${KEYS_EXAMPLE}" --at ${AT} --json --ledger`
  const tmpfs = spawnSync(
    'unshare',
    [
      ...(process.getuid?.() === 0 ? [] : ['-r']),
      '-m',
      'sh',
      '-c',
      `mount -t tmpfs -o size=2m tmpfs "${mnt}" || exit 99
       ${issue} "${mnt}/ledger.sqlite"; code=$?
       cp "${mnt}"/ledger.sqlite* "${dir}/"; exit $code`,
    ],
    { encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' }, maxBuffer: 64 * 1024 * 1024 },
  )
  if (tmpfs.status !== 99 && tmpfs.status !== null && !tmpfs.error)
    return { code: tmpfs.status, stdout: tmpfs.stdout, kind: 'tmpfs' }
  const limited = spawnSync('bash', ['-c', `ulimit -f 2048; exec ${issue} "${dir}/ledger.sqlite"`], {
    encoding: 'utf8',
    env: { ...process.env, NO_COLOR: '1' },
    maxBuffer: 64 * 1024 * 1024,
  })
  return { code: limited.status ?? -1, stdout: limited.stdout, kind: 'ulimit' }
}

describe('a full disk', () => {
  it('is ERR_LEDGER with what to do; whole chunks are committed, the ledger is consistent, and a rerun with room issues the rest once', () => {
    const dir = join(tmp, 'full')
    mkdirSync(dir)
    const file = join(tmp, 'four-chunks.csv')
    writeFileSync(file, csv(1, 4000))
    const result = issueOnSmallDisk(dir, file)
    const path = join(dir, 'ledger.sqlite')
    expect(existsSync(path)).toBe(true)
    const db = new Database(path)
    expect(db.pragma('integrity_check', { simple: true })).toBe('ok')
    const committed = db.prepare('SELECT count(*) FROM certificates').pluck().get() as number
    const daily = db.prepare('SELECT sum(count) FROM daily_counts').pluck().get() as number | null
    db.close()
    // what was kept, as it was: earlier chunks, or none when the first one did not fit
    const kept =
      committed > 0
        ? `what earlier chunks committed is kept \\(${committed} certificates by this run\\)`
        : 'this run had committed nothing to the ledger'
    expectLedgerError(
      result,
      result.kind === 'tmpfs'
        ? new RegExp(
            `the disk is full \\(SQLITE_FULL\\): the chunk being written was not committed; ${kept}.*Free some space and run again`,
          )
        : /could not be written or read \(SQLITE_(IOERR_WRITE|FULL)/,
    )
    expect(committed % 1000).toBe(0)
    expect(committed).toBeLessThan(4000)
    expect(daily ?? 0).toBe(committed)

    const rerun = issueInto(path, file, ['--out', join(dir, 'out.jsonl')])
    expect(rerun.code).toBe(0)
    expect(JSON.parse(rerun.stdout)).toMatchObject({
      records: 4000,
      issued: 4000 - committed,
      alreadyIssued: committed,
    })
    const after = new Database(path, { readonly: true })
    expect(after.prepare('SELECT count(DISTINCT idempotency_key) FROM certificates').pluck().get()).toBe(4000)
    expect(after.prepare('SELECT count(*) FROM certificates').pluck().get()).toBe(4000)
    after.close()
  })
})
