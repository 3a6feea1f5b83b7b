/**
 * stats --by week: ISO 8601 weeks (`YYYY-Www`, weeks from Monday, week 01 the one with 4 January,
 * the year that of the week), the same on both engines, from daily_counts (whole days) and from the
 * certificates (part-days at the edges of a range) alike.
 */
import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import type { IssuedRow } from '../../src/ledger/ledger.js'
import { ENGINES, requirePgInCi, type Engine } from '../helpers/pg.js'

requirePgInCi()
const tmp = mkdtempSync(join(tmpdir(), 'hcert-weeks-'))

function row(i: number, day: string): IssuedRow {
  const iat = Date.parse(`${day}T12:00:00Z`) / 1000
  return {
    idempotencyKey: `id:W${i}`,
    uvci: `URN:UVCI:01:VN:W${i}`,
    type: 'v',
    country: 'VN',
    issuer: 'Ministry of Health',
    kid: 'a2lk',
    iat,
    exp: iat + 365 * 86_400,
    product: 'EU/1/20/1528',
    dose: 1,
    doses: 2,
    payload: '{}',
    hc1: `HC1:${i}`,
    batch: 'b.csv',
    line: i + 1,
    holderEvent: `h${i}`,
    origin: 'issue',
    replaces: null,
    content: `c${i}`,
  }
}

// day → its ISO week
const DAYS: Array<[string, string]> = [
  ['2021-01-01', '2020-W53'], // a Friday: the last week of 2020
  ['2021-01-03', '2020-W53'], // a Sunday
  ['2021-01-04', '2021-W01'], // the Monday of the week with 4 January
  ['2021-12-27', '2021-W52'],
  ['2022-01-02', '2021-W52'], // %W would say 2022-W00
  ['2024-12-30', '2025-W01'], // a Monday of the week with 2 January 2025: %W would say 2024-W53
  ['2026-06-15', '2026-W25'],
]

describe.each(ENGINES)('stats --by week on $name', (engine: Engine) => {
  it('keys periods by ISO 8601 week (YYYY-Www), whole days and part-days alike', () => {
    const ledger = engine.open(engine.spec(tmp, 'weeks'))
    try {
      ledger.record(
        DAYS.map(([day], i) => row(i, day)),
        [],
        new Date('2026-06-20T00:00:00Z'),
      )
      const expected = new Map<string, number>()
      for (const [, week] of DAYS) expected.set(week, (expected.get(week) ?? 0) + 1)
      const wanted = [...expected]
        .map(([key, count]) => ({ key, count }))
        .sort((a, b) => (a.key < b.key ? -1 : 1))
      const now = new Date('2026-06-20T00:00:00Z')
      // whole days (daily_counts)
      expect(ledger.stats({ now, by: 'week', soon: 0 }).perPeriod).toEqual(wanted)
      // every day a part-day (the certificates themselves): ranges starting and ending at noon
      const parts = DAYS.map(([day]) => {
        const at = Date.parse(`${day}T06:00:00Z`) / 1000
        return ledger.stats({ now, by: 'week', soon: 0, since: at, until: at + 12 * 3600 }).perPeriod
      })
      expect(parts).toEqual(DAYS.map(([, week]) => [{ key: week, count: 1 }]))
    } finally {
      ledger.close()
    }
  })
})
