/**
 * Round 4 of testers: `--qr-dir` through a planted symbolic link (at its end, or a folder on its way)
 * put QR images in the link's target, and two runs at once with one `--out` both ended 0 with only
 * the last one's lines in the file. Now no destination is reached through a link (outputs, QR
 * folders, key folders, the ledger), and a run takes its --out for itself as it does its --rejects.
 */
import { spawn, spawnSync } from 'node:child_process'
import {
  existsSync,
  linkSync,
  lstatSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  rmSync,
  symlinkSync,
  utimesSync,
  writeFileSync,
} from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it, vi } from 'vitest'
import {
  keepFromCleanup,
  removeStaleTemporaries,
  removeStaleTemporariesIn,
} from '../../src/fs/atomic-file.js'
import { linkAlong } from '../../src/fs/links-along.js'
import { BIN, runCli } from '../helpers/cli.js'
import { freshFolders } from '../helpers/folders.js'
import { KEYS_EXAMPLE } from '../helpers/keys.js'
import { vaccinationCsv } from '../helpers/records.js'

vi.setConfig({ testTimeout: 120_000 })

const folder = freshFolders('hcert-links-locks-')

/** a folder with records.csv (3 records), an empty folder `target` and `link` → target */
function planted(): { dir: string; target: string; link: string; input: string } {
  const dir = folder()
  const target = join(dir, 'target')
  mkdirSync(target)
  symlinkSync('target', join(dir, 'link'))
  const input = join(dir, 'records.csv')
  writeFileSync(input, vaccinationCsv({ to: 3 }))
  return { dir, target, link: join(dir, 'link'), input }
}

/** `hcert issue INPUT --key-dir keys-example --ledger LEDGER …more` */
const issueCli = (input: string, ledger: string, ...more: string[]): ReturnType<typeof runCli> =>
  runCli(['issue', input, '--key-dir', KEYS_EXAMPLE, '--ledger', ledger, ...more])

function errorOf(stdout: string): { code: string; message: string } {
  return (JSON.parse(stdout) as { error: { code: string; message: string } }).error
}

describe('no destination through a symbolic link (round 4, finding 1)', () => {
  const cases: Array<{ name: string; args: (p: ReturnType<typeof planted>) => string[]; code?: string }> = [
    { name: 'issue --qr-dir <link>', args: (p) => ['--qr-dir', p.link] },
    { name: 'issue --qr-dir <link>/sub', args: (p) => ['--qr-dir', join(p.link, 'sub')] },
    { name: 'issue --qr-dir <link>/', args: (p) => ['--qr-dir', `${p.link}/`] },
    { name: 'issue --out <link>/o.jsonl', args: (p) => ['--out', join(p.link, 'o.jsonl')] },
    { name: 'issue --rejects <link>/r.csv', args: (p) => ['--rejects', join(p.link, 'r.csv')] },
  ]
  for (const { name, args } of cases)
    it(`${name}: ERR_USAGE naming the link, nothing written there, no ledger made`, () => {
      const p = planted()
      const ledger = join(p.dir, 'l.sqlite')
      const run = issueCli(p.input, ledger, '--json', ...args(p))
      expect(run.code).toBe(2)
      const error = errorOf(run.stdout)
      expect(error.code).toBe('ERR_USAGE')
      expect(error.message).toContain(`${p.link}`)
      expect(error.message).toMatch(/symbolic link \(to target\)/)
      expect(readdirSync(p.target)).toEqual([])
      expect(existsSync(ledger)).toBe(false)
    })

  it('issue --ledger <link>/l.sqlite: ERR_LEDGER, no ledger in the target; reading one through a link still works', () => {
    const p = planted()
    const run = issueCli(p.input, join(p.link, 'l.sqlite'), '--json')
    expect(run.code).toBe(2)
    expect(errorOf(run.stdout).code).toBe('ERR_LEDGER')
    expect(readdirSync(p.target)).toEqual([])
    // a ledger made in the real folder is read through the link (nothing is written through it)
    const real = join(p.target, 'l.sqlite')
    expect(issueCli(p.input, real, '-o', join(p.dir, 'o.jsonl')).code).toBe(0)
    const stats = runCli(['stats', '--ledger', join(p.link, 'l.sqlite'), '--json'])
    expect(stats.code).toBe(0)
    expect((JSON.parse(stats.stdout) as { totals: { issued: number } }).totals.issued).toBe(3)
  })

  it('keys generate --out <link> and <link>/sub: refused, no key in the target', () => {
    const p = planted()
    for (const out of [p.link, join(p.link, 'sub')]) {
      const run = runCli(['keys', 'generate', '--out', out, '--json'])
      expect(run.code).toBe(2)
      expect(errorOf(run.stdout).message).toMatch(/symbolic link/)
    }
    expect(readdirSync(p.target)).toEqual([])
  })

  it('export and renew: --out and --qr-dir through a link refused, the target left empty', () => {
    const p = planted()
    const ledger = join(p.dir, 'l.sqlite')
    expect(issueCli(p.input, ledger, '-o', join(p.dir, 'o.jsonl')).code).toBe(0)
    for (const args of [
      ['export', '--all', '--ledger', ledger, '--out', join(p.link, 'e.jsonl')],
      ['export', '--all', '--ledger', ledger, '--qr-dir', join(p.link, 'qr')],
      ['renew', '--key-dir', KEYS_EXAMPLE, '--ledger', ledger, '--expired', '--qr-dir', p.link],
      ['renew', '--key-dir', KEYS_EXAMPLE, '--ledger', ledger, '--expired', '--out', join(p.link, 'r.jsonl')],
    ]) {
      const run = runCli([...args, '--json'])
      expect(run.code, args.join(' ')).toBe(2)
      expect(errorOf(run.stdout).message).toMatch(/symbolic link/)
    }
    expect(readdirSync(p.target)).toEqual([])
  })

  it('a relative path is looked at from the working folder: a link above it is not one of its components', () => {
    const p = planted()
    // run inside the linked folder: the working folder's own path goes through the link
    const run = spawnSync(
      process.execPath,
      [
        BIN,
        'issue',
        p.input,
        '--key-dir',
        KEYS_EXAMPLE,
        '--ledger',
        'l.sqlite',
        '--qr-dir',
        'qr',
        '-o',
        'o.jsonl',
      ],
      { cwd: p.link, encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' } },
    )
    expect(run.status).toBe(0)
    expect(readdirSync(join(p.target, 'qr')).filter((n) => n.endsWith('.png'))).toHaveLength(3)
  })

  it('linkAlong: a link at the end counts only withLast; `link/..` goes through the link', () => {
    const p = planted()
    expect(linkAlong(p.link, false)).toBeUndefined()
    expect(linkAlong(p.link, true)).toEqual({ link: p.link, target: 'target' })
    expect(linkAlong(join(p.dir, 'target', 'x'), true)).toBeUndefined()
    expect(linkAlong(`${p.link}/../x`, false)?.link).toBe(p.link)
  })

  // Debian's merged /usr (/bin → usr/bin) or macOS (/tmp → private/tmp): a root-owned link under /
  const systemLink = readdirSync('/').find((name) => {
    const stat = lstatSync(join('/', name), { throwIfNoEntry: false })
    return stat?.isSymbolicLink() && stat.uid === 0
  })
  it.skipIf(systemLink === undefined)(
    'a root-owned link directly under / is a system folder, not a planted link',
    () => {
      expect(linkAlong(`/${systemLink}/some/file`, false)).toBeUndefined()
    },
  )
})

describe('two runs at one --out (round 4, finding 2)', () => {
  it('issue: a second run at an --out a live run holds is ERR_USAGE at once; the first ends with all its lines', async () => {
    const dir = folder()
    const out = join(dir, 'o.jsonl')
    const ledger = join(dir, 'l.sqlite')
    // the first run reads stdin, held open until the second has tried: the order is forced, not timed
    const first = spawn(
      process.execPath,
      [BIN, 'issue', '-', '--format', 'csv', '--key-dir', KEYS_EXAMPLE, '--ledger', ledger, '--out', out],
      { env: { ...process.env, NO_COLOR: '1' }, stdio: ['pipe', 'ignore', 'pipe'] },
    )
    const exited = new Promise<number | null>((resolve) => first.on('exit', (code) => resolve(code)))
    first.stdin.write(vaccinationCsv({ to: 5, prefix: 'A' }))
    const lock = join(dir, '.o.jsonl.hcert-lock')
    for (let i = 0; i < 600 && !existsSync(lock); i++) await new Promise((r) => setTimeout(r, 50))
    expect(existsSync(lock)).toBe(true)
    const input = join(dir, 'b.csv')
    writeFileSync(input, vaccinationCsv({ to: 4, prefix: 'B', fn: 'Tran' }))
    const second = issueCli(input, ledger, '--out', out, '--json')
    expect(second.code).toBe(2)
    const error = errorOf(second.stdout)
    expect(error.code).toBe('ERR_USAGE')
    expect(error.message).toMatch(/--out .*another hcert run \(pid \d+\) writes that file/)
    first.stdin.end()
    expect(await exited).toBe(0)
    const lines = readFileSync(out, 'utf8').trim().split('\n')
    expect(lines).toHaveLength(5)
    expect(lines.every((line) => (JSON.parse(line) as { id: string }).id.startsWith('A'))).toBe(true)
    // the second run committed nothing: the same command now issues its four
    expect(existsSync(lock)).toBe(false)
    expect(issueCli(input, ledger, '--out', join(dir, 'b.jsonl')).code).toBe(0)
    expect(readFileSync(join(dir, 'b.jsonl'), 'utf8').trim().split('\n')).toHaveLength(4)
  })

  it('export and renew refuse an --out another run holds, and leave the file as it was', () => {
    const dir = folder()
    const ledger = join(dir, 'l.sqlite')
    const input = join(dir, 'a.csv')
    writeFileSync(input, vaccinationCsv({ to: 2 }))
    const out = join(dir, 'o.jsonl')
    expect(issueCli(input, ledger, '--out', out).code).toBe(0)
    const before = readFileSync(out, 'utf8')
    // another run holds it: its lock holds a live pid (this test's)
    writeFileSync(join(dir, '.o.jsonl.hcert-lock'), `${process.pid}\n`)
    for (const args of [
      ['export', '--all', '--ledger', ledger, '--out', out],
      ['renew', '--key-dir', KEYS_EXAMPLE, '--ledger', ledger, '--expired', '--out', out],
    ]) {
      const run = runCli([...args, '--json'])
      expect(run.code, args[0]).toBe(2)
      expect(errorOf(run.stdout).message).toMatch(/another hcert run \(pid \d+\) writes that file/)
    }
    expect(readFileSync(out, 'utf8')).toBe(before)
  })
})

describe('a lock that is not a live run never blocks a path (round 5)', () => {
  it('a lock that cannot be written (a file size limit) is removed again: the error says why, the next run works', () => {
    const dir = folder()
    const input = join(dir, 'a.csv')
    writeFileSync(input, vaccinationCsv({ to: 2 }))
    const out = join(dir, 'o.jsonl')
    const limited = spawnSync(
      'bash',
      [
        '-c',
        `ulimit -f 0; exec "${process.execPath}" "${BIN}" issue "${input}" --key-dir "${KEYS_EXAMPLE}" --ledger "${join(dir, 'l.sqlite')}" --out "${out}" --json`,
      ],
      { encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' } },
    )
    expect(limited.status).toBe(2)
    expect(errorOf(limited.stdout).message).toMatch(/file size limit/)
    expect(readdirSync(dir).filter((n) => n.includes('hcert-lock'))).toEqual([])
    expect(issueCli(input, join(dir, 'l.sqlite'), '--out', out).code).toBe(0)
  })

  it('an empty lock left long ago is taken over; a fresh empty one is a run being started', () => {
    const dir = folder()
    const input = join(dir, 'a.csv')
    writeFileSync(input, vaccinationCsv({ to: 2 }))
    const lock = join(dir, '.o.jsonl.hcert-lock')
    writeFileSync(lock, '')
    const fresh = issueCli(input, join(dir, 'l.sqlite'), '--out', join(dir, 'o.jsonl'), '--json')
    expect(fresh.code).toBe(2)
    expect(errorOf(fresh.stdout).message).toMatch(/another hcert run writes that file/)
    const minuteAgo = new Date(Date.now() - 60_000)
    utimesSync(lock, minuteAgo, minuteAgo)
    expect(issueCli(input, join(dir, 'l.sqlite'), '--out', join(dir, 'o.jsonl')).code).toBe(0)
    expect(existsSync(lock)).toBe(false)
  })

  it('a file of other content or a symbolic link at the lock name: ERR_USAGE saying to remove it, never removed or followed', () => {
    const dir = folder()
    const input = join(dir, 'a.csv')
    writeFileSync(input, vaccinationCsv({ to: 2 }))
    writeFileSync(join(dir, 'elsewhere'), 'keep me\n')
    for (const plant of [
      () => writeFileSync(join(dir, '.o.jsonl.hcert-lock'), 'not a pid\n'),
      () => symlinkSync('elsewhere', join(dir, '.o.jsonl.hcert-lock')),
    ]) {
      plant()
      const run = issueCli(input, join(dir, 'l.sqlite'), '--out', join(dir, 'o.jsonl'), '--json')
      expect(run.code).toBe(2)
      expect(errorOf(run.stdout).message).toMatch(/is in the way: .*remove it/)
      expect(lstatSync(join(dir, '.o.jsonl.hcert-lock'))).toBeTruthy()
      rmSync(join(dir, '.o.jsonl.hcert-lock'))
    }
    expect(readFileSync(join(dir, 'elsewhere'), 'utf8')).toBe('keep me\n')
    expect(existsSync(join(dir, 'o.jsonl'))).toBe(false)
  })

  it("an output named as hcert's own lock or temporary file is refused: releasing the lock would remove it", () => {
    const dir = folder()
    const input = join(dir, 'a.csv')
    writeFileSync(input, vaccinationCsv({ to: 2 }))
    for (const args of [
      ['--out', join(dir, '.r.csv.hcert-lock'), '--rejects', join(dir, 'r.csv')],
      ['--out', join(dir, 'o.jsonl'), '--rejects', join(dir, '.o.jsonl.hcert-lock')],
      ['--out', join(dir, '.o.jsonl.123.abcdefabcdef.partial')],
    ]) {
      const run = issueCli(input, join(dir, 'l.sqlite'), '--json', ...args)
      expect(run.code, args.join(' ')).toBe(2)
      expect(errorOf(run.stdout).message).toMatch(/has the name of a file hcert makes for itself/)
    }
    expect(existsSync(join(dir, 'l.sqlite'))).toBe(false)
  })
})

describe("the cleanup of a killed run's temporary files never removes a file the run uses (round 6)", () => {
  /** a pid no process has (above Linux's largest, 2^22): the run that made such a name is gone */
  const GONE = 99_999_999
  const temporaryLike = (name: string): string => `.${name}.${GONE}.abcdefabcdef.partial`

  it('a ledger or an input named like a temporary file of --out, or inside --qr-dir, is refused and kept', () => {
    const dir = folder()
    const input = join(dir, 'a.csv')
    writeFileSync(input, vaccinationCsv({ to: 2 }))
    // a real ledger, renamed as a temporary file of o.jsonl would be named
    expect(issueCli(input, join(dir, 'made.sqlite')).code).toBe(0)
    const ledger = join(dir, temporaryLike('o.jsonl'))
    const ledgerBytes = readFileSync(join(dir, 'made.sqlite'))
    writeFileSync(ledger, ledgerBytes)
    const qr = join(dir, 'qr')
    mkdirSync(qr)
    const ledgerInQr = join(qr, temporaryLike('x.png'))
    writeFileSync(ledgerInQr, ledgerBytes)
    for (const [args, what] of [
      [
        ['issue', input, '--key-dir', KEYS_EXAMPLE, '--ledger', ledger, '--out', join(dir, 'o.jsonl')],
        'the ledger',
      ],
      [['issue', input, '--key-dir', KEYS_EXAMPLE, '--ledger', ledgerInQr, '--qr-dir', qr], 'the ledger'],
      [['export', '--all', '--ledger', ledger, '--out', join(dir, 'o.jsonl')], 'the ledger'],
    ] as const) {
      const run = runCli([...args, '--json'])
      expect(run.code, args.join(' ')).toBe(2)
      const error = errorOf(run.stdout)
      expect(error.code).toBe('ERR_USAGE')
      expect(error.message).toContain(
        `${what} ${args.includes(ledgerInQr) ? ledgerInQr : ledger} has the name of a file hcert makes for itself`,
      )
    }
    // an input named like a temporary file of the --rejects file beside it
    const input2 = join(dir, temporaryLike('r.csv'))
    writeFileSync(input2, vaccinationCsv({ to: 2 }))
    const run = issueCli(input2, join(dir, 'l.sqlite'), '--rejects', join(dir, 'r.csv'), '--json')
    expect(run.code).toBe(2)
    expect(errorOf(run.stdout).message).toContain(
      `the input ${input2} has the name of a file hcert makes for itself`,
    )
    expect(readFileSync(ledger)).toEqual(ledgerBytes)
    expect(readFileSync(ledgerInQr)).toEqual(ledgerBytes)
    expect(readFileSync(input2, 'utf8')).toBe(vaccinationCsv({ to: 2 }))
    expect(existsSync(join(dir, 'o.jsonl'))).toBe(false)
  })

  it("a ledger at an output lock's name is refused as a working file, not called a lock in the way", () => {
    const dir = folder()
    const input = join(dir, 'a.csv')
    writeFileSync(input, vaccinationCsv({ to: 2 }))
    const ledger = join(dir, '.o.jsonl.hcert-lock')
    const run = issueCli(input, ledger, '--out', join(dir, 'o.jsonl'), '--json')
    expect(run.code).toBe(2)
    const error = errorOf(run.stdout)
    expect(error.code).toBe('ERR_USAGE')
    expect(error.message).toMatch(
      /the ledger .*\.o\.jsonl\.hcert-lock has the name of a file hcert makes for itself/,
    )
    expect(error.message).not.toMatch(/in the way|remove it/)
    expect(existsSync(ledger)).toBe(false)
  })

  it('keepFromCleanup: a kept file is never removed as stale, by any of its names; others still are', async () => {
    const dir = folder()
    const kept = join(dir, temporaryLike('o.jsonl'))
    writeFileSync(kept, 'ledger')
    const other = join(dir, `.o.jsonl.${GONE}.aaaaaaaaaaaa.partial`)
    writeFileSync(other, 'x')
    const qr = join(dir, 'qr')
    mkdirSync(qr)
    // the same file under another name, in the QR folder (a hard link)
    const sameInode = join(qr, temporaryLike('a.png'))
    linkSync(kept, sameInode)
    const input = join(qr, temporaryLike('b.png'))
    writeFileSync(input, 'input')
    const stray = join(qr, `.c.png.${GONE}.bbbbbbbbbbbb.partial`)
    writeFileSync(stray, 'x')
    // the input named through a path of another spelling (`qr/../qr/…`)
    keepFromCleanup([kept, join(dir, 'qr', '..', 'qr', temporaryLike('b.png'))])
    removeStaleTemporaries(join(dir, 'o.jsonl'))
    await removeStaleTemporariesIn(qr)
    expect(readFileSync(kept, 'utf8')).toBe('ledger')
    expect(existsSync(sameInode)).toBe(true)
    expect(readFileSync(input, 'utf8')).toBe('input')
    expect(existsSync(other)).toBe(false)
    expect(existsSync(stray)).toBe(false)
  })
})
