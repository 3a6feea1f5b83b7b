/**
 * renew given certificates (not selected from the ledger): each certificate given lands in exactly
 * one bucket of the report (renewed, already renewed, skipped, refused; with --dry-run: would
 * renew, skipped, refused), whatever the mix; and one renewed before, whose renewal was replaced
 * since (renewed again, or corrected), has the certificate in force written out as already renewed.
 */
import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { Ledger } from '../../src/ledger/ledger.js'
import { type IssuedCertificate } from '../../src/services/issue.js'
import { renewCertificates, type RenewedCertificate, type RenewReport } from '../../src/services/renew.js'
import { TrustList } from '../../src/trust/trust-list.js'
import { runCli } from '../helpers/cli.js'
import { exampleSigner, KEYS_EXAMPLE } from '../helpers/keys.js'
import { letters } from '../helpers/records.js'
import { fileMaker, issueFile } from '../helpers/issue.js'

const tmp = mkdtempSync(join(tmpdir(), 'hcert-renew-buckets-'))
const es = exampleSigner('ES256')
const trust = new TrustList([es.certificate])
const DAY = 86_400

const record = (i: number, extra: Record<string, unknown> = {}): Record<string, unknown> => ({
  id: `R${letters(i)}`,
  type: 'v',
  fn: 'Pham',
  gn: `Lan ${letters(i)}`,
  dob: '1979-02-03',
  vaccine: 'Comirnaty',
  dose: 1,
  doses: 2,
  date: '2021-05-01',
  ...extra,
})

const file = fileMaker('hcert-renew-buckets-issue-')
async function issue(
  ledger: Ledger,
  at: string,
  records: Array<Record<string, unknown>>,
  correct = false,
): Promise<IssuedCertificate[]> {
  const source = file('records.jsonl', records.map((r) => JSON.stringify(r)).join('\n'))
  const { certificates } = await issueFile(ledger, source, {
    batch: source,
    now: new Date(at),
    ...(correct ? { correct: true } : {}),
  })
  return certificates
}

async function renew(
  ledger: Ledger,
  at: string,
  given?: Array<{ source: string; hc1: string }>,
  dryRun = false,
): Promise<{ report: RenewReport; written: RenewedCertificate[] }> {
  const now = new Date(at)
  const written: RenewedCertificate[] = []
  const report = await renewCertificates({
    ledger,
    signer: es,
    now,
    realNow: now,
    validity: { amount: 12, unit: 'm' },
    // what expires within 30 days
    dueBy: Math.floor(now.getTime() / 1000) + 30 * DAY,
    batch: `renew ${at}`,
    dryRun,
    onCertificate: (c) => written.push(c),
    ...(given
      ? {
          trust,
          inputs: (async function* () {
            for (const g of given) yield { source: g.source, text: g.hc1 }
          })(),
        }
      : {}),
  })
  return { report, written }
}

const buckets = (r: RenewReport): number =>
  r.renewed + r.alreadyRenewed + (r.wouldRenew?.length ?? 0) + r.skipped.length + r.refused.length

describe('renew given certificates: one bucket each', () => {
  it('for every mix of fresh, already renewed, not due and unknown to the ledger', async () => {
    const ledger = new Ledger(join(tmp, 'mix.sqlite'))
    const elsewhere = new Ledger(join(tmp, 'elsewhere.sqlite'))
    try {
      // due by 2022-06-10: issued 2021-06-01 (expire 2022-06-01)
      const due = await issue(
        ledger,
        '2021-06-01T00:00:00Z',
        [1, 2, 3, 4].map((i) => record(i)),
      )
      // not due: issued 2022-01-01 (expire 2023-01-01)
      const [notDue] = await issue(ledger, '2022-01-01T00:00:00Z', [record(5)])
      // unknown to this ledger: issued by another ledger, due
      const [unknown] = await issue(elsewhere, '2021-06-01T00:00:00Z', [record(6)])
      // two renewed before (from the ledger): given again they are already renewed
      const [renewedBefore, alsoRenewedBefore] = due as [IssuedCertificate, IssuedCertificate]
      const earlier = await renew(ledger, '2022-05-20T00:00:00Z', [
        { source: 'a', hc1: renewedBefore.hc1 },
        { source: 'b', hc1: alsoRenewedBefore.hc1 },
      ])
      expect(earlier.report.renewed).toBe(2)
      const [fresh, otherFresh] = due.slice(2) as [IssuedCertificate, IssuedCertificate]

      const mixes: Array<[string, Array<{ source: string; hc1: string }>]> = [
        ['already renewed alone', [{ source: 'old', hc1: renewedBefore.hc1 }]],
        [
          'already renewed and not due',
          [
            { source: 'old', hc1: alsoRenewedBefore.hc1 },
            { source: 'young', hc1: (notDue as IssuedCertificate).hc1 },
          ],
        ],
        [
          'all four kinds',
          [
            { source: 'fresh', hc1: fresh.hc1 },
            { source: 'old', hc1: renewedBefore.hc1 },
            { source: 'young', hc1: (notDue as IssuedCertificate).hc1 },
            { source: 'stranger', hc1: (unknown as IssuedCertificate).hc1 },
          ],
        ],
        [
          'fresh, given twice, and already renewed twice',
          [
            { source: 'fresh', hc1: otherFresh.hc1 },
            { source: 'fresh again', hc1: otherFresh.hc1 },
            { source: 'old', hc1: alsoRenewedBefore.hc1 },
            { source: 'old again', hc1: alsoRenewedBefore.hc1 },
          ],
        ],
      ]
      for (const dryRun of [true, false])
        for (const [label, given] of mixes) {
          const { report, written } = await renew(ledger, '2022-05-25T00:00:00Z', given, dryRun)
          expect({ label, dryRun, buckets: buckets(report) }).toEqual({
            label,
            dryRun,
            buckets: given.length,
          })
          expect(report.considered).toBe(given.length)
          // what is written out is what is renewed, or already renewed: once each
          expect(written).toHaveLength(report.renewed + report.alreadyRenewed)
          expect(new Set(written.map((w) => w.uvci)).size).toBe(written.length)
          // an already renewed certificate is not also "skipped" (only a second time it is given)
          const writtenFor = new Set(written.map((w) => w.replaces))
          for (const s of report.skipped.filter((s) => writtenFor.has(s.uvci as string)))
            expect(s.reason).toMatch(/^given twice/)
        }
      // the mixes' renewals are written again as already renewed by the same command
      const again = await renew(ledger, '2022-05-25T00:00:00Z', [
        { source: 'fresh', hc1: fresh.hc1 },
        { source: 'old', hc1: renewedBefore.hc1 },
      ])
      expect(again.report).toMatchObject({ renewed: 0, alreadyRenewed: 2, skipped: [], refused: [] })
      expect(again.written.map((w) => w.replaces)).toEqual([fresh.uvci, renewedBefore.uvci])
    } finally {
      ledger.close()
      elsewhere.close()
    }
  })
})

describe('renew given a certificate whose renewal was replaced since', () => {
  it('writes out the certificate in force, as already renewed, once', async () => {
    const ledger = new Ledger(join(tmp, 'chain.sqlite'))
    try {
      const [original, corrected] = (await issue(ledger, '2021-06-01T00:00:00Z', [record(1), record(2)])) as [
        IssuedCertificate,
        IssuedCertificate,
      ]
      // year 1: both renewed; year 2: the first renewed again, the second's renewal corrected
      const year1 = await renew(ledger, '2022-05-25T00:00:00Z')
      expect(year1.report.renewed).toBe(2)
      const year2 = await renew(ledger, '2023-05-20T00:00:00Z', [
        { source: 'renewal', hc1: year1.written.find((w) => w.replaces === original.uvci)?.hc1 as string },
      ])
      expect(year2.report.renewed).toBe(1)
      const fix = await issue(ledger, '2022-07-01T00:00:00Z', [record(2, { doses: 3 })], true)
      expect(fix).toHaveLength(1)

      const given = [
        { source: 'old', hc1: original.hc1 },
        { source: 'old corrected', hc1: corrected.hc1 },
        { source: 'old again', hc1: original.hc1 },
      ]
      const { report, written } = await renew(ledger, '2023-05-21T00:00:00Z', given)
      expect(report.renewed).toBe(0)
      expect(report.alreadyRenewed).toBe(2)
      expect(written.map((w) => [w.replaces, w.uvci])).toEqual([
        [original.uvci, year2.written[0]?.uvci],
        [corrected.uvci, fix[0]?.uvci],
      ])
      expect(written[1]?.hc1).toBe(fix[0]?.hc1)
      // the same certificate given again is written once, and counted once
      expect(report.skipped).toEqual([
        { source: 'old again', uvci: original.uvci, reason: 'given twice: written out once' },
      ])
      expect(buckets(report)).toBe(given.length)
      // a dry run writes nothing: they are skipped, naming the certificate in force
      const dry = await renew(ledger, '2023-05-21T00:00:00Z', given.slice(0, 2), true)
      expect(dry.written).toEqual([])
      expect(dry.report.skipped.map((s) => s.reason)).toEqual([
        `already renewed as ${year1.written.find((w) => w.replaces === original.uvci)?.uvci}, since replaced: the certificate in force is ${year2.written[0]?.uvci}`,
        `already renewed as ${year1.written.find((w) => w.replaces === corrected.uvci)?.uvci}, since replaced: the certificate in force is ${fix[0]?.uvci}`,
      ])
    } finally {
      ledger.close()
    }
  })
})

describe('hcert renew <given> --trust: the summary and --json count an already renewed certificate once', () => {
  it('already renewed, not skipped as well', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'hcert-renew-buckets-cli-'))
    const ledgerPath = join(dir, 'l.sqlite')
    const ledger = new Ledger(ledgerPath)
    const [old] = (await issue(ledger, '2021-06-01T00:00:00Z', [record(3)])) as [IssuedCertificate]
    ledger.close()
    writeFileSync(join(dir, 'old.txt'), `${old.hc1}\n`)
    const args = [
      'renew',
      join(dir, 'old.txt'),
      '--trust',
      join(KEYS_EXAMPLE, 'dsc.crt.pem'),
      '--key-dir',
      KEYS_EXAMPLE,
      '--ledger',
      ledgerPath,
      '--at',
      '2022-05-25T00:00:00Z',
      '--expiring-within',
      '30d',
    ]
    const first = runCli(args)
    expect(first.code, first.stderr).toBe(0)
    const again = runCli(args)
    expect(again.code, again.stderr).toBe(0)
    expect(again.stderr).toContain('0 renewed (1 already renewed, written again), 0 skipped, 0 refused')
    expect(again.stdout.trim()).toBe(first.stdout.trim())
    const json = JSON.parse(runCli([...args, '--json']).stdout) as RenewReport
    expect(json).toMatchObject({ renewed: 0, alreadyRenewed: 1, skipped: [], refused: [] })
  })
})
