/**
 * The rejects carry-over reads the certificates issued since the earlier file with one ledger query
 * a page (LedgerStore.payloadsSince), not one look-up a certificate: on PostgreSQL a rejects file
 * from weeks ago would otherwise cost a network round trip per certificate issued since. Both engines.
 */
import { existsSync, mkdtempSync, readFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import type { LedgerStore } from '../../src/ledger/store.js'
import { fileMaker, issueFile } from '../helpers/issue.js'
import { ENGINES, requirePgInCi } from '../helpers/pg.js'
import { vaccinationCsv } from '../helpers/records.js'

requirePgInCi()
const tmp = mkdtempSync(join(tmpdir(), 'hcert-rejects-since-'))
const file = fileMaker('hcert-rejects-since-q-')

/** `ledger` with a count of the calls of each of its methods. */
function counted(ledger: LedgerStore): { ledger: LedgerStore; calls: Map<string, number> } {
  const calls = new Map<string, number>()
  const proxy = new Proxy(ledger, {
    get(target, name) {
      const value: unknown = Reflect.get(target, name, target)
      if (typeof value !== 'function') return value
      return (...args: unknown[]) => {
        calls.set(String(name), (calls.get(String(name)) ?? 0) + 1)
        return (value as (...a: unknown[]) => unknown).apply(target, args)
      }
    },
  })
  return { ledger: proxy, calls }
}

describe.each(ENGINES)('rejects carry-over on $name', (engine) => {
  it('40 certificates issued since a carried row: one payloadsSince read, no look-up by id, the row still carried', async () => {
    const store = engine.open(engine.spec(tmp, 'carry'))
    const rejects = join(file.folder, `${engine.name}-rejects.csv`)
    try {
      // P1 rejected (dose 5 of 2), then a run of 40 other holders at the same rejects path
      const first = await issueFile(store, file('first.csv', vaccinationCsv({ to: 1, bad: () => true })), {
        rejects,
      })
      expect(first.report.rejected).toBe(1)
      const { ledger, calls } = counted(store)
      const later = await issueFile(ledger, file('later.csv', vaccinationCsv({ from: 2, to: 41 })), {
        rejects,
      })
      expect(later.report.issued).toBe(40)
      expect(later.report.warnings.join('\n')).toMatch(/1 record of the rejects file it replaces/)
      expect(existsSync(rejects) && readFileSync(rejects, 'utf8')).toMatch(/^P1,v,Nguyen,Van B,/m)
      expect(calls.get('findById') ?? 0).toBe(0)
      expect(calls.get('payloadsSince')).toBe(1)
    } finally {
      store.close()
    }
  })
})
