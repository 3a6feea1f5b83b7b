/**
 * `hcert issue --kind icvp` as a user runs it: the flag's closed set (a wrong value is a usage
 * error that does not quote it), a CSV batch to JSON Lines and QR images, verify of what it wrote,
 * a rerun, stats and renew from the command line.
 */
import { existsSync, mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { fileNameFor } from '../../src/qr/write-qr.js'
import { runCli } from '../helpers/cli.js'
import { KEYS_EXAMPLE } from '../helpers/keys.js'

const tmp = mkdtempSync(join(tmpdir(), 'hcert-issue-icvp-'))
const DSC = join(KEYS_EXAMPLE, 'dsc.crt.pem')
const CSV = [
  'id,name,dob,sex,nationality,national_id,national_id_type,guardian,product,date,batch,clinician,issuer,valid_from,valid_until',
  'c1,Nguyễn Văn An,1980-05-17,male,VN,B1234567,passport,,STAMARIL,2021-06-01,L123,Dr Lan,Pasteur Institute,2021-06-11,',
  'c2,Trần Thị Mai,1992-11-03,F,VN,,,,PolioVaccineInactivatedIProduct532ef986c8042bbb15fee24056fdc4ed,2021-07-01,P9,Dr Binh,,,',
  'c3,Lê Minh,1975-02-03,M,VN,,,,STAMARIL,2021-07-01,P9,,,,',
].join('\n')

describe('hcert issue --kind', () => {
  it('takes dcc or icvp only: another value is a usage error (exit 2) that does not quote it', () => {
    const file = join(tmp, 'kind.csv')
    writeFileSync(file, CSV)
    const r = runCli(['issue', file, '--kind', 'Nguyen-1980', '--key-dir', KEYS_EXAMPLE, '--dry-run'])
    expect(r.code).toBe(2)
    expect(r.stderr).toMatch(/--kind takes dcc or icvp/)
    expect(r.stderr + r.stdout).not.toContain('Nguyen')
    const json = runCli([
      'issue',
      file,
      '--kind=x\u001b[2J',
      '--key-dir',
      KEYS_EXAMPLE,
      '--dry-run',
      '--json',
    ])
    expect(json.code).toBe(2)
    expect(JSON.parse(json.stdout).error.code).toBe('ERR_USAGE')
    expect(json.stdout).not.toContain('\u001b')
  })

  it('--interactive is for DCC records: with --kind icvp it is a usage error', () => {
    const r = runCli(['issue', '--interactive', '--kind', 'icvp', '--key-dir', KEYS_EXAMPLE, '--no-prompt'])
    expect(r.code).toBe(2)
    expect(r.stderr).toMatch(/--interactive prompts for EU DCC records only/)
  })

  it('issues a CSV of ICVP records with QR images; verify finds them VALID, kind icvp; a rerun signs nothing', () => {
    const input = join(tmp, 'icvp.csv')
    writeFileSync(input, CSV)
    const ledger = join(tmp, 'ledger.sqlite')
    const out = join(tmp, 'icvp.jsonl')
    const qr = join(tmp, 'qr')
    const common = [
      '--kind',
      'icvp',
      '--key-dir',
      KEYS_EXAMPLE,
      '--ledger',
      ledger,
      '--at',
      '2021-12-01T00:00:00Z',
    ]
    const r = runCli(['issue', input, ...common, '--out', out, '--qr-dir', qr])
    // c3 names neither the issuer nor the clinician, and --issuer is not given: rejected (exit 4)
    expect(r.code).toBe(4)
    expect(r.stderr).toMatch(/3 records, 2 issued, 0 already issued, 1 rejected/)
    expect(r.stderr).toMatch(/record 3 \(line 4\) issuer: is missing, and so is clinician/)
    expect(r.stderr).not.toContain('Lê Minh')
    const lines = readFileSync(out, 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as Record<string, string>)
    expect(lines.map((l) => [l.id, l.type])).toEqual([
      ['c1', 'icvp'],
      ['c2', 'icvp'],
    ])
    for (const line of lines) {
      const png = join(qr, `${fileNameFor(line.uvci as string)}.png`)
      expect(existsSync(png)).toBe(true)
      expect(statSync(png).mode & 0o777).toBe(0o600)
      const v = runCli([
        'verify',
        line.hc1 as string,
        '--trust',
        DSC,
        '--at',
        '2022-01-01T00:00:00Z',
        '--json',
      ])
      expect(v.code).toBe(0)
      const result = JSON.parse(v.stdout)
      expect(result).toMatchObject({
        valid: true,
        kind: 'icvp',
        checks: { schema: 'pass', keyUsage: 'pass' },
      })
    }

    // a rerun signs nothing again; c3, now naming its clinician, is issued
    writeFileSync(input, CSV.replace('STAMARIL,2021-07-01,P9,,,,', 'STAMARIL,2021-07-01,P9,Dr Binh,,,'))
    const again = runCli(['issue', input, ...common, '--json'])
    expect(again.code).toBe(0)
    const report = JSON.parse(again.stdout)
    expect(report).toMatchObject({ records: 3, issued: 1, alreadyIssued: 2, rejected: 0 })
    expect(report.certificates.map((c: { uvci: string }) => c.uvci).slice(0, 2)).toEqual(
      lines.map((l) => l.uvci),
    )

    const stats = runCli(['stats', '--ledger', ledger, '--at', '2022-01-01T00:00:00Z', '--json'])
    expect(stats.code).toBe(0)
    expect(JSON.parse(stats.stdout).byType).toEqual([
      { key: 'icvp', count: 3, name: 'ICVP (vaccination or prophylaxis)' },
    ])

    const renew = runCli([
      'renew',
      '--key-dir',
      KEYS_EXAMPLE,
      '--ledger',
      ledger,
      '--type',
      'icvp',
      '--expired',
      '--at',
      '2023-01-01T00:00:00Z',
      '--allow-future',
      '--json',
    ])
    expect(renew.code).toBe(0)
    const renewed = JSON.parse(renew.stdout)
    expect(renewed.renewed).toBe(3)
    const first = renewed.certificates[0]
    expect(first.type).toBe('icvp')
    const v = runCli(['verify', first.hc1, '--trust', DSC, '--at', '2023-02-01T00:00:00Z', '--json'])
    expect(JSON.parse(v.stdout)).toMatchObject({ valid: true, kind: 'icvp' })
  }, 240_000)
})
