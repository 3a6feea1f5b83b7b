/**
 * `hcert issue --kind icvp` at the service level, on each ledger engine: a batch with planted bad
 * records rejects exactly those (field and reason, never the input's text) and issues the rest; the
 * certificates verify as kind icvp; a rerun issues nothing twice; stats counts them as icvp; renew
 * renews them as ICVPs.
 */
import { randomBytes } from 'node:crypto'
import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { verifyHc1 } from '../../src/hcert/verify-hc1.js'
import { inlineSigner } from '../../src/issue/sign-jobs.js'
import type { LedgerStore } from '../../src/ledger/store.js'
import { issueCertificates, type IssuedCertificate, type IssueOptions } from '../../src/services/issue.js'
import { renewCertificates, type RenewedCertificate } from '../../src/services/renew.js'
import { statsOf } from '../../src/services/stats.js'
import { TrustList } from '../../src/trust/trust-list.js'
import { exampleSigner, freshKeys } from '../helpers/keys.js'
import { ENGINES, requirePgInCi } from '../helpers/pg.js'

requirePgInCi()
const NOW = new Date('2021-12-21T00:00:00Z')
const tmp = mkdtempSync(join(tmpdir(), 'hcert-icvp-'))
const signer = exampleSigner('ES256')
const trust = new TrustList([signer.certificate])
const STAMARIL = 'YellowFeverProductd8a09f80301dc05e124f99ffe7711fc0'
const IMOVAX = 'PolioVaccineInactivatedIProduct532ef986c8042bbb15fee24056fdc4ed'

const good = (id: string, extra: Record<string, unknown> = {}): Record<string, unknown> => ({
  id,
  name: `Nguyễn Văn ${id.replace(/\d/g, (d) => 'ABCDEFGHIJ'[Number(d)] as string)}`, // a name holds no digit
  dob: '1980-05-17',
  sex: 'male',
  nationality: 'VN',
  national_id: 'B1234567',
  national_id_type: 'passport',
  product: 'STAMARIL',
  date: '2021-06-01',
  batch: 'L123',
  clinician: 'Dr Lan',
  issuer: 'Pasteur Institute',
  ...extra,
})
/** letters that compress no better than a holder's data would: a guardian field far too long for a QR code (or a name) */
const long = randomBytes(2400)
  .toString('base64')
  .replace(/[^A-Za-z]/g, 'x')

const GOOD = [
  good('g1'),
  good('g2', { product: IMOVAX, sex: 'F', national_id: undefined, national_id_type: undefined }),
  good('g3', { issuer: undefined, product: 'stamaril, 10 doses (sanofi pasteur)' }),
  good('g4', { clinician: undefined, valid_from: '2021-06-11', guardian: 'Trần Thị Mai' }),
]
/** each planted defect, with the one field it must be rejected for and the words of the reason */
const BAD: Array<[Record<string, unknown>, string, RegExp]> = [
  [good('b1', { name: '' }), 'name', /is missing: the holder's name is required/],
  [good('b2', { dob: '1975-02-30' }), 'dob', /is not a calendar date/],
  [good('b3', { date: '01/06/2021' }), 'date', /must be a date written YYYY-MM-DD/],
  [good('b4', { product: 'Comirnaty' }), 'product', /is not a vaccine of the ICVP product list/],
  [good('b5', { product: 'Stabilized Yellow Fever Vaccine' }), 'product', /names several vaccines/],
  [good('b6', { issuer: undefined, clinician: undefined }), 'issuer', /and so is clinician/],
  [good('b7', { test_device: '1232' }), 'test_device', /is a column of EU DCC records/],
  [good('b8', { name: 'Nguyễn\u001b[2JVăn' }), 'name', /contains a control character .* at character 7/],
  // no field is long enough for the QR code's limit now: the name's own limit comes first
  [good('b9', { guardian: long }), 'guardian', /^is longer than 80 characters/],
  [good('b10', { date: '2022-06-01' }), 'date', /the vaccination date is in the future/],
  [good('b11', { dob: '2021-07-01' }), 'dob', /the date of birth is after the vaccination/],
  [good('b12', { batch: undefined }), 'batch', /is missing: the batch \(lot\) number is required/],
  [good('b13', { sex: 'x' }), 'sex', /must be male, female, other or unknown/],
  [good('b14', { nationality: 'Vietnam' }), 'nationality', /ISO 3166 two-letter country code/],
  [good('b15', { national_id: undefined }), 'national_id_type', /is given without national_id/],
  [good('b16', { valid_from: '2021-06-11', valid_until: '2021-06-01' }), 'valid_until', /before valid_from/],
  [good('b17', { name: 7 }), 'name', /must be text \(a JSON string\), not a number/],
]

async function issue(
  ledger: LedgerStore,
  records: Array<Record<string, unknown>>,
  extra: Partial<IssueOptions> = {},
) {
  const file = join(tmp, `${randomBytes(4).toString('hex')}.jsonl`)
  writeFileSync(file, records.map((r) => JSON.stringify(r)).join('\n'))
  const certificates: IssuedCertificate[] = []
  const report = await issueCertificates({
    source: file,
    signer,
    jobSigner: inlineSigner(signer),
    ledger,
    batch: 'icvp',
    now: NOW,
    validity: { amount: 12, unit: 'm' },
    defaults: { country: 'VN' },
    dryRun: false,
    kind: 'icvp',
    onCertificate: (c) => certificates.push(c),
    ...extra,
  })
  return { report, certificates }
}

const open: LedgerStore[] = []
afterAll(() => {
  for (const ledger of open) ledger.close()
})

describe.each(ENGINES)('ICVP batch on $name', (engine) => {
  const ledger = engine.open(engine.spec(tmp, 'icvp'))
  open.push(ledger)
  // planted among the good ones, so that positions are checked too
  const batch = [GOOD[0], ...BAD.map(([r]) => r), ...GOOD.slice(1)] as Array<Record<string, unknown>>

  it('rejects exactly the planted records, each for its field and reason, and issues the rest', async () => {
    const { report, certificates } = await issue(ledger, batch)
    expect(report).toMatchObject({ records: batch.length, issued: GOOD.length, rejected: BAD.length })
    expect(certificates.map((c) => c.id)).toEqual(GOOD.map((g) => g.id))
    expect(certificates.every((c) => c.type === 'icvp')).toBe(true)
    for (const [i, [, field, reason]] of BAD.entries()) {
      const found = report.rejections.filter((r) => r.index === i + 2)
      expect(found, `record b${i + 1}`).toHaveLength(1)
      expect(found[0]?.field, `record b${i + 1}`).toBe(field)
      expect(found[0]?.reason, `record b${i + 1}`).toMatch(reason)
    }
    // reasons never quote a holder's data
    const reasons = JSON.stringify(report.rejections)
    for (const text of ['Nguyễn', 'Comirnaty', '1975-02-30', 'Vietnam', long.slice(0, 20)])
      expect(reasons).not.toContain(text)
  })

  it('each certificate verifies with the signer’s trust as kind icvp, in the shape the read side checks', async () => {
    const { certificates } = await issue(ledger, GOOD)
    expect(certificates).toHaveLength(GOOD.length)
    const payloads = certificates.map((c) => {
      const result = verifyHc1(c.hc1, { trust, now: new Date('2022-06-01') })
      expect(result.errors).toEqual([])
      expect(result.valid).toBe(true)
      expect(result.kind).toBe('icvp')
      expect(result.checks.schema).toBe('pass')
      expect(result.claims?.iss).toBe('VN')
      return result.payload
    })
    expect(payloads[0]).toEqual({
      n: 'Nguyễn Văn gB',
      dob: '1980-05-17',
      s: 'male',
      ntl: 'VN',
      nid: 'B1234567',
      ndt: 'PPN',
      v: { vp: STAMARIL, dt: '2021-06-01', bo: 'L123', cn: 'Dr Lan', is: 'Pasteur Institute' },
    })
    expect(payloads[1]).toMatchObject({ s: 'female', v: { vp: IMOVAX } })
    expect(payloads[2]).toMatchObject({ v: { vp: STAMARIL, cn: 'Dr Lan' } })
    expect((payloads[2] as { v: Record<string, unknown> }).v.is).toBeUndefined()
    expect(payloads[3]).toMatchObject({
      gn: 'Trần Thị Mai',
      v: { is: 'Pasteur Institute', vls: '2021-06-11' },
    })
  })

  it('a rerun issues nothing twice: every record is already issued, with the same certificate', async () => {
    const first = await issue(ledger, GOOD)
    const again = await issue(ledger, GOOD)
    expect(again.report).toMatchObject({ issued: 0, alreadyIssued: GOOD.length, rejected: 0 })
    expect(again.certificates.map((c) => c.uvci)).toEqual(first.certificates.map((c) => c.uvci))
    // the same id with other content is refused, as for a DCC
    const changed = await issue(ledger, [good('g1', { batch: 'OTHER' })])
    expect(changed.report.rejections[0]).toMatchObject({
      field: 'id',
      reason: expect.stringMatching(/reused/),
    })
  })

  it('stats counts the ICVPs as their own type, with their products named', () => {
    const stats = statsOf(ledger, { now: new Date('2022-01-01'), by: 'day', soon: 30 * 86_400 })
    expect(stats.totals).toMatchObject({ issued: GOOD.length, renewed: 0, active: GOOD.length })
    expect(stats.totals.rejected).toBeGreaterThanOrEqual(BAD.length)
    expect(stats.byType).toEqual([
      { key: 'icvp', count: GOOD.length, name: 'ICVP (vaccination or prophylaxis)' },
    ])
    expect(stats.byProduct).toContainEqual({
      key: STAMARIL,
      count: 3,
      name: 'STAMARIL, 10 doses (Sanofi Pasteur)',
    })
  })

  it('renew re-signs an expired ICVP as an ICVP, with a new UVCI, once', async () => {
    const at = new Date('2023-01-01T00:00:00Z')
    const renewed: RenewedCertificate[] = []
    const report = await renewCertificates({
      ledger,
      signer,
      now: at,
      validity: { amount: 12, unit: 'm' },
      dueBy: at.getTime() / 1000,
      batch: 'renew',
      onCertificate: (c) => renewed.push(c),
    })
    expect(report).toMatchObject({ renewed: GOOD.length, refused: [] })
    for (const c of renewed) {
      expect(c.type).toBe('icvp')
      const result = verifyHc1(c.hc1, { trust, now: new Date('2023-06-01') })
      expect(result.errors).toEqual([])
      expect(result.kind).toBe('icvp')
    }
    const again = await renewCertificates({
      ledger,
      signer,
      now: at,
      validity: { amount: 12, unit: 'm' },
      dueBy: at.getTime() / 1000,
      batch: 'renew',
    })
    expect(again.renewed).toBe(0)
    const stats = statsOf(ledger, { now: at, by: 'day', soon: 30 * 86_400 })
    expect(stats.totals).toMatchObject({ renewed: GOOD.length, superseded: GOOD.length })
    expect(stats.byType).toEqual([
      { key: 'icvp', count: 2 * GOOD.length, name: 'ICVP (vaccination or prophylaxis)' },
    ])
  })
})

describe('ICVP and the DSC’s Extended Key Usage', () => {
  it('a DSC that may sign vaccinations signs ICVPs; one for tests only does not', async () => {
    const { signer: testsOnly } = await freshKeys({ usage: ['t'] })
    const { signer: vaccinations } = await freshKeys({ usage: ['v'] })
    for (const [dsc, issued] of [
      [testsOnly, 0],
      [vaccinations, 1],
    ] as const) {
      const ledger = engineFree()
      const { report } = await issue(ledger, [good('k1')], { signer: dsc, jobSigner: inlineSigner(dsc) })
      ledger.close()
      expect(report.issued).toBe(issued)
      if (issued === 0)
        expect(report.rejections[0]?.reason).toMatch(
          /may not sign ICVP \(vaccination or prophylaxis\) certificates/,
        )
    }
  })
})

function engineFree(): LedgerStore {
  const engine = ENGINES[0] as (typeof ENGINES)[number]
  return engine.open(engine.spec(tmp, 'eku'))
}
