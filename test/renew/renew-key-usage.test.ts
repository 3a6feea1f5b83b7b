/** renew honours the DSC's Extended Key Usage (HCERT App. A.4) as issue does: what it may not sign is refused. */
import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { inlineSigner } from '../../src/issue/sign-jobs.js'
import { Ledger } from '../../src/ledger/ledger.js'
import { issueCertificates } from '../../src/services/issue.js'
import { renewCertificates } from '../../src/services/renew.js'
import { runCli } from '../helpers/cli.js'
import { exampleSigner, freshKeys, KEYS_EXAMPLE } from '../helpers/keys.js'

const tmp = mkdtempSync(join(tmpdir(), 'hcert-renew-eku-'))

describe('renew and the DSC key usage', () => {
  it('refuses a certificate type its DSC may not sign: nothing signed, the original not superseded', async () => {
    const es = exampleSigner('ES256')
    const ledger = new Ledger(join(tmp, 'ledger.sqlite'))
    const file = join(tmp, 'v.jsonl')
    const record = {
      type: 'v',
      fn: 'Tran',
      gn: 'An',
      dob: '1970-02-02',
      vaccine: 'Comirnaty',
      dose: 1,
      doses: 2,
      date: '2021-05-01',
    }
    writeFileSync(file, JSON.stringify(record))
    await issueCertificates({
      source: file,
      signer: es,
      jobSigner: inlineSigner(es),
      ledger,
      batch: 'b',
      now: new Date('2021-06-01T00:00:00Z'),
      validity: { amount: 12, unit: 'm' },
      defaults: { country: 'VN', issuer: 'Ministry of Health' },
      dryRun: false,
    })
    const { signer: testOnly } = await freshKeys({ usage: ['t'] })
    const now = new Date('2022-06-02T00:00:00Z')
    for (const dryRun of [true, false]) {
      const report = await renewCertificates({
        ledger,
        signer: testOnly,
        now,
        validity: { amount: 12, unit: 'm' },
        dueBy: Math.floor(now.getTime() / 1000),
        batch: 'renew',
        dryRun,
        onCertificate: () => {
          throw new Error('nothing may be signed')
        },
      })
      expect(report.renewed).toBe(0)
      expect(report.wouldRenew ?? []).toEqual([])
      expect(report.refused).toHaveLength(1)
      expect(report.refused[0]?.code).toBe('ERR_KEY_USAGE')
      expect(report.refused[0]?.reason).toMatch(/may not sign vaccination certificates.*allows test/)
    }
    const rows = ledger.database.prepare('SELECT superseded_by FROM certificates').all()
    expect(rows).toEqual([{ superseded_by: null }])
  })

  it('in text, a refused certificate is named by its UVCI (not only with --json)', () => {
    const keys = join(tmp, 'test-only')
    expect(
      runCli(['keys', 'generate', '--out', keys, '--usage', 't', '--valid-from', '2021-01-01']).code,
    ).toBe(0)
    const csv = join(tmp, 'one.csv')
    writeFileSync(
      csv,
      'type,fn,gn,dob,vaccine,dose,doses,date\nv,Tran,An,1970-02-02,Comirnaty,1,2,2021-05-01\n',
    )
    const ledger = join(tmp, 'text.sqlite')
    const issued = runCli([
      'issue',
      csv,
      '--key-dir',
      KEYS_EXAMPLE,
      '--ledger',
      ledger,
      '--at',
      '2021-06-01T00:00:00Z',
      '--json',
    ])
    expect(issued.code, issued.stdout + issued.stderr).toBe(0)
    const renewed = runCli([
      'renew',
      '--expiring-within',
      '3650d',
      '--key-dir',
      keys,
      '--ledger',
      ledger,
      '--at',
      '2021-07-01T00:00:00Z',
      '--out',
      join(tmp, 'renewed.jsonl'),
    ])
    expect(renewed.code).toBe(4)
    expect(renewed.stdout + renewed.stderr).toMatch(
      /refused URN:UVCI:01:VN:[0-9A-Z]+#[0-9A-Z] \(ledger\): the signing certificate may not sign vaccination/,
    )
    expect(renewed.stdout + renewed.stderr).not.toMatch(/Tran|1970-02-02/)
  })
})
