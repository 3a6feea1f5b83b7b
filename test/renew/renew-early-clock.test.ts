/**
 * renew at a clock (--at) before a certificate's own issue date, or before the event it certifies:
 * refused per certificate (ERR_NOT_YET_VALID), in a dry run too, and nothing is signed or recorded.
 */
import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { Ledger } from '../../src/ledger/ledger.js'
import { renewCertificates } from '../../src/services/renew.js'
import { TrustList } from '../../src/trust/trust-list.js'
import { flatVaccination, issueHarness } from '../helpers/issue.js'
import { exampleSigner } from '../helpers/keys.js'

const tmp = mkdtempSync(join(tmpdir(), 'hcert-renew-early-'))
const es = exampleSigner('ES256')
const issueAt = (now: string) => issueHarness('hcert-renew-early-issue-', { now: new Date(now) })

const rows = (ledger: Ledger): unknown[] =>
  ledger.database.prepare('SELECT id, uvci, origin, superseded_by FROM certificates ORDER BY id').all()

const renewAt = (ledger: Ledger, at: string, dryRun = false) => {
  const now = new Date(at)
  return renewCertificates({
    ledger,
    signer: es,
    now,
    realNow: new Date('2021-05-01T00:00:00Z'),
    validity: { amount: 12, unit: 'm' },
    dueBy: Math.floor(now.getTime() / 1000) + 400 * 86_400,
    batch: 'renew',
    dryRun,
  })
}

describe('renew at a clock earlier than the certificate or its event', () => {
  it('refuses a renewal dated before the certificate it replaces was issued', async () => {
    const ledger = new Ledger(join(tmp, 'before-iat.sqlite'))
    const input = JSON.stringify(
      flatVaccination({ fn: 'Do', gn: 'Hai', dob: '1977-07-07', date: '2021-03-20' }),
    )
    const [issued] = (await issueAt('2021-04-01T00:00:00Z')(input, 'b', { ledger })).certificates
    const before = rows(ledger)
    for (const dryRun of [true, false]) {
      const report = await renewAt(ledger, '2021-03-25T00:00:00Z', dryRun)
      expect(report.renewed).toBe(0)
      expect(report.wouldRenew ?? []).toEqual([])
      expect(report.refused).toEqual([
        expect.objectContaining({ uvci: issued?.uvci, code: 'ERR_NOT_YET_VALID' }),
      ])
      expect(report.refused[0]?.reason).toMatch(/before the certificate it replaces was issued/)
      expect(report.refused[0]?.reason).not.toContain('1977')
    }
    expect(rows(ledger)).toEqual(before)
    ledger.close()
  })

  it('refuses a renewal dated before the vaccination it certifies', async () => {
    const ledger = new Ledger(join(tmp, 'before-event.sqlite'))
    // issued (backdated) before the vaccination date: the renewal at a clock still before it is refused
    const input = JSON.stringify(
      flatVaccination({ fn: 'Do', gn: 'Hai', dob: '1977-07-07', date: '2021-03-20' }),
    )
    const harness = issueAt('2021-04-01T00:00:00Z')
    await harness(input, 'b', { ledger })
    ledger.database.prepare('UPDATE certificates SET iat = ?').run(Date.parse('2021-03-01T00:00:00Z') / 1000)
    const report = await renewAt(ledger, '2021-03-10T00:00:00Z', true)
    expect(report.refused.map((r) => r.code)).toEqual(['ERR_NOT_YET_VALID'])
    expect(report.refused[0]?.reason).toMatch(/before the event it certifies/)
    expect(report.refused[0]?.reason).not.toContain('2021-03-20')
    // on or after both, it is renewed
    const later = await renewAt(ledger, '2021-04-02T00:00:00Z')
    expect(later.renewed).toBe(1)
    ledger.close()
  })
})

describe('renew given a certificate renewed twice since', () => {
  it('writes out the certificate in force, not the renewal since replaced', async () => {
    const ledger = new Ledger(join(tmp, 'chain.sqlite'))
    const input = JSON.stringify(
      flatVaccination({ fn: 'Do', gn: 'Hai', dob: '1977-07-07', date: '2021-03-20' }),
    )
    const [original] = (await issueAt('2021-04-01T00:00:00Z')(input, 'b', { ledger })).certificates
    const at = (iso: string, extra: Record<string, unknown> = {}) => {
      const now = new Date(iso)
      return renewCertificates({
        ledger,
        signer: es,
        now,
        realNow: now,
        validity: { amount: 12, unit: 'm' },
        dueBy: Math.floor(now.getTime() / 1000) + 30 * 86_400,
        batch: 'renew',
        ...extra,
      })
    }
    const uvcis: string[] = []
    expect(
      (await at('2022-03-20T00:00:00Z', { onCertificate: (c: { uvci: string }) => uvcis.push(c.uvci) }))
        .renewed,
    ).toBe(1)
    expect(
      (await at('2023-03-10T00:00:00Z', { onCertificate: (c: { uvci: string }) => uvcis.push(c.uvci) }))
        .renewed,
    ).toBe(1)
    const [first, second] = uvcis
    const written: Array<{ uvci: string; replaces: string }> = []
    const again = await at('2023-03-11T00:00:00Z', {
      onCertificate: (c: { uvci: string; replaces: string }) => written.push(c),
      trust: new TrustList([es.certificate]),
      inputs: (async function* () {
        yield { source: 'old.txt', text: original?.hc1 as string }
      })(),
    })
    expect(first).not.toBe(second)
    expect(again).toMatchObject({ renewed: 0, alreadyRenewed: 1, skipped: [] })
    expect(written.map((c) => [c.replaces, c.uvci])).toEqual([[original?.uvci, second]])
    ledger.close()
  })
})
