/**
 * Issue 11, file safety and honest no-ops, through the built CLI as real processes: outputs that
 * would destroy an input, planted symbolic links, modes, write failures (a missing folder, a file
 * size limit as a full disk, no permission), dry runs, and renew's preview and future clock.
 */
import { execFileSync, spawnSync } from 'node:child_process'
import {
  chmodSync,
  chownSync,
  cpSync,
  existsSync,
  linkSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  statSync,
  symlinkSync,
  writeFileSync,
  lstatSync,
} from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import Database from 'better-sqlite3'
import { describe, expect, it, vi } from 'vitest'
import { BIN, runCli } from '../helpers/cli.js'
import { KEYS_EXAMPLE } from '../helpers/keys.js'
import { vaccinationFor } from '../helpers/payloads.js'
import { letters, vaccinationCsv } from '../helpers/records.js'

// each test runs the CLI several times: on a busy machine that can pass the 60 s default
vi.setConfig({ testTimeout: 180_000 })

const root = mkdtempSync(join(tmpdir(), 'hcert-safety-'))
let n = 0
/** a fresh folder per test */
const folder = (): string => {
  const dir = join(root, String(n++))
  mkdirSync(dir)
  return dir
}
const AT = '2021-12-21T00:00:00Z'
const csv = (count: number, bad?: (i: number) => boolean): string => vaccinationCsv({ to: count, bad })

const issueArgs = (dir: string, input: string, ...more: string[]): string[] => [
  'issue',
  input,
  '--key-dir',
  KEYS_EXAMPLE,
  '--ledger',
  join(dir, 'ledger.sqlite'),
  '--at',
  AT,
  ...more,
]

function certificatesIn(ledger: string): number {
  const db = new Database(ledger, { readonly: true, fileMustExist: true })
  const { n: count } = db.prepare('SELECT count(*) AS n FROM certificates').get() as { n: number }
  db.close()
  return count
}

/** temporary files hcert may have left (`.<name>.<random>.partial`, or the old `<name>.partial`) */
const leftovers = (dir: string): string[] =>
  readdirSync(dir, { recursive: true, encoding: 'utf8' }).filter((f) => f.includes('.partial'))

const errorOf = (stdout: string): { code: string; layer: string; message: string } =>
  (JSON.parse(stdout) as { error: { code: string; layer: string; message: string } }).error

describe('nothing lost: an output that is an input is refused before anything is read', () => {
  it('--rejects the input file: refused (exit 2, ERR_USAGE), the input intact, no ledger created', () => {
    const dir = folder()
    const input = join(dir, 'records.csv')
    const text = csv(50, (i) => i % 5 === 0)
    writeFileSync(input, text)
    const result = runCli(issueArgs(dir, input, '--rejects', input, '--json'))
    expect(result.code).toBe(2)
    expect(errorOf(result.stdout)).toMatchObject({ code: 'ERR_USAGE', layer: 'usage' })
    expect(errorOf(result.stdout).message).toMatch(/--rejects .* is the input/)
    expect(readFileSync(input, 'utf8')).toBe(text)
    expect(existsSync(join(dir, 'ledger.sqlite'))).toBe(false)
  })

  it('the same file by another name (a hard link), the ledger, a key file, or two outputs at one path: refused', () => {
    const dir = folder()
    const input = join(dir, 'records.csv')
    writeFileSync(input, csv(3))
    linkSync(input, join(dir, 'alias.csv'))
    const refused = (more: string[], pattern: RegExp): void => {
      const result = runCli(issueArgs(dir, input, ...more, '--json'))
      expect(result.code, more.join(' ')).toBe(2)
      expect(errorOf(result.stdout).message).toMatch(pattern)
    }
    refused(['--out', join(dir, 'alias.csv')], /--out .* is the input/)
    expect(runCli(issueArgs(dir, input, '--out', join(dir, 'first.jsonl'))).code).toBe(0)
    refused(['--out', join(dir, 'ledger.sqlite')], /--out .* is the ledger/)
    refused(['--rejects', join(dir, 'ledger.sqlite-wal')], /is a file of the ledger/)
    refused(['--out', join(KEYS_EXAMPLE, 'dsc.key.pem')], /is a key file/)
    refused(['--out', join(dir, 'x.jsonl'), '--rejects', join(dir, '.', 'x.jsonl')], /are the same file/)
    expect(readFileSync(input, 'utf8')).toBe(csv(3))
    expect(certificatesIn(join(dir, 'ledger.sqlite'))).toBe(3)
  })
})

describe('nothing lost: no planted symbolic link is followed', () => {
  it('links planted at <out>.partial and at an image name are replaced, their targets untouched', () => {
    const dir = folder()
    const victim = join(dir, 'victim.txt')
    writeFileSync(victim, 'precious\n')
    const input = join(dir, 'records.json')
    // given UVCIs, so that the image names are known in advance
    const record = (i: number): string =>
      JSON.stringify(
        vaccinationFor(`Van ${letters(i)}`, `URN:UVCI:01:VN:SAFETY/${i}#${letters(i)}`, i === 2 ? 5 : 1),
      )
    writeFileSync(input, `[${[1, 2, 3].map(record).join(',')}]`)
    const out = join(dir, 'out.jsonl')
    const rejects = join(dir, 'rejects.json')
    const qrDir = join(dir, 'qr')
    mkdirSync(qrDir, { mode: 0o700 })
    symlinkSync(victim, `${out}.partial`)
    symlinkSync(victim, join(qrDir, 'URN_UVCI_01_VN_SAFETY%2F1%23B.png'))
    const result = runCli(
      issueArgs(dir, input, '--out', out, '--rejects', rejects, '--qr-dir', qrDir, '--json'),
    )
    expect(result.code).toBe(4)
    expect(readFileSync(victim, 'utf8')).toBe('precious\n')
    for (const file of [out, rejects, join(qrDir, 'URN_UVCI_01_VN_SAFETY%2F1%23B.png')]) {
      expect(lstatSync(file).isFile(), file).toBe(true)
      expect(lstatSync(file).mode & 0o777, file).toBe(0o600)
    }
    expect(readFileSync(out, 'utf8').trim().split('\n')).toHaveLength(2)
    expect(JSON.parse(readFileSync(rejects, 'utf8'))).toHaveLength(1)
    expect(leftovers(dir)).toEqual([`out.jsonl.partial`])
    expect(lstatSync(`${out}.partial`).isSymbolicLink()).toBe(true) // never opened
  })

  it('a link, a device, a pipe or - at --out or --rejects, or the input as --ledger, is refused before anything is read (a link is not replaced: it may be /dev/stdout)', () => {
    const dir = folder()
    const victim = join(dir, 'victim.txt')
    writeFileSync(victim, 'precious\n')
    const input = join(dir, 'records.csv')
    writeFileSync(
      input,
      'type,fn,gn,dob,vaccine,dose,doses,date\nv,Nguyen,Van A,1980-01-01,Comirnaty,1,2,2021-06-01\n',
    )
    const link = join(dir, 'link.jsonl')
    symlinkSync(victim, link)
    const pipe = join(dir, 'pipe')
    execFileSync('mkfifo', [pipe])
    for (const [flag, path, why] of [
      ['--out', link, /symbolic link/],
      ['--rejects', link, /symbolic link/],
      ['--out', pipe, /not a regular file/],
      ['--out', '/dev/null', /not a regular file/],
      ['--out', '-', /leave --out out/],
      ['--ledger', input, /is the input/],
    ] as const) {
      const args =
        flag === '--ledger'
          ? issueArgs(dir, input, '--json').map((a) => (a === join(dir, 'ledger.sqlite') ? path : a))
          : issueArgs(dir, input, flag, path, '--json')
      const result = runCli(args)
      expect(result.code, `${flag} ${path}`).toBe(2)
      expect(errorOf(result.stdout)).toMatchObject({ code: 'ERR_USAGE' })
      expect(errorOf(result.stdout).message).toMatch(why)
    }
    expect(readFileSync(victim, 'utf8')).toBe('precious\n')
    expect(lstatSync(link).isSymbolicLink()).toBe(true)
    expect(lstatSync(pipe).isFIFO()).toBe(true)
    expect(lstatSync('/dev/null').isCharacterDevice()).toBe(true)
    expect(readFileSync(input, 'utf8')).toMatch(/^type,fn,gn/)
    expect(existsSync(join(dir, 'ledger.sqlite'))).toBe(false)
  })

  it('keys generate: a link planted at a key file is refused without --force and replaced with it; the target untouched', () => {
    const dir = folder()
    const victim = join(dir, 'victim.pem')
    writeFileSync(victim, 'not a key\n')
    const keys = join(dir, 'keys')
    mkdirSync(keys, { mode: 0o700 })
    symlinkSync(victim, join(keys, 'dsc.key.pem'))
    const refused = runCli(['keys', 'generate', '--out', keys, '--json'])
    expect(refused.code).toBe(2)
    expect(errorOf(refused.stdout).code).toBe('ERR_KEYS')
    const forced = runCli(['keys', 'generate', '--out', keys, '--force', '--json'])
    expect(forced.code).toBe(0)
    expect(readFileSync(victim, 'utf8')).toBe('not a key\n')
    expect(lstatSync(join(keys, 'dsc.key.pem')).isFile()).toBe(true)
    expect(statSync(join(keys, 'dsc.key.pem')).mode & 0o777).toBe(0o600)
    expect(readFileSync(join(keys, 'dsc.key.pem'), 'utf8')).toMatch(/BEGIN PRIVATE KEY/)
    expect(leftovers(keys)).toEqual([])
  })

  it('a ledger path that is a symbolic link is refused (ERR_LEDGER, exit 2), its target untouched', () => {
    const dir = folder()
    const victim = join(dir, 'victim.txt')
    writeFileSync(victim, 'precious\n')
    symlinkSync(victim, join(dir, 'ledger.sqlite'))
    const input = join(dir, 'records.csv')
    writeFileSync(input, csv(2))
    const result = runCli(issueArgs(dir, input, '--json'))
    expect(result.code).toBe(2)
    expect(errorOf(result.stdout)).toMatchObject({ code: 'ERR_LEDGER' })
    expect(errorOf(result.stdout).message).toMatch(/symbolic link/)
    expect(readFileSync(victim, 'utf8')).toBe('precious\n')
  })
})

describe('nothing lost: modes', () => {
  it('an existing rejects file and ledger with a looser mode end 0600; out, images and a new QR folder are 0600/0700', () => {
    const dir = folder()
    const input = join(dir, 'records.csv')
    writeFileSync(
      input,
      csv(3, (i) => i === 2),
    )
    const rejects = join(dir, 'rejects.csv')
    const ledger = join(dir, 'ledger.sqlite')
    expect(runCli(issueArgs(dir, input)).code).toBe(4) // creates the ledger
    writeFileSync(rejects, 'id,reason\nold,earlier run\n') // an earlier run's rejects (hcert replaces no other file)
    chmodSync(rejects, 0o644)
    chmodSync(ledger, 0o644)
    const qrDir = join(dir, 'qr', 'nested')
    const result = runCli(
      issueArgs(dir, input, '--rejects', rejects, '--out', join(dir, 'out.jsonl'), '--qr-dir', qrDir),
    )
    expect(result.code).toBe(4)
    expect(statSync(rejects).mode & 0o777).toBe(0o600)
    expect(readFileSync(rejects, 'utf8')).toMatch(/^id,/)
    expect(statSync(ledger).mode & 0o777).toBe(0o600)
    expect(statSync(join(dir, 'out.jsonl')).mode & 0o777).toBe(0o600)
    expect(statSync(qrDir).mode & 0o777).toBe(0o700)
    const images = readdirSync(qrDir)
    expect(images).toHaveLength(4)
    for (const image of images) expect(statSync(join(qrDir, image)).mode & 0o777, image).toBe(0o600)
  })
})

describe('nothing lost: a failure to write is a coded error, before any commit where it can be checked', () => {
  it('--out or --rejects in a folder that does not exist: ERR_USAGE exit 2 as JSON, nothing committed, no ledger', () => {
    const dir = folder()
    const input = join(dir, 'records.csv')
    writeFileSync(
      input,
      csv(3, (i) => i === 2),
    )
    for (const flag of ['--out', '--rejects']) {
      const result = runCli(issueArgs(dir, input, flag, join(dir, 'missing', 'file'), '--json'))
      expect(result.code, flag).toBe(2)
      expect(result.stderr).not.toMatch(/at .*\.js:\d+/)
      expect(errorOf(result.stdout)).toEqual({
        code: 'ERR_USAGE',
        layer: 'usage',
        message: `cannot write ${join(dir, 'missing', 'file')}: the folder ${join(dir, 'missing')} does not exist (ENOENT)`,
      })
    }
    expect(existsSync(join(dir, 'ledger.sqlite'))).toBe(false)
    const text = runCli(issueArgs(dir, input, '--rejects', join(dir, 'missing', 'r.csv')))
    expect(text.code).toBe(2)
    expect(text.stderr).toMatch(/^error \[ERR_USAGE\] cannot write .*r\.csv: the folder .* does not exist/)
  })

  it('a file size limit reached while writing --out (a full disk): ERR_USAGE exit 2, no temporary file; a rerun completes', () => {
    const dir = folder()
    const input = join(dir, 'records.csv')
    // 120 certificates: ~78 KB of --out (past the 32 KB limit of the first run) and a ledger of
    // ~300 KB (past the second run's 256 KB, which holds the empty ledger's schema pages)
    const count = 120
    writeFileSync(input, csv(count))
    const out = join(dir, 'out.jsonl')
    const ledger = join(dir, 'ledger.sqlite')
    const run = (limitKb: number, ledgerPath: string): ReturnType<typeof spawnSync> =>
      spawnSync(
        'bash',
        [
          '-c',
          `ulimit -f ${limitKb}; exec "$0" "$@"`,
          process.execPath,
          BIN,
          ...issueArgs(dir, input, '--out', out, '--json').map((a) =>
            a === join(dir, 'ledger.sqlite') ? ledgerPath : a,
          ),
        ],
        { encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' } },
      )
    // the ledger in memory: --out is what reaches the limit
    const full = run(32, ':memory:')
    expect(full.status).toBe(2)
    expect(errorOf(full.stdout as string)).toMatchObject({ code: 'ERR_USAGE' })
    expect(errorOf(full.stdout as string).message).toMatch(/file size limit .*EFBIG/)
    expect(existsSync(out)).toBe(false)
    expect(leftovers(dir)).toEqual([])

    // the ledger itself on a full disk (--out, ~78 KB, stays under 256 KB): ERR_LEDGER, exit 2; what
    // it committed stays, a rerun finishes
    const ledgerFull = run(256, ledger)
    expect(ledgerFull.status).toBe(2)
    expect(errorOf(ledgerFull.stdout as string)).toMatchObject({ code: 'ERR_LEDGER' })
    expect(leftovers(dir)).toEqual([])
    const rerun = runCli(issueArgs(dir, input, '--out', out))
    expect(rerun.code).toBe(0)
    expect(certificatesIn(ledger)).toBe(count)
    expect(readFileSync(out, 'utf8').trim().split('\n')).toHaveLength(count)
  })

  it('no permission to write in the --out folder: ERR_USAGE exit 2 before the ledger is created', () => {
    const dir = folder()
    const input = join(dir, 'records.csv')
    writeFileSync(input, csv(3))
    const locked = join(dir, 'locked')
    mkdirSync(locked, { mode: 0o555 })
    chmodSync(dir, 0o777)
    const keys = join(dir, 'keys')
    cpSync(KEYS_EXAMPLE, keys, { recursive: true })
    const asRoot = process.getuid?.() === 0
    chmodSync(root, 0o711)
    // root may write anywhere: run the command as nobody
    if (asRoot)
      for (const f of [dir, input, keys, ...readdirSync(keys).map((f) => join(keys, f))])
        chownSync(f, 65534, 65534)
    const result = spawnSync(
      process.execPath,
      [
        BIN,
        'issue',
        input,
        '--key-dir',
        keys,
        '--ledger',
        join(dir, 'ledger.sqlite'),
        '--at',
        AT,
        '--out',
        join(locked, 'out.jsonl'),
        '--json',
      ],
      {
        encoding: 'utf8',
        env: { ...process.env, NO_COLOR: '1', HOME: dir },
        ...(asRoot ? { uid: 65534, gid: 65534 } : {}),
      },
    )
    expect(result.status).toBe(2)
    expect(errorOf(result.stdout)).toMatchObject({ code: 'ERR_USAGE' })
    expect(errorOf(result.stdout).message).toMatch(/no permission to write in .*locked \(EACCES\)/)
    expect(existsSync(join(dir, 'ledger.sqlite'))).toBe(false)
  })
})

describe('QR images: one file name per UVCI', () => {
  // two UVCIs of the UVCI grammar (issue input refuses others) that a mapping of / and # to _ made one name
  it('UVCIs that differ only in characters a file name cannot hold get an image pair each', () => {
    const dir = folder()
    const payload = (ci: string, gn: string): Record<string, unknown> => vaccinationFor(gn, ci)
    const input = join(dir, 'records.jsonl')
    writeFileSync(
      input,
      `${JSON.stringify(payload('URN:UVCI:01:VN:ABC/123#X', 'AN'))}\n${JSON.stringify(payload('URN:UVCI:01:VN:ABC/123/X', 'BINH'))}\n`,
    )
    const qrDir = join(dir, 'qr')
    const result = runCli(issueArgs(dir, input, '--qr-dir', qrDir, '--out', join(dir, 'out.jsonl')))
    expect(result.code).toBe(0)
    expect(readdirSync(qrDir).sort()).toEqual([
      'URN_UVCI_01_VN_ABC%2F123%23X.png',
      'URN_UVCI_01_VN_ABC%2F123%23X.svg',
      'URN_UVCI_01_VN_ABC%2F123%2FX.png',
      'URN_UVCI_01_VN_ABC%2F123%2FX.svg',
    ])
  })
})

describe('safe previews and honest no-ops', () => {
  it('issue --dry-run writes nothing at all: no ledger, out, rejects or image file', () => {
    const dir = folder()
    const input = join(dir, 'records.csv')
    writeFileSync(
      input,
      csv(5, (i) => i === 2),
    )
    const result = runCli(
      issueArgs(
        dir,
        input,
        '--dry-run',
        '--out',
        join(dir, 'out.jsonl'),
        '--rejects',
        join(dir, 'rejects.csv'),
        '--qr-dir',
        join(dir, 'qr'),
        '--json',
      ),
    )
    expect(result.code).toBe(4)
    expect(JSON.parse(result.stdout)).toMatchObject({ records: 5, issued: 0, rejected: 1, dryRun: true })
    expect(readdirSync(dir)).toEqual(['records.csv'])
  })

  it('a run with no rejection removes the rejects file an earlier run left at the path', () => {
    const dir = folder()
    const input = join(dir, 'records.csv')
    const rejects = join(dir, 'rejects.csv')
    writeFileSync(
      input,
      csv(3, (i) => i === 2),
    )
    expect(runCli(issueArgs(dir, input, '--rejects', rejects)).code).toBe(4)
    expect(readFileSync(rejects, 'utf8')).toMatch(/P2/)
    writeFileSync(input, csv(3)) // the site fixed record 2
    expect(runCli(issueArgs(dir, input, '--rejects', rejects)).code).toBe(0)
    expect(existsSync(rejects)).toBe(false)
    expect(leftovers(dir)).toEqual([])
  })

  it('renew: --dry-run lists what would be renewed and changes nothing; --at later than now needs --allow-future; a missing ledger is ERR_LEDGER', () => {
    const dir = folder()
    const input = join(dir, 'records.csv')
    writeFileSync(input, csv(3))
    const ledger = join(dir, 'ledger.sqlite')
    expect(runCli(issueArgs(dir, input, '--out', join(dir, 'issued.jsonl'))).code).toBe(0)
    const keys = ['--key-dir', KEYS_EXAMPLE, '--ledger', ledger]
    const snapshot = (): unknown => {
      const db = new Database(ledger, { readonly: true })
      const rows = db.prepare('SELECT uvci, superseded_by FROM certificates ORDER BY id').all()
      db.close()
      return rows
    }
    const before = snapshot()
    const future = new Date(Date.now() + 400 * 86_400_000).toISOString()

    const preview = runCli([
      'renew',
      ...keys,
      '--expired',
      '--at',
      future,
      '--dry-run',
      '--out',
      join(dir, 'r.jsonl'),
      '--qr-dir',
      join(dir, 'rq'),
      '--json',
    ])
    expect(preview.code).toBe(0)
    const report = JSON.parse(preview.stdout)
    expect(report).toMatchObject({ dryRun: true, renewed: 0, refused: [] })
    expect(report.wouldRenew).toHaveLength(3)
    expect(Object.keys(report.wouldRenew[0])).toEqual(['uvci', 'type', 'exp'])
    expect(snapshot()).toEqual(before)
    expect(existsSync(join(dir, 'r.jsonl'))).toBe(false)
    expect(existsSync(join(dir, 'rq'))).toBe(false)

    const futureRenew = runCli(['renew', ...keys, '--expired', '--at', future, '--json'])
    expect(futureRenew.code).toBe(2)
    expect(errorOf(futureRenew.stdout)).toMatchObject({ code: 'ERR_USAGE' })
    expect(errorOf(futureRenew.stdout).message).toMatch(/later than now.*--allow-future/)
    expect(snapshot()).toEqual(before)
    const futureIssue = runCli([...issueArgs(dir, input, '--json')].map((a) => (a === AT ? future : a)))
    expect(futureIssue.code).toBe(2)

    const allowed = runCli(['renew', ...keys, '--expired', '--at', future, '--allow-future', '--json'])
    expect(allowed.code).toBe(0)
    expect(JSON.parse(allowed.stdout)).toMatchObject({ dryRun: false, renewed: 3 })

    const missing = join(dir, 'typo.sqlite')
    for (const command of [['renew', '--key-dir', KEYS_EXAMPLE, '--expired'], ['stats']]) {
      const result = runCli([...command, '--ledger', missing, '--json'])
      expect(result.code, command[0]).toBe(2)
      expect(errorOf(result.stdout)).toMatchObject({ code: 'ERR_LEDGER' })
      expect(errorOf(result.stdout).message).toMatch(/does not exist/)
      expect(existsSync(missing)).toBe(false)
    }
  })
})
