/** renew --dry-run at the service: what would be renewed, with nothing signed or recorded (imports included). */
import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { Ledger } from '../../src/ledger/ledger.js'
import type { IssuedCertificate } from '../../src/services/issue.js'
import { renewCertificates } from '../../src/services/renew.js'
import { TrustList } from '../../src/trust/trust-list.js'
import { flatVaccination, issueHarness } from '../helpers/issue.js'
import { exampleSigner } from '../helpers/keys.js'

const tmp = mkdtempSync(join(tmpdir(), 'hcert-renew-dry-'))
const es = exampleSigner('ES256')

/** issued on 2021-06-01 for 12 months: a first dose given on 2021-05-01 to holders born 1970-02-02 */
const HOLDER = { dob: '1970-02-02', date: '2021-05-01' }
const issueWith = issueHarness('hcert-renew-dry-issue-', {
  now: new Date('2021-06-01T00:00:00Z'),
})
const issue = async (ledger: Ledger, names: string[], batch: string): Promise<IssuedCertificate[]> =>
  (
    await issueWith(
      names.map((gn) => JSON.stringify(flatVaccination({ fn: 'Tran', gn, ...HOLDER }))).join('\n'),
      batch,
      { ledger },
    )
  ).certificates

const rows = (ledger: Ledger): unknown[] =>
  ledger.database.prepare('SELECT id, uvci, origin, superseded_by FROM certificates ORDER BY id').all()

describe('renew --dry-run', () => {
  it('lists what would be renewed, from the ledger and from given certificates, and records nothing', async () => {
    const ledger = new Ledger(join(tmp, 'ledger.sqlite'))
    const inLedger = await issue(ledger, ['An', 'Binh'], 'mine')
    const elsewhere = new Ledger(':memory:')
    const [brought] = await issue(elsewhere, ['Chi'], 'theirs')
    const before = rows(ledger)
    const now = new Date('2022-06-02T00:00:00Z')
    const base = {
      ledger,
      signer: es,
      now,
      validity: { amount: 12, unit: 'm' } as const,
      dueBy: Math.floor(now.getTime() / 1000),
      batch: 'renew',
      dryRun: true,
      onCertificate: () => {
        throw new Error('a dry run signs nothing')
      },
    }
    const fromLedger = await renewCertificates(base)
    expect(fromLedger).toMatchObject({ dryRun: true, renewed: 0, refused: [], skipped: [] })
    expect(fromLedger.wouldRenew?.map((d) => d.uvci).sort()).toEqual(inLedger.map((c) => c.uvci).sort())
    expect(fromLedger.wouldRenew?.[0]?.exp).toBe(inLedger[0]?.exp)

    const given = await renewCertificates({
      ...base,
      trust: new TrustList([es.certificate]),
      inputs: (async function* () {
        yield { source: 'brought.txt', text: brought?.hc1 as string }
      })(),
    })
    expect(given.wouldRenew?.map((d) => d.uvci)).toEqual([brought?.uvci])
    expect(rows(ledger)).toEqual(before) // not even imported
    ledger.close()
  })
})
