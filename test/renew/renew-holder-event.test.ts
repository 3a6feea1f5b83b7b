/** renew's "later certificate for the same holder and event": never merges people whose names transliterate alike. */
import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { holderEventKey } from '../../src/dcc/holder-event.js'
import { Ledger } from '../../src/ledger/ledger.js'
import type { IssuedCertificate } from '../../src/services/issue.js'
import { renewCertificates } from '../../src/services/renew.js'
import { flatVaccination, issueHarness } from '../helpers/issue.js'
import { exampleSigner } from '../helpers/keys.js'

const tmp = mkdtempSync(join(tmpdir(), 'hcert-renew-holder-'))
const es = exampleSigner('ES256')

/** issued on 2021-06-01 for 12 months: a first dose given on 2021-05-01 to holders born 1970-02-02 */
const HOLDER = { dob: '1970-02-02', date: '2021-05-01' }
const issueWith = issueHarness('hcert-renew-holder-issue-', {
  now: new Date('2021-06-01T00:00:00Z'),
})
const issue = async (
  ledger: Ledger,
  people: Array<[string, string]>,
  batch: string,
): Promise<IssuedCertificate[]> =>
  (
    await issueWith(
      people.map(([fn, gn]) => JSON.stringify(flatVaccination({ fn, gn, ...HOLDER }))).join('\n'),
      batch,
      { ledger },
    )
  ).certificates

const renewAll = (ledger: Ledger) => {
  const now = new Date('2022-06-02T00:00:00Z')
  return renewCertificates({
    ledger,
    signer: es,
    now,
    validity: { amount: 12, unit: 'm' },
    dueBy: Math.floor(now.getTime() / 1000),
    batch: 'renew',
    dryRun: true,
    onCertificate: () => undefined,
  })
}

const payload = (fn: string, gn: string, fnt: string, gnt: string) => ({
  nam: { fn, gn, fnt, gnt },
  dob: '1970-02-02',
  v: [{ tg: '840539006', dt: '2021-05-01', dn: 1 }],
})

describe('holder and event key', () => {
  it('is the same for names written differently that transliterate alike (renew tells them apart as written)', () => {
    expect(holderEventKey(payload('Müller', 'Anna', 'MUELLER', 'ANNA'))).toBe(
      holderEventKey(payload('Mueller', 'Anna', 'MUELLER', 'ANNA')),
    )
    expect(holderEventKey(payload('Nguyễn', 'Văn Ân', 'NGUYEN', 'VAN<AN'))).toBe(
      holderEventKey(payload('NGUYEN', 'VAN AN', 'NGUYEN', 'VAN<AN')),
    )
  })
  it('is the same for the same name in NFC and NFD', () => {
    expect(holderEventKey(payload('Müller'.normalize('NFD'), 'Anna', 'MUELLER', 'ANNA'))).toBe(
      holderEventKey(payload('Müller', 'Anna', 'MUELLER', 'ANNA')),
    )
  })
})

describe('renew and people whose names transliterate alike', () => {
  it('renews both, not one skipped as "a later certificate"', async () => {
    const ledger = new Ledger(join(tmp, 'a.sqlite'))
    const issued = await issue(
      ledger,
      [
        ['Nguyễn', 'Văn Ân'],
        ['Nguyễn', 'Văn An'],
        ['Müller', 'Jo'],
        ['Mueller', 'Jo'],
      ],
      'b1',
    )
    expect(issued).toHaveLength(4)
    const report = await renewAll(ledger)
    expect(report.skipped).toEqual([])
    expect(report.wouldRenew).toHaveLength(4)
    ledger.close()
  })
  it('renews both in a ledger stored before, where the two rows share one key', async () => {
    const ledger = new Ledger(join(tmp, 'b.sqlite'))
    await issue(
      ledger,
      [
        ['Nguyễn', 'Văn Ân'],
        ['Nguyễn', 'Văn An'],
      ],
      'b2',
    )
    ledger.database.prepare("UPDATE certificates SET holder_event = 'old-transliterated-key'").run()
    const report = await renewAll(ledger)
    expect(report.skipped).toEqual([])
    expect(report.wouldRenew).toHaveLength(2)
    ledger.close()
  })
})
