/**
 * stats --at a past date judges supersession as of that date, on both engines: a certificate counts
 * as superseded only if its successor was issued at or before --at, so the figures of a past date do
 * not change when certificates are renewed later. Compared with a count by hand.
 */
import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import type { LedgerStore } from '../../src/ledger/store.js'
import { renewCertificates } from '../../src/services/renew.js'
import { exampleSigner } from '../helpers/keys.js'
import { letters } from '../helpers/records.js'
import { ENGINES, requirePgInCi } from '../helpers/pg.js'
import { issueFile } from '../helpers/issue.js'

requirePgInCi()
const tmp = mkdtempSync(join(tmpdir(), 'hcert-stats-at-'))
const es = exampleSigner('ES256')
const DAY = 86_400

const record = (i: number): Record<string, unknown> => ({
  id: `R${i}`,
  type: 'v',
  fn: 'Tran',
  gn: `Binh ${letters(i)}`,
  dob: '1975-03-04',
  vaccine: 'Comirnaty',
  dose: 1,
  doses: 2,
  date: '2021-05-01',
})

let files = 0
async function issue(ledger: LedgerStore, at: string, ids: number[]): Promise<void> {
  const file = join(tmp, `${files++}.jsonl`)
  writeFileSync(file, ids.map((i) => JSON.stringify(record(i))).join('\n'))
  const { report } = await issueFile(ledger, file, { batch: `b${files}`, now: new Date(at) })
  expect(report.issued).toBe(ids.length)
}

describe.each(ENGINES)('stats --at a past date on %s', (engine) => {
  it('counts a certificate renewed after --at as active or expired at --at, not superseded', async () => {
    const ledger = engine.open(engine.spec(tmp, 'stats-at'))
    try {
      // three certificates issued 2021-06-01 (until 2022-06-01), one issued 2021-06-01T12:00 (a part-day)
      await issue(ledger, '2021-06-01T00:00:00Z', [1, 2, 3])
      await issue(ledger, '2021-06-01T12:00:00Z', [4])
      // all four renewed on 2022-05-20 (due within 30 days)
      const now = new Date('2022-05-20T00:00:00Z')
      const renewed = await renewCertificates({
        ledger,
        signer: es,
        now,
        realNow: now,
        validity: { amount: 12, unit: 'm' },
        dueBy: Math.floor(now.getTime() / 1000) + 30 * DAY,
        batch: 'renew',
      })
      expect(renewed.renewed).toBe(4)
      const query = (at: string) => ledger.stats({ now: new Date(at), by: 'month', soon: 30 * DAY }).totals
      // by hand: on 2021-07-01 the four originals were valid and none of them had a successor yet
      expect(query('2021-07-01T00:00:00Z')).toMatchObject({
        issued: 4,
        renewed: 4,
        active: 4,
        expired: 0,
        expiringSoon: 0,
        superseded: 0,
      })
      // on 2022-05-10: the four still valid, expiring within 30 days, not yet renewed
      expect(query('2022-05-10T00:00:00Z')).toMatchObject({ active: 4, expiringSoon: 4, superseded: 0 })
      // on 2022-05-25: the four originals superseded, the four renewals active
      expect(query('2022-05-25T00:00:00Z')).toMatchObject({
        active: 4,
        expired: 0,
        expiringSoon: 0,
        superseded: 4,
      })
    } finally {
      ledger.close()
    }
  })
})
