import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { encodeBase45, decodeBase45 } from '../../src/codec/base45.js'
import { deflate, inflate } from '../../src/codec/zlib.js'
import { verifyHc1 } from '../../src/hcert/verify-hc1.js'
import { inlineSigner } from '../../src/issue/sign-jobs.js'
import { Ledger } from '../../src/ledger/ledger.js'
import { fileNameFor } from '../../src/qr/write-qr.js'
import { fromBytes } from '../../src/services/read-input.js'
import { issueCertificates, type IssuedCertificate } from '../../src/services/issue.js'
import { renewCertificates, type RenewedCertificate } from '../../src/services/renew.js'
import { statsOf } from '../../src/services/stats.js'
import { TrustList } from '../../src/trust/trust-list.js'
import { exampleSigner, freshKeys } from '../helpers/keys.js'
import { letters } from '../helpers/records.js'

const tmp = mkdtempSync(join(tmpdir(), 'hcert-renew-'))
const DAY = 86_400
const es = exampleSigner('ES256')
const ps = exampleSigner('PS256')
const trust = new TrustList([es.certificate, ps.certificate])

/** a distinct given name per number: standardised names keep letters only, so digits would not do */

function record(i: number, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    id: `R${i}`,
    type: 'v',
    fn: 'Nguyễn',
    gn: `Văn ${letters(i)}`,
    dob: '1980-01-01',
    vaccine: 'Comirnaty',
    dose: 1,
    doses: 2,
    date: '2021-05-01',
    ...extra,
  }
}

async function issueAt(
  ledger: Ledger,
  at: string,
  records: Array<Record<string, unknown>>,
  batch: string,
  signer = es,
): Promise<IssuedCertificate[]> {
  const file = join(tmp, `${batch}.jsonl`)
  writeFileSync(file, records.map((r) => JSON.stringify(r)).join('\n'))
  const out: IssuedCertificate[] = []
  const report = await issueCertificates({
    source: file,
    signer,
    jobSigner: inlineSigner(signer),
    ledger,
    batch,
    now: new Date(at),
    validity: { amount: 12, unit: 'm' },
    defaults: { country: 'VN', issuer: 'Ministry of Health' },
    dryRun: false,
    onCertificate: (c) => out.push(c),
  })
  expect(report.rejected).toBe(0)
  return out
}

async function renewAt(
  ledger: Ledger,
  at: string,
  options: Partial<Parameters<typeof renewCertificates>[0]> & { within?: number } = {},
) {
  const now = new Date(at)
  const renewed: RenewedCertificate[] = []
  const report = await renewCertificates({
    ledger,
    signer: es,
    now,
    validity: { amount: 12, unit: 'm' },
    dueBy: Math.floor(now.getTime() / 1000) + (options.within ?? 0),
    batch: `renew ${at}`,
    onCertificate: (c) => renewed.push(c),
    ...options,
  })
  return { report, renewed }
}

/** payload of an HC1 string, via the public verify path */
const payloadOf = (hc1: string, at: string): Record<string, unknown> =>
  verifyHc1(hc1, { trust, now: new Date(at) }).payload as Record<string, unknown>

describe('hcert renew', () => {
  it('selects exactly the certificates due, keeps the content but the UVCI, and does nothing on a second run', async () => {
    const ledger = new Ledger(join(tmp, 'due.sqlite'))
    const june = await issueAt(ledger, '2021-06-01T00:00:00Z', [record(1), record(2)], 'june')
    const july = await issueAt(
      ledger,
      '2021-07-01T00:00:00Z',
      [record(3), record(4, { type: 'v', vaccine: 'Spikevax' })],
      'july',
    )
    const august = await issueAt(ledger, '2021-08-01T00:00:00Z', [record(5)], 'august', ps)

    // 2022-06-15: the June certificates have expired, July's expire within 30 days, August's do not
    const expired = await renewAt(ledger, '2022-06-15T00:00:00Z')
    expect(expired.renewed.map((r) => r.replaces).sort()).toEqual(june.map((c) => c.uvci).sort())
    const soon = await renewAt(ledger, '2022-06-15T00:00:00Z', { within: 30 * DAY })
    // the June renewals are in this wider selection too: written out again (as issue writes an
    // already issued record again), not signed again
    expect(soon.renewed.map((r) => r.replaces).sort()).toEqual([...june, ...july].map((c) => c.uvci).sort())
    const earlier = new Set(expired.renewed.map((r) => r.uvci))
    const fresh = soon.renewed.filter((r) => !earlier.has(r.uvci))
    expect(fresh.map((r) => r.replaces).sort()).toEqual(july.map((c) => c.uvci).sort())
    expect(soon.report.renewed).toBe(2)
    expect(soon.report.alreadyRenewed).toBe(2)

    for (const renewal of [...expired.renewed, ...soon.renewed]) {
      const old = [...june, ...july].find((c) => c.uvci === renewal.replaces) as IssuedCertificate
      const before = payloadOf(old.hc1, '2021-12-01T00:00:00Z')
      const result = verifyHc1(renewal.hc1, { trust, now: new Date('2022-07-01T00:00:00Z') })
      expect(result.valid).toBe(true)
      const after = result.payload as Record<string, Array<Record<string, unknown>>>
      expect(after.v?.[0]?.ci).toBe(renewal.uvci)
      expect(renewal.uvci).not.toBe(old.uvci)
      // the same health content, apart from the certificate identifier
      const strip = (p: Record<string, unknown>) =>
        JSON.parse(JSON.stringify(p).replace(/"ci":"[^"]+"/, '"ci":""'))
      expect(strip(after)).toEqual(strip(before))
      expect(renewal.iat).toBe(Date.parse('2022-06-15T00:00:00Z') / 1000)
      expect(renewal.exp).toBe(Date.parse('2023-06-15T00:00:00Z') / 1000)
    }

    const again = await renewAt(ledger, '2022-06-15T00:00:00Z', { within: 30 * DAY })
    expect(again.report.renewed).toBe(0)
    // nothing signed: the four renewals of before written out again, the same certificates
    expect(again.report.alreadyRenewed).toBe(4)
    expect(again.renewed.map((r) => r.uvci).sort()).toEqual(soon.renewed.map((r) => r.uvci).sort())
    // the old certificates are superseded and point to their renewals
    const superseded = ledger.database
      .prepare('SELECT count(*) FROM certificates WHERE superseded_by IS NOT NULL')
      .pluck()
      .get()
    expect(superseded).toBe(4)
    expect(august).toHaveLength(1)
  })

  it('--qr-dir: a PNG and an SVG per renewed certificate, named by its new UVCI, scanning to its text', async () => {
    const ledger = new Ledger(join(tmp, 'qr.sqlite'))
    await issueAt(ledger, '2021-06-01T00:00:00Z', [record(1), record(2)], 'qr')
    const qrDir = join(tmp, 'renew-qr')
    const { renewed } = await renewAt(ledger, '2022-06-15T00:00:00Z', { qrDir })
    expect(renewed).toHaveLength(2)
    const files = readdirSync(qrDir).sort()
    expect(files).toHaveLength(4)
    for (const certificate of renewed) {
      const png = files.find((f) => f.endsWith('.png') && f.startsWith(fileNameFor(certificate.uvci)))
      expect(png).toBeDefined()
      const scanned = await fromBytes(readFileSync(join(qrDir, png as string)), png as string)
      expect(scanned.text).toBe(certificate.hc1)
    }
    ledger.close()
  })

  it('narrows by kid, type and batch', async () => {
    const ledger = new Ledger(join(tmp, 'filters.sqlite'))
    await issueAt(ledger, '2021-06-01T00:00:00Z', [record(1), record(2)], 'es', es)
    const psCerts = await issueAt(ledger, '2021-06-01T00:00:00Z', [record(3)], 'ps', ps)
    const byKid = await renewAt(ledger, '2022-07-01T00:00:00Z', {
      filter: { kid: Buffer.from(ps.kid).toString('base64') },
    })
    expect(byKid.renewed.map((r) => r.replaces)).toEqual(psCerts.map((c) => c.uvci))
    expect((await renewAt(ledger, '2022-07-01T00:00:00Z', { filter: { type: 't' } })).report.renewed).toBe(0)
    expect((await renewAt(ledger, '2022-07-01T00:00:00Z', { filter: { batch: 'es' } })).report.renewed).toBe(
      2,
    )
  })

  it('renews only the latest certificate of a holder for the same event', async () => {
    const ledger = new Ledger(join(tmp, 'latest.sqlite'))
    // records without an id: the same person and vaccination, issued again a week later with the
    // product put right (records under two different ids would be two people: renew-chains.test.ts)
    const first = await issueAt(ledger, '2021-06-01T00:00:00Z', [record(1, { id: undefined })], 'first')
    const second = await issueAt(
      ledger,
      '2021-06-08T00:00:00Z',
      [record(1, { id: undefined, vaccine: 'Spikevax' })],
      'second',
    )
    expect(second).toHaveLength(1)
    const { report, renewed } = await renewAt(ledger, '2022-07-01T00:00:00Z')
    expect(renewed.map((r) => r.replaces)).toEqual(second.map((c) => c.uvci))
    expect(report.skipped).toEqual([
      {
        source: 'ledger',
        uvci: first[0]?.uvci,
        reason: `a later certificate for the same holder and event exists (${second[0]?.uvci})`,
      },
    ])
  })

  it('given certificates: verified first; expired ones renewed once, tampered or untrusted ones refused', async () => {
    const ledger = new Ledger(join(tmp, 'given.sqlite'))
    const [cert] = await issueAt(ledger, '2021-06-01T00:00:00Z', [record(1)], 'given')
    const hc1 = (cert as IssuedCertificate).hc1
    const cose = inflate(decodeBase45(hc1.slice(4)))
    const flipped = Uint8Array.from(cose)
    flipped[flipped.length - 3] = (flipped[flipped.length - 3] as number) ^ 1
    const tampered = `HC1:${encodeBase45(deflate(flipped))}`
    const stranger = await freshKeys()
    const foreign = (
      await issueAt(
        new Ledger(join(tmp, 'other.sqlite')),
        '2021-06-01T00:00:00Z',
        [record(9)],
        'foreign',
        stranger.signer,
      )
    )[0]?.hc1 as string
    const inputs = async function* () {
      yield { source: 'tampered', text: tampered }
      yield { source: 'untrusted', text: foreign }
      yield { source: 'garbage', text: 'HC1:NOT' }
      yield { source: 'good', text: hc1 }
      yield { source: 'good again', text: hc1 }
    }
    const first = await renewAt(ledger, '2022-07-01T00:00:00Z', { inputs: inputs(), trust })
    expect(first.report.refused.map((r) => [r.source, r.code])).toEqual([
      ['tampered', 'ERR_SIGNATURE'],
      ['untrusted', 'ERR_KID_UNKNOWN'],
      ['garbage', 'ERR_INFLATE'],
    ])
    expect(first.renewed.map((r) => r.replaces)).toEqual([cert?.uvci])
    expect(first.report.skipped).toEqual([
      { source: 'good again', uvci: cert?.uvci, reason: 'given twice: renewed once' },
    ])
    const second = await renewAt(ledger, '2022-07-01T00:00:00Z', {
      inputs: (async function* () {
        yield { source: 'good', text: hc1 }
      })(),
      trust,
    })
    expect(second.report.renewed).toBe(0)
    // already renewed: its renewal written out again, counted once (not skipped as well)
    expect(second.report).toMatchObject({ alreadyRenewed: 1, skipped: [] })
    expect(second.renewed.map((r) => [r.replaces, r.uvci])).toEqual([[cert?.uvci, first.renewed[0]?.uvci]])
    // not yet due: a fresh certificate is skipped with its expiry
    const fresh = await renewAt(ledger, '2022-07-02T00:00:00Z', {
      inputs: (async function* () {
        yield { source: 'renewal', text: first.renewed[0]?.hc1 as string }
      })(),
      trust,
    })
    expect(fresh.report.skipped[0]?.reason).toMatch(/^not yet due: it expires at 2023-07-01/)
  })

  it('records a certificate issued elsewhere so that its renewal can point to it', async () => {
    const elsewhere = new Ledger(join(tmp, 'elsewhere.sqlite'))
    const [cert] = await issueAt(elsewhere, '2021-06-01T00:00:00Z', [record(7)], 'elsewhere')
    const ledger = new Ledger(join(tmp, 'importing.sqlite'))
    const { renewed } = await renewAt(ledger, '2022-07-01T00:00:00Z', {
      inputs: (async function* () {
        yield { source: 'brought', text: cert?.hc1 as string }
      })(),
      trust,
    })
    expect(renewed[0]?.replaces).toBe(cert?.uvci)
    const old = ledger.findByUvci(cert?.uvci as string)
    expect(old?.origin).toBe('import')
    expect(old?.supersededBy).not.toBeNull()
  })
})

describe('hcert stats', () => {
  it('figures equal counts computed from the inputs', async () => {
    const ledger = new Ledger(join(tmp, 'stats.sqlite'))
    // a made-up rollout: day d issues 2^d certificates (the curve doubles), some rejected
    const days = ['2021-06-01', '2021-06-02', '2021-06-03', '2021-06-04']
    const expected = {
      perDay: [] as Array<{ key: string; count: number }>,
      byProduct: new Map<string, number>(),
      byDose: new Map<string, number>(),
    }
    let n = 0
    for (const [d, day] of days.entries()) {
      const records = Array.from({ length: 2 ** d }, () => {
        n++
        const product = n % 3 === 0 ? 'Spikevax' : 'Comirnaty'
        const dose = (n % 2) + 1
        return record(n, { vaccine: product, dose, doses: 2 })
      })
      for (const r of records) {
        const code = r.vaccine === 'Spikevax' ? 'EU/1/20/1507' : 'EU/1/20/1528'
        expected.byProduct.set(code, (expected.byProduct.get(code) ?? 0) + 1)
        expected.byDose.set(String(r.dose), (expected.byDose.get(String(r.dose)) ?? 0) + 1)
      }
      await issueAt(ledger, `${day}T10:00:00Z`, records, `day${d}`)
      expected.perDay.push({ key: day, count: 2 ** d })
    }
    // rejected records: two, one of them with two reasons
    const bad = join(tmp, 'bad.jsonl')
    writeFileSync(
      bad,
      [record(100, { dose: 9 }), record(101, { dob: '2030-01-01', dose: 9 })]
        .map((r) => JSON.stringify(r))
        .join('\n'),
    )
    await issueCertificates({
      source: bad,
      signer: es,
      jobSigner: inlineSigner(es),
      ledger,
      batch: 'bad',
      now: new Date('2021-06-04T12:00:00Z'),
      validity: { amount: 12, unit: 'm' },
      defaults: { country: 'VN', issuer: 'MoH' },
      dryRun: false,
    })
    await renewAt(ledger, '2022-06-02T12:00:00Z') // renews the 3 certificates of the first two days

    const stats = statsOf(ledger, { now: new Date('2022-06-02T12:00:00Z'), by: 'day', soon: 30 * DAY })
    const total = 1 + 2 + 4 + 8
    expect(stats.totals).toEqual({
      issued: total,
      renewed: 3,
      active: total - 3 + 3,
      expired: 0,
      expiringSoon: 12,
      superseded: 3,
      rejected: 2,
      rejectedSinceIssued: 0,
    })
    expect(stats.perPeriod).toEqual([...expected.perDay, { key: '2022-06-02', count: 3 }])
    const issuedOnly = statsOf(ledger, {
      now: new Date('2022-06-02T12:00:00Z'),
      by: 'day',
      soon: 30 * DAY,
      until: Date.parse('2021-12-31T00:00:00Z') / 1000,
    })
    expect(new Map(issuedOnly.byProduct.map((c) => [c.key, c.count]))).toEqual(expected.byProduct)
    expect(issuedOnly.byProduct.find((c) => c.key === 'EU/1/20/1507')?.name).toBe('Spikevax')
    expect(new Map(issuedOnly.byDose.map((c) => [c.key, c.count]))).toEqual(expected.byDose)
    expect(stats.topRejections[0]).toEqual({
      field: 'dose',
      reason: expect.stringMatching(/^the dose number exceeds the doses in the series/),
      count: 2,
    })
    expect(
      statsOf(ledger, {
        now: new Date('2022-06-02T12:00:00Z'),
        by: 'month',
        soon: DAY,
        since: Date.parse('2021-06-03T00:00:00Z') / 1000,
      }).perPeriod,
    ).toEqual([
      { key: '2021-06', count: 12 },
      { key: '2022-06', count: 3 },
    ])
  })
})
