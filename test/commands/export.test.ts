/** `hcert export`: certificates out of the ledger again, the same lines issue wrote. */
import {
  lstatSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { inlineSigner } from '../../src/issue/sign-jobs.js'
import { Ledger } from '../../src/ledger/ledger.js'
import { exportCertificates, type ExportedCertificate } from '../../src/services/export.js'
import { issueCertificates, type IssuedCertificate } from '../../src/services/issue.js'
import { runCli } from '../helpers/cli.js'
import { exampleSigner, KEYS_EXAMPLE } from '../helpers/keys.js'

const tmp = mkdtempSync(join(tmpdir(), 'hcert-export-'))
const FIELD = join(import.meta.dirname, '..', 'fixtures', 'field-reports')
const AT = '2021-12-21T00:00:00Z'

describe('hcert export', () => {
  const ledger = join(tmp, 'ledger.sqlite')
  const batch = join(tmp, 'batch.csv')
  const issued = join(tmp, 'issued.jsonl')

  it('by batch: byte for byte the file issue wrote, to --out with mode 0600', () => {
    writeFileSync(
      batch,
      [
        'id,type,fn,gn,dob,vaccine,dose,doses,date',
        'P1,v,Nguyen,An,1980-01-01,Comirnaty,1,2,2021-06-01',
        'P2,v,Nguyen,Binh,1981-01-01,Comirnaty,1,2,2021-06-01',
        ',v,Tran,Chi,1982-01-01,Comirnaty,1,2,2021-06-01',
        'P4,v,Le,Dung,1983-01-01,Comirnaty,9,2,2021-06-01',
      ].join('\n'),
    )
    const issue = runCli([
      'issue',
      batch,
      '--key-dir',
      KEYS_EXAMPLE,
      '--ledger',
      ledger,
      '--at',
      AT,
      '--out',
      issued,
    ])
    expect(issue.code).toBe(4) // P4 is rejected
    const out = join(tmp, 'exported.jsonl')
    // an earlier export's file (an output replaces only a file of certificates hcert wrote)
    writeFileSync(out, '{"uvci":"URN:UVCI:01:VN:OLDER","hc1":"HC1:older"}\n', { mode: 0o644 })
    const result = runCli(['export', '--ledger', ledger, '--batch', 'batch.csv', '--out', out])
    expect(result.code).toBe(0)
    expect(result.stderr).toContain(`Exported 3 certificates to ${out}`)
    expect(readFileSync(out, 'utf8')).toBe(readFileSync(issued, 'utf8'))
    expect(statSync(out).mode & 0o777).toBe(0o600)
  })

  it('by id and by UVCI, to stdout or as JSON; an id or UVCI not in the ledger is listed, exit 4', () => {
    const lines = readFileSync(issued, 'utf8').trim().split('\n')
    const third = JSON.parse(lines[2] as string) as IssuedCertificate
    expect(third.id).toBeUndefined() // a record without an id: its line has none
    const text = runCli(['export', '--ledger', ledger, '--id', 'P2', '--uvci', third.uvci])
    expect(text.code).toBe(0)
    expect(text.stdout.trim().split('\n')).toEqual([lines[1], lines[2]])

    const json = runCli([
      'export',
      '--ledger',
      ledger,
      '--id',
      'P1',
      '--id',
      'P9',
      '--uvci',
      'URN:UVCI:01:VN:NOPE',
      '--json',
    ])
    expect(json.code).toBe(4)
    expect(JSON.parse(json.stdout)).toEqual({
      exported: 1,
      missing: [{ id: 'P9' }, { uvci: 'URN:UVCI:01:VN:NOPE' }],
      out: null,
      certificates: [JSON.parse(lines[0] as string)],
    })
  })

  it('ids and UVCIs not in the ledger are escaped for the terminal on stderr, never echoed raw', () => {
    const r = runCli([
      'export',
      '--ledger',
      ledger,
      '--id',
      'X\u001b[31mred',
      '--uvci',
      '\u001b]0;t\u0007\u202e',
    ])
    expect(r.code).toBe(4)
    // eslint-disable-next-line no-control-regex
    expect(r.stderr).not.toMatch(/[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u202e]/)
    expect(r.stderr).toContain('id X\\u001b[31mred')
    expect(r.stderr).toContain('UVCI \\u001b]0;t\\u0007\\u202e')
  })

  it('usage: something to select, an existing ledger, an --out that is not a symlink', () => {
    const none = runCli(['export', '--ledger', ledger, '--json'])
    expect(none.code).toBe(2)
    expect(JSON.parse(none.stdout).error).toMatchObject({
      code: 'ERR_USAGE',
      message: expect.stringMatching(/--batch, --id, --uvci or --all/),
    })
    const missing = runCli(['export', '--all', '--ledger', join(tmp, 'nope', 'ledger.sqlite'), '--json'])
    expect(missing.code).toBe(2)
    expect(JSON.parse(missing.stdout).error.code).toBe('ERR_LEDGER')
    const target = join(tmp, 'target.txt')
    writeFileSync(target, 'keep me')
    const link = join(tmp, 'link.jsonl')
    symlinkSync(target, link)
    const planted = runCli(['export', '--all', '--ledger', ledger, '--out', link, '--json'])
    expect(planted.code).toBe(2)
    expect(JSON.parse(planted.stdout).error.message).toMatch(/symbolic link/)
    expect(readFileSync(target, 'utf8')).toBe('keep me')
    expect(lstatSync(link).isSymbolicLink()).toBe(true)
  })

  it.each([
    [['--id', 'P1'], /cannot be given with --id:/],
    [['--id', 'NOSUCHID'], /cannot be given with --id:/],
    [['--uvci', 'X', '--batch', 'batch.csv'], /cannot be given with --batch or --uvci:/],
  ])('--all with %j is a usage error naming the flags, not --all ignored', (selection, message) => {
    const r = runCli(['export', '--all', ...selection, '--ledger', ledger, '--json'])
    expect(r.code).toBe(2)
    expect(JSON.parse(r.stdout).error).toMatchObject({
      code: 'ERR_USAGE',
      message: expect.stringMatching(message),
    })
    expect(r.stdout).not.toMatch(/NOSUCHID/)
  })

  it('--qr-dir draws the images issue --qr-dir drew, the same names and bytes, in a 0700 folder; never over the ledger', () => {
    const issuedQr = join(tmp, 'qr-issued')
    const again = join(tmp, 'qr-ledger.sqlite')
    const first = runCli([
      'issue',
      batch,
      '--key-dir',
      KEYS_EXAMPLE,
      '--ledger',
      again,
      '--at',
      AT,
      '--qr-dir',
      issuedQr,
    ])
    expect(first.code).toBe(4)
    const exportedQr = join(tmp, 'qr-exported')
    const result = runCli(['export', '--ledger', again, '--all', '--qr-dir', exportedQr, '--json'])
    expect(result.code).toBe(0)
    expect(statSync(exportedQr).mode & 0o777).toBe(0o700)
    const names = readdirSync(issuedQr).sort()
    expect(names).toHaveLength(6)
    expect(readdirSync(exportedQr).sort()).toEqual(names)
    for (const name of names)
      expect(readFileSync(join(exportedQr, name)).equals(readFileSync(join(issuedQr, name))), name).toBe(true)
    const onLedger = runCli(['export', '--ledger', again, '--all', '--qr-dir', again, '--json'])
    expect(onLedger.code).toBe(2)
    expect(JSON.parse(onLedger.stdout).error).toMatchObject({
      code: 'ERR_USAGE',
      message: expect.stringMatching(/is the ledger/),
    })
  })
})

describe('exportCertificates', () => {
  it('by id: the record’s certificates, first then its correction, each with its replaces; --current: the one in force', async () => {
    const signer = exampleSigner('ES256')
    const ledger = new Ledger(join(tmp, 'chain.sqlite'))
    const issued: IssuedCertificate[] = []
    for (const [file, correct] of [
      ['reuse_a.csv', false],
      ['reuse_fix.csv', true],
    ] as const) {
      await issueCertificates({
        source: join(FIELD, file),
        signer,
        jobSigner: inlineSigner(signer),
        ledger,
        batch: file,
        now: new Date(AT),
        validity: { amount: 12, unit: 'm' },
        defaults: { country: 'VN', issuer: 'Ministry of Health' },
        dryRun: false,
        correct,
        onCertificate: (c) => issued.push(c),
      })
    }
    const all: ExportedCertificate[] = []
    expect(await exportCertificates(ledger, { ids: ['R1'] }, (c) => void all.push(c))).toEqual({
      exported: 2,
      missing: [],
    })
    expect(all).toEqual(issued)
    expect(all[1]?.replaces).toBe(all[0]?.uvci)
    const current: ExportedCertificate[] = []
    await exportCertificates(ledger, { ids: ['R1'], current: true }, (c) => void current.push(c))
    expect(current).toEqual([issued[1]])
    const batch: ExportedCertificate[] = []
    await exportCertificates(ledger, { batch: 'reuse_fix.csv', ids: ['R1'] }, (c) => void batch.push(c))
    expect(batch).toEqual([issued[1]])
    ledger.close()
  })
})
