/**
 * `hcert issue --correct` as a tester broke it: a correction backdated with `--at` replaced a
 * valid certificate by one already expired (or one dated before it), and an old batch resent after
 * a correction signed the old, wrong content back in (with --correct) or was rejected as a reuse
 * of the id (without). A correction follows renew's rule; an earlier version of a record, corrected
 * since, is written out as its current certificate, counted in alreadyIssuedCorrected.
 */
import { describe, expect, it } from 'vitest'
import { Ledger } from '../../src/ledger/ledger.js'
import { type IssuedCertificate, type IssueOptions } from '../../src/services/issue.js'
import { CSV_HEADER } from '../helpers/records.js'
import { fileMaker, ISSUE_NOW, issueFile } from '../helpers/issue.js'

const NOW = ISSUE_NOW
const file = fileMaker('hcert-correct-window-')
const csv = (text: string): string => file('in.csv', `${CSV_HEADER}\n${text}\n`)

// the real clock half a year on: a correction dated NOW is valid today
const issue = (ledger: Ledger, source: string, extra: Partial<IssueOptions> = {}) =>
  issueFile(ledger, source, { realNow: new Date('2022-06-01T00:00:00Z'), ...extra })

const ORIGINAL = 'F1,v,Do,Hai,1977-07-07,Comirnaty,1,2,2021-06-10'
const FIXED = 'F1,v,Do,Hais,1977-07-07,Comirnaty,1,2,2021-06-10'

describe('a backdated correction follows renew rule', () => {
  it('one that would be expired by the real clock while the certificate it replaces is valid is rejected, nothing signed', async () => {
    const ledger = new Ledger(':memory:')
    await issue(ledger, csv(ORIGINAL)) // valid until 2021-12-21 + 12 months, past the real now
    const { report, certificates } = await issue(ledger, csv(FIXED), {
      correct: true,
      now: new Date('2021-12-22T00:00:00Z'),
      validity: { amount: 1, unit: 'm' }, // expires 2022-01-22, before the real now
    })
    expect(certificates).toEqual([])
    expect(report).toMatchObject({ issued: 0, corrected: 0, rejected: 1 })
    expect(report.rejections[0]).toMatchObject({
      field: 'record',
      reason: expect.stringContaining('would expire at 2022-01-22T00:00:00.000Z, before now'),
    })
    expect(ledger.chainOf('id:F1')).toHaveLength(1)
    // the same correction valid past the real now is signed
    const later = await issue(ledger, csv(FIXED), { correct: true, now: new Date('2021-12-22T00:00:00Z') })
    expect(later.report).toMatchObject({ issued: 1, corrected: 1, rejected: 0 })
    ledger.close()
  })

  it('one dated before the certificate it replaces was issued is rejected', async () => {
    const ledger = new Ledger(':memory:')
    await issue(ledger, csv(ORIGINAL))
    const { report } = await issue(ledger, csv(FIXED), {
      correct: true,
      now: new Date('2021-12-01T00:00:00Z'),
    })
    expect(report).toMatchObject({ issued: 0, rejected: 1 })
    expect(report.rejections[0]?.reason).toContain('before the certificate it replaces was issued')
    ledger.close()
  })
})

describe('an old batch resent after a correction', () => {
  it.each([false, true])(
    'is written out as the current certificate, not signed, not rejected (--correct %s)',
    async (correct) => {
      const ledger = new Ledger(':memory:')
      await issue(ledger, csv(ORIGINAL))
      const fixed = await issue(ledger, csv(FIXED), { correct: true })
      expect(fixed.report.corrected).toBe(1)
      const current = fixed.certificates[0] as IssuedCertificate
      const { report, certificates } = await issue(ledger, csv(ORIGINAL), correct ? { correct: true } : {})
      expect(report).toMatchObject({
        issued: 0,
        corrected: 0,
        rejected: 0,
        alreadyIssued: 1,
        alreadyIssuedCorrected: 1,
      })
      expect(certificates.map((c) => c.uvci)).toEqual([current.uvci])
      expect(report.warnings.join('\n')).toContain('is an earlier version of its record: corrected since')
      expect(ledger.chainOf('id:F1')).toHaveLength(2)
      const stats = ledger.stats({ now: NOW, by: 'month', soon: 0 })
      expect(stats.totals.rejected + stats.totals.rejectedSinceIssued).toBe(0)
      ledger.close()
    },
  )
})

describe('a mistaken correction undone', () => {
  it('with --correct --restore the earlier version is signed as a correction restoring it; the chain keeps all three', async () => {
    const ledger = new Ledger(':memory:')
    const first = (await issue(ledger, csv(ORIGINAL))).certificates[0] as IssuedCertificate
    const wrong = await issue(ledger, csv(FIXED), { correct: true })
    expect(wrong.report.corrected).toBe(1)
    const { report, certificates } = await issue(ledger, csv(ORIGINAL), { correct: true, restore: true })
    expect(report).toMatchObject({ issued: 1, corrected: 1, rejected: 0, alreadyIssued: 0 })
    const restored = certificates[0] as IssuedCertificate
    expect(restored.uvci).not.toBe(first.uvci)
    const chain = ledger.chainOf('id:F1')
    expect(chain).toHaveLength(3)
    expect(chain[2]?.uvci).toBe(restored.uvci)
    // the restored certificate holds the original names again
    const gn = (i: number) => (JSON.parse(chain[i]?.payload ?? '{}') as { nam: { gn: string } }).nam.gn
    expect(gn(2)).toBe(gn(0))
    expect(gn(1)).not.toBe(gn(0))
    // and the old input is now the current content: already issued, with or without --restore
    const again = await issue(ledger, csv(ORIGINAL), { correct: true, restore: true })
    expect(again.report).toMatchObject({ issued: 0, alreadyIssued: 1, alreadyIssuedCorrected: 0 })
    ledger.close()
  })

  it('--restore without --correct changes nothing: an earlier version is already issued', async () => {
    const ledger = new Ledger(':memory:')
    await issue(ledger, csv(ORIGINAL))
    await issue(ledger, csv(FIXED), { correct: true })
    const { report } = await issue(ledger, csv(ORIGINAL), { restore: true })
    expect(report).toMatchObject({ issued: 0, alreadyIssued: 1, alreadyIssuedCorrected: 1 })
    expect(ledger.chainOf('id:F1')).toHaveLength(2)
    ledger.close()
  })
})
