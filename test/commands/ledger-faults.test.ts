/**
 * Ledger faults a tester found, as a user meets them on the command line (on both engines where the
 * fault is about what the ledger holds): a correction across kinds, a ledger renew would create,
 * --ledger given a folder/another file/nothing, a planted -shm link, UVCI case in export, what stats
 * counts as rejected, and the smaller usage messages (--validity 0d, --since after --until, a --kid
 * no certificate has, keys generate --out a file).
 */
import { existsSync, mkdtempSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { runCli } from '../helpers/cli.js'
import { KEYS_EXAMPLE } from '../helpers/keys.js'
import { ENGINES, requirePgInCi } from '../helpers/pg.js'

requirePgInCi()
const tmp = mkdtempSync(join(tmpdir(), 'hcert-ledger-faults-'))
const ICVP = [
  'id,name,dob,sex,nationality,national_id,national_id_type,guardian,product,date,batch,clinician,issuer,valid_from,valid_until',
  'c1,Nguyen Van An,1980-05-17,male,VN,B1234567,passport,,STAMARIL,2021-06-01,L123,Dr Lan,Pasteur Institute,2021-06-11,',
].join('\n')
const DCC = 'id,type,fn,gn,dob,vaccine,dose,doses,date\nc1,v,Tran,An,1980-01-01,Comirnaty,1,2,2021-06-01\n'

function file(name: string, text: string): string {
  const path = join(tmp, name)
  writeFileSync(path, text)
  return path
}

describe.each(ENGINES)('ledger faults ($name)', (engine) => {
  it('--correct does not let one kind of certificate supersede another (DCC for ICVP, ICVP for DCC)', () => {
    const ledger = engine.spec(tmp, 'kinds')
    const icvp = file(`icvp-${engine.name}.csv`, ICVP)
    const dcc = file(`dcc-${engine.name}.csv`, DCC)
    const first = runCli(['issue', icvp, '--kind', 'icvp', '--key-dir', KEYS_EXAMPLE, '--ledger', ledger])
    expect(first.code, first.stderr).toBe(0)
    const r = runCli(['issue', dcc, '--key-dir', KEYS_EXAMPLE, '--ledger', ledger, '--correct', '--json'])
    expect(r.code).toBe(4)
    const report = JSON.parse(r.stdout)
    expect(report.corrected).toBe(0)
    expect(report.rejections[0].field).toBe('id')
    expect(report.rejections[0].reason).toMatch(/cannot replace a certificate by another kind/)
    expect(r.stdout + r.stderr).not.toMatch(/Tran|Nguyen|1980/)
    const stats = JSON.parse(runCli(['stats', '--ledger', ledger, '--json']).stdout)
    expect(stats.totals.superseded).toBe(0)
    // the other way round: an ICVP does not correct a DCC
    const ledger2 = engine.spec(tmp, 'kinds2')
    expect(runCli(['issue', dcc, '--key-dir', KEYS_EXAMPLE, '--ledger', ledger2]).code).toBe(0)
    const back = runCli([
      'issue',
      icvp,
      '--kind',
      'icvp',
      '--key-dir',
      KEYS_EXAMPLE,
      '--ledger',
      ledger2,
      '--correct',
    ])
    expect(back.code).toBe(4)
    expect(back.stderr).toMatch(/cannot replace a certificate by another kind/)
    expect(back.stderr).toMatch(/0 issued/)
  })

  it('stats: a record rejected, then fixed and issued under its id, is no longer counted as rejected', () => {
    const ledger = engine.spec(tmp, 'fixed')
    const bad = file(
      `fixed-bad-${engine.name}.csv`,
      DCC.replace('2021-06-01', '2021-13-45') + 'c2,v,Le,Binh,1990-01-01,Comirnaty,1,2,2021-13-45\n',
    )
    expect(runCli(['issue', bad, '--key-dir', KEYS_EXAMPLE, '--ledger', ledger]).code).toBe(4)
    const before = JSON.parse(runCli(['stats', '--ledger', ledger, '--json']).stdout).totals
    expect(before).toMatchObject({ rejected: 2, rejectedSinceIssued: 0 })
    // c1 fixed and issued by a later run (a later second than its rejection)
    const wait = Date.now() + 1100
    while (Date.now() < wait) {
      // busy wait: created_at is in whole seconds
    }
    expect(
      runCli([
        'issue',
        file(`fixed-ok-${engine.name}.csv`, DCC),
        '--key-dir',
        KEYS_EXAMPLE,
        '--ledger',
        ledger,
      ]).code,
    ).toBe(0)
    const after = runCli(['stats', '--ledger', ledger, '--json'])
    expect(JSON.parse(after.stdout).totals).toMatchObject({ issued: 1, rejected: 1, rejectedSinceIssued: 1 })
    expect(runCli(['stats', '--ledger', ledger]).stdout).toMatch(
      /rejected records 1 \(not issued since\) · rejected, then fixed and issued 1/,
    )
  })

  it('export --uvci finds a certificate whatever the case of the UVCI given', () => {
    const ledger = engine.spec(tmp, 'uvcicase')
    const out = join(tmp, `uvci-${engine.name}.jsonl`)
    const dcc = file(`uvci-${engine.name}.csv`, DCC)
    expect(runCli(['issue', dcc, '--key-dir', KEYS_EXAMPLE, '--ledger', ledger, '--out', out]).code).toBe(0)
    const uvci = JSON.parse(readFileSync(out, 'utf8').split('\n')[0] as string).uvci as string
    expect(uvci).toMatch(/^URN:UVCI:/)
    const r = runCli(['export', '--uvci', uvci.toLowerCase(), '--ledger', ledger, '--json'])
    expect(r.code, r.stdout).toBe(0)
    expect(JSON.parse(r.stdout)).toMatchObject({ exported: 1, missing: [] })
  })
})

describe('renew needs a ledger that exists', () => {
  it('renew <certificates> --ledger <missing>: ERR_LEDGER (exit 2), no ledger created, no --out', () => {
    const ledger = join(tmp, 'renew-source.sqlite')
    const dcc = file('renew-source.csv', DCC)
    const out = join(tmp, 'renew-source.jsonl')
    expect(runCli(['issue', dcc, '--key-dir', KEYS_EXAMPLE, '--ledger', ledger, '--out', out]).code).toBe(0)
    const hc1 = JSON.parse(readFileSync(out, 'utf8').split('\n')[0] as string).hc1 as string
    const missing = join(tmp, 'new2.sqlite')
    const renewed = join(tmp, 'renewed.jsonl')
    const r = runCli(
      [
        'renew',
        '-',
        '--trust',
        join(KEYS_EXAMPLE, 'trust-list.json'),
        '--expiring-within',
        '400d',
        '--key-dir',
        KEYS_EXAMPLE,
        '--ledger',
        missing,
        '--out',
        renewed,
        '--json',
      ],
      { input: `${hc1}\n` },
    )
    expect(r.code, r.stderr).toBe(2)
    expect(JSON.parse(r.stdout).error).toMatchObject({
      code: 'ERR_LEDGER',
      message: expect.stringMatching(/does not exist/),
    })
    expect(existsSync(missing)).toBe(false)
    expect(existsSync(renewed)).toBe(false)
  })
})

describe('--ledger given something that is not a ledger', () => {
  const ledger = (path: string, cmd = 'stats') =>
    runCli([cmd, '--ledger', path, '--json', ...(cmd === 'export' ? ['--all'] : [])])
  const message = (r: { code: number; stdout: string }) => {
    expect(r.code).toBe(2)
    const { error } = JSON.parse(r.stdout)
    expect(error.code).toBe('ERR_LEDGER')
    expect(error.message).not.toMatch(/IOERR|full disk|chunk|damaged|SQLite failed|ENOENT/)
    return error.message as string
  }

  it('a folder: says it is a folder and which file to give', () => {
    const folder = mkdtempSync(join(tmp, 'folder-'))
    expect(message(ledger(folder))).toMatch(/is a folder, not a ledger file; give the ledger's file/)
    expect(message(ledger(folder, 'export'))).toMatch(/is a folder/)
  })

  it('a CSV or a key: not a ledger (not "damaged")', () => {
    const csv = file('batch.csv', DCC)
    expect(message(ledger(csv))).toMatch(/is not a ledger \(not a SQLite database/)
    expect(message(ledger(join(KEYS_EXAMPLE, 'dsc.key.pem')))).toMatch(/is not a ledger/)
    const issue = runCli(['issue', file('x.csv', DCC), '--key-dir', KEYS_EXAMPLE, '--ledger', csv, '--json'])
    expect(message(issue)).toMatch(/is not a ledger/)
    expect(readFileSync(csv, 'utf8')).toBe(DCC)
  })

  it("an empty path: --ledger '' is a usage error (ERR_USAGE), like every empty path flag", () => {
    const usage = (r: { code: number; stdout: string }) => {
      expect(r.code).toBe(2)
      return (JSON.parse(r.stdout) as { error: { code: string; message: string } }).error
    }
    expect(usage(ledger(''))).toMatchObject({
      code: 'ERR_USAGE',
      message: expect.stringMatching(/--ledger is empty/),
    })
    const issue = runCli(['issue', file('y.csv', DCC), '--key-dir', KEYS_EXAMPLE, '--ledger', '', '--json'])
    expect(usage(issue)).toMatchObject({
      code: 'ERR_USAGE',
      message: expect.stringMatching(/--ledger is empty/),
    })
  })

  it('HCERT_LEDGER set to nothing is refused as --ledger "" is, not the default ledger instead', () => {
    const data = mkdtempSync(join(tmp, 'xdg-'))
    const env = { HCERT_LEDGER: '', XDG_DATA_HOME: data }
    expect(message(runCli(['stats', '--json'], { env }))).toMatch(/the path is empty/)
    const issue = runCli(['issue', file('z.csv', DCC), '--key-dir', KEYS_EXAMPLE, '--json'], { env })
    expect(message(issue)).toMatch(/the path is empty/)
    expect(existsSync(join(data, 'hcert'))).toBe(false)
  })

  it('a symbolic link at the default ledger folder ($XDG_DATA_HOME/hcert) is refused, not followed', () => {
    const data = mkdtempSync(join(tmp, 'xdg-link-'))
    const elsewhere = mkdtempSync(join(tmp, 'elsewhere-'))
    symlinkSync(elsewhere, join(data, 'hcert'))
    const env = { XDG_DATA_HOME: data }
    const issue = runCli(['issue', file('w.csv', DCC), '--key-dir', KEYS_EXAMPLE, '--json'], { env })
    expect(message(issue)).toMatch(/the folder of the default ledger, is a symbolic link/)
    expect(message(runCli(['stats', '--json'], { env }))).toMatch(/is a symbolic link/)
    expect(existsSync(join(elsewhere, 'ledger.sqlite'))).toBe(false)
  })

  it('a planted -shm (or -wal) link: named, for an existing ledger and a new one; a new one is not left behind', () => {
    const existing = join(tmp, 'shm.sqlite')
    expect(
      runCli(['issue', file('shm.csv', DCC), '--key-dir', KEYS_EXAMPLE, '--ledger', existing]).code,
    ).toBe(0)
    symlinkSync(join(tmp, 'elsewhere'), `${existing}-shm`)
    expect(message(ledger(existing))).toMatch(/shm\.sqlite-shm is not a file \(a symbolic link\)/)
    const issue = runCli([
      'issue',
      file('shm2.csv', DCC),
      '--key-dir',
      KEYS_EXAMPLE,
      '--ledger',
      existing,
      '--json',
    ])
    expect(message(issue)).toMatch(/-shm is not a file/)
    const fresh = join(tmp, 'new.sqlite')
    symlinkSync(join(tmp, 'elsewhere2'), `${fresh}-wal`)
    const created = runCli([
      'issue',
      file('wal.csv', DCC),
      '--key-dir',
      KEYS_EXAMPLE,
      '--ledger',
      fresh,
      '--json',
    ])
    expect(message(created)).toMatch(/new\.sqlite-wal is not a file \(a symbolic link\)/)
    expect(existsSync(fresh)).toBe(false)
  })
})

describe('usage messages that say what is wrong', () => {
  it('--validity 0d: must be more than zero', () => {
    const r = runCli([
      'issue',
      file('v0.csv', DCC),
      '--key-dir',
      KEYS_EXAMPLE,
      '--validity',
      '0d',
      '--dry-run',
    ])
    expect(r.code).toBe(2)
    expect(r.stderr).toMatch(/--validity: must be more than zero/)
  })

  it('stats --since after --until: a usage error, not zeros', () => {
    const ledger = join(tmp, 'range.sqlite')
    expect(
      runCli(['issue', file('range.csv', DCC), '--key-dir', KEYS_EXAMPLE, '--ledger', ledger]).code,
    ).toBe(0)
    const r = runCli([
      'stats',
      '--ledger',
      ledger,
      '--since',
      '2027-01-01',
      '--until',
      '2026-01-01',
      '--json',
    ])
    expect(r.code).toBe(2)
    expect(JSON.parse(r.stdout).error).toMatchObject({
      code: 'ERR_USAGE',
      message: expect.stringMatching(/--since .* is after --until/),
    })
    // renew --kid no certificate has: said (as a warning), the kid not echoed
    const renew = runCli([
      'renew',
      '--kid',
      'nope\u001b[2J',
      '--expiring-within',
      '400d',
      '--key-dir',
      KEYS_EXAMPLE,
      '--ledger',
      ledger,
      '--json',
    ])
    expect(renew.code).toBe(0)
    const report = JSON.parse(renew.stdout)
    expect(report.renewed).toBe(0)
    expect(report.warnings.join(' ')).toMatch(
      /no certificate in the ledger was signed by the kid given with --kid/,
    )
    expect(renew.stdout + renew.stderr).not.toContain('\u001b')
  })

  it('keys generate --out <a file>: says the path is a file, not a folder', () => {
    const csv = file('not-a-folder.csv', DCC)
    const r = runCli(['keys', 'generate', '--out', csv])
    expect(r.code).toBe(2)
    expect(r.stderr).toMatch(/--out: .*not-a-folder\.csv is a file, not a folder/)
    expect(readFileSync(csv, 'utf8')).toBe(DCC)
  })
})
