/** renew's "later certificate for the same holder and event": never merges people whose names transliterate alike. */
import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { holderEventKey } from '../../src/dcc/holder-event.js'
import { inlineSigner } from '../../src/issue/sign-jobs.js'
import { Ledger } from '../../src/ledger/ledger.js'
import { issueCertificates, type IssuedCertificate } from '../../src/services/issue.js'
import { renewCertificates } from '../../src/services/renew.js'
import { exampleSigner } from '../helpers/keys.js'

const tmp = mkdtempSync(join(tmpdir(), 'hcert-renew-holder-'))
const es = exampleSigner('ES256')

async function issue(
  ledger: Ledger,
  people: Array<[string, string]>,
  batch: string,
): Promise<IssuedCertificate[]> {
  const file = join(tmp, `${batch}.jsonl`)
  const record = ([fn, gn]: [string, string]) => ({
    type: 'v',
    fn,
    gn,
    dob: '1970-02-02',
    vaccine: 'Comirnaty',
    dose: 1,
    doses: 2,
    date: '2021-05-01',
  })
  writeFileSync(file, people.map((p) => JSON.stringify(record(p))).join('\n'))
  const out: IssuedCertificate[] = []
  await issueCertificates({
    source: file,
    signer: es,
    jobSigner: inlineSigner(es),
    ledger,
    batch,
    now: new Date('2021-06-01T00:00:00Z'),
    validity: { amount: 12, unit: 'm' },
    defaults: { country: 'VN', issuer: 'Ministry of Health' },
    dryRun: false,
    onCertificate: (c) => out.push(c),
  })
  return out
}

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
  it('differs for names written differently that transliterate alike', () => {
    expect(holderEventKey(payload('Müller', 'Anna', 'MUELLER', 'ANNA'))).not.toBe(
      holderEventKey(payload('Mueller', 'Anna', 'MUELLER', 'ANNA')),
    )
    expect(holderEventKey(payload('Nguyễn', 'Văn Ân', 'NGUYEN', 'VAN<AN'))).not.toBe(
      holderEventKey(payload('Nguyễn', 'Văn An', 'NGUYEN', 'VAN<AN')),
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
