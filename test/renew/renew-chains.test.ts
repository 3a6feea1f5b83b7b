/**
 * renew and export along chains (a certificate, its renewals and corrections), on both engines:
 * the latest-only rule counts current certificates of the same person only, a backdated clock never
 * replaces a valid certificate with an expired one, and --batch follows a record's chain beyond the
 * batch it was first issued in.
 */
import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { inlineSigner } from '../../src/issue/sign-jobs.js'
import type { LedgerStore } from '../../src/ledger/store.js'
import { exportCertificates, type ExportedCertificate } from '../../src/services/export.js'
import { issueCertificates, type IssuedCertificate, type IssueReport } from '../../src/services/issue.js'
import { renewCertificates, type RenewOptions, type RenewReport } from '../../src/services/renew.js'
import { TrustList } from '../../src/trust/trust-list.js'
import { runCli } from '../helpers/cli.js'
import { exampleSigner, KEYS_EXAMPLE } from '../helpers/keys.js'
import { ENGINES, requirePgInCi } from '../helpers/pg.js'

requirePgInCi()
const tmp = mkdtempSync(join(tmpdir(), 'hcert-renew-chains-'))
const es = exampleSigner('ES256')
const at = (iso: string): Date => new Date(iso)
const seconds = (d: Date): number => Math.floor(d.getTime() / 1000)

/** a first dose for a holder; `id` the record's id column */
const record = (id: string | undefined, extra: Record<string, unknown> = {}): Record<string, unknown> => ({
  ...(id !== undefined ? { id } : {}),
  type: 'v',
  fn: 'Tran',
  gn: 'Binh',
  dob: '1975-03-04',
  vaccine: 'Comirnaty',
  dose: 1,
  doses: 2,
  date: '2021-05-01',
  ...extra,
})

let files = 0
async function issue(
  ledger: LedgerStore,
  now: Date,
  records: Array<Record<string, unknown>>,
  batch: string,
  correct = false,
): Promise<{ report: IssueReport; certificates: IssuedCertificate[] }> {
  const file = join(tmp, `${files++}.jsonl`)
  writeFileSync(file, records.map((r) => JSON.stringify(r)).join('\n'))
  const certificates: IssuedCertificate[] = []
  const report = await issueCertificates({
    source: file,
    signer: es,
    jobSigner: inlineSigner(es),
    ledger,
    batch,
    now,
    validity: { amount: 12, unit: 'm' },
    defaults: { country: 'VN', issuer: 'Ministry of Health' },
    dryRun: false,
    ...(correct ? { correct: true } : {}),
    onCertificate: (c) => certificates.push(c),
  })
  return { report, certificates }
}

/** renew at `now` (the real clock `realNow`, else `now`) what is due by `dueBy` (else `now`) */
async function renew(
  ledger: LedgerStore,
  now: Date,
  extra: Partial<RenewOptions> & { dueByDate?: Date } = {},
): Promise<RenewReport & { uvcis: string[] }> {
  const uvcis: string[] = []
  const { dueByDate, ...rest } = extra
  const report = await renewCertificates({
    ledger,
    signer: es,
    now,
    realNow: now,
    validity: { amount: 12, unit: 'm' },
    dueBy: seconds(dueByDate ?? now),
    batch: `renew ${now.toISOString()}`,
    onCertificate: (c) => uvcis.push(c.uvci),
    ...rest,
  })
  return { ...report, uvcis }
}

async function exported(
  ledger: LedgerStore,
  selection: Parameters<typeof exportCertificates>[1],
): Promise<ExportedCertificate[]> {
  const lines: ExportedCertificate[] = []
  await exportCertificates(ledger, selection, (c) => {
    lines.push(c)
  })
  return lines
}

describe.each(ENGINES)('renew and export along chains on $name', (engine) => {
  const open = (label: string): LedgerStore => engine.open(engine.spec(tmp, label))

  it('a backdated renewal or correction is refused, and the certificate is renewed later, not skipped for ever', async () => {
    const ledger = open('backdated')
    try {
      await issue(ledger, at('2021-12-21T00:00:00Z'), [record('R1')], 'records.csv')
      // renew refuses a clock before the original's iat (renew-early-clock.test.ts)
      const refused = await renew(ledger, at('2021-07-01T00:00:00Z'), {
        realNow: at('2022-01-01T00:00:00Z'),
        dueByDate: at('2023-06-01T00:00:00Z'),
      })
      expect(refused.renewed).toBe(0)
      expect(refused.refused.map((r) => r.code)).toEqual(['ERR_NOT_YET_VALID'])
      // so does a correction at a clock before the original's iat (correction-window-history.test.ts):
      // a superseded original with a later iat than its successor is never made
      const corrected = await issue(
        ledger,
        at('2021-07-01T00:00:00Z'),
        [record('R1', { doses: 3 })],
        'fix.csv',
        true,
      )
      expect(corrected.certificates).toHaveLength(0)
      // neither refusal left anything that makes the original look superseded or "later"
      const second = await renew(ledger, at('2022-12-22T00:00:00Z'))
      expect(second.skipped).toEqual([])
      expect(second.renewed).toBe(1)
    } finally {
      ledger.close()
    }
  })

  it('a clock in the past never replaces a certificate still valid with one expired when signed', async () => {
    const ledger = open('past-at')
    try {
      const { certificates } = await issue(ledger, at('2021-12-21T00:00:00Z'), [record('R1')], 'records.csv')
      const realNow = at('2022-06-01T00:00:00Z')
      // at 2021-03-01 + 12 months: expires 2022-03-01, before the real now, when the original
      // (until 2022-12-21) is valid
      for (const dryRun of [true, false]) {
        const report = await renew(ledger, at('2021-03-01T00:00:00Z'), {
          realNow,
          dueByDate: at('2023-01-01T00:00:00Z'),
          dryRun,
        })
        expect(report.renewed).toBe(0)
        expect(report.wouldRenew ?? []).toEqual([])
        expect(report.refused).toEqual([
          expect.objectContaining({ uvci: certificates[0]?.uvci, code: 'ERR_EXPIRED' }),
        ])
        expect(report.refused[0]?.reason).toMatch(/would expire at 2022-03-01T00:00:00.000Z, before now/)
      }
      expect(ledger.findByUvci(certificates[0]?.uvci as string)?.supersededBy).toBeNull()
      // a renewal still valid at the real now is signed, backdated or not
      const later = await renew(ledger, at('2021-12-22T00:00:00Z'), {
        realNow,
        dueByDate: at('2023-01-01T00:00:00Z'),
      })
      expect(later.renewed).toBe(1)
    } finally {
      ledger.close()
    }
  })

  it('renews both of two people who share names, date of birth and event under two ids', async () => {
    const ledger = open('two-people')
    try {
      const a = await issue(ledger, at('2021-12-21T00:00:00Z'), [record('A')], 'a.csv')
      const b = await issue(ledger, at('2021-12-22T00:00:00Z'), [record('B')], 'b.csv')
      expect(a.report.issued + b.report.issued).toBe(2)
      // given, the two certificates are two people's too (the earlier is not "older")
      const given = await renew(ledger, at('2022-12-23T00:00:00Z'), {
        trust: new TrustList([es.certificate]),
        inputs: (async function* () {
          for (const c of [...a.certificates, ...b.certificates]) yield { source: c.uvci, text: c.hc1 }
        })(),
        dryRun: true,
      })
      expect(given.skipped).toEqual([])
      expect(given.wouldRenew).toHaveLength(2)
      const renewed = await renew(ledger, at('2022-12-23T00:00:00Z'))
      expect(renewed.skipped).toEqual([])
      expect(renewed.renewed).toBe(2)
      // and the year after, both renewals again
      const again = await renew(ledger, at('2023-12-24T00:00:00Z'))
      expect(again.skipped).toEqual([])
      expect(again.renewed).toBe(2)
    } finally {
      ledger.close()
    }
  })

  it('--batch finds the records first issued in it, renewed or corrected since, year after year', async () => {
    const ledger = open('batch-years')
    try {
      const issued = await issue(
        ledger,
        at('2021-12-21T00:00:00Z'),
        [record('R1'), record('R2', { gn: 'Chau' }), record('R3', { gn: 'Dung' })],
        'records.csv',
      )
      await issue(ledger, at('2021-12-21T00:00:00Z'), [record('O1', { gn: 'Other' })], 'other.csv')
      // R3 corrected (another date of vaccination): recorded under the corrected file's name
      const corrected = await issue(
        ledger,
        at('2022-01-10T00:00:00Z'),
        [record('R3', { gn: 'Dung', date: '2021-05-02' })],
        'corrected.csv',
        true,
      )
      expect(corrected.report.corrected).toBe(1)
      const filter = { batch: 'records.csv' }
      const year1 = await renew(ledger, at('2022-12-22T00:00:00Z'), { filter })
      expect(year1.renewed).toBe(2)
      const year2 = await renew(ledger, at('2023-12-23T00:00:00Z'), { filter })
      expect(year2.renewed).toBe(3)
      expect(year2.warnings).toEqual([])
      // the same command again writes the year's renewals out again, as a re-run of year 1 would
      const rerun = await renew(ledger, at('2023-12-23T00:00:00Z'), { filter })
      expect(rerun.renewed).toBe(0)
      expect(rerun.alreadyRenewed).toBe(3)
      expect(new Set(rerun.uvcis)).toEqual(new Set(year2.uvcis))
      // O1, of another batch, was never selected
      expect((await exported(ledger, { batch: 'other.csv', current: true })).map((c) => c.iat)).toEqual([
        seconds(at('2021-12-21T00:00:00Z')),
      ])

      const current = await exported(ledger, { batch: 'records.csv', current: true })
      expect(new Set(current.map((c) => c.uvci))).toEqual(new Set(year2.uvcis))
      expect(current.map((c) => c.id).sort()).toEqual(['R1', 'R2', 'R3'])
      // without --current, every certificate of those records: first the lines issue wrote
      const all = await exported(ledger, { batch: 'records.csv' })
      expect(all).toHaveLength(3 + 1 + 2 + 3)
      expect(all.slice(0, 3).map((c) => c.uvci)).toEqual(issued.certificates.map((c) => c.uvci))
      // the correction's own batch still finds it, and its renewal since
      expect((await exported(ledger, { batch: 'corrected.csv' })).map((c) => c.id)).toEqual(['R3', 'R3'])
      expect(await exported(ledger, { batch: 'corrected.csv', current: true })).toHaveLength(1)
    } finally {
      ledger.close()
    }
  })
})

describe('hcert renew --at in the past (the real clock)', () => {
  it('refuses, per certificate, a renewal expired before now in place of a valid certificate', () => {
    const ledger = join(tmp, 'cli-past.sqlite')
    const input = join(tmp, 'cli-past.csv')
    writeFileSync(
      input,
      [
        'id,type,fn,gn,dob,vaccine,dose,doses,date',
        'P1,v,Tran,Binh,1975-03-04,Comirnaty,1,2,2021-06-01',
      ].join('\n'),
    )
    const keys = ['--key-dir', KEYS_EXAMPLE, '--ledger', ledger]
    // issued now: valid for 12 months from today
    expect(runCli(['issue', input, ...keys, '--out', join(tmp, 'cli-past.jsonl')]).code).toBe(0)
    // two years back, 12 months: the renewal would have expired a year ago
    const past = runCli([
      'renew',
      ...keys,
      '--at',
      '2021-02-01T00:00:00Z',
      '--expiring-within',
      '3000d',
      '--json',
    ])
    expect(past.code).toBe(4)
    const report = JSON.parse(past.stdout) as RenewReport
    expect(report.renewed).toBe(0)
    expect(report.refused).toEqual([expect.objectContaining({ code: 'ERR_EXPIRED', source: 'ledger' })])
    expect(past.stdout).not.toMatch(/Tran|Binh|1975/)
    // nothing superseded: a renewal at today's clock still renews it
    const today = runCli(['renew', ...keys, '--expiring-within', '400d', '--json'])
    expect(JSON.parse(today.stdout)).toMatchObject({ renewed: 1, refused: [] })
  })
})
