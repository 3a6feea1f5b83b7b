/**
 * `hcert stats` in text prints ledger text (an imported certificate's issuer, a product, a rejection
 * reason): every value is escaped for the terminal, so ESC, BEL or a bidi control in it is shown,
 * not acted on.
 */
import { Chalk } from 'chalk'
import { describe, expect, it } from 'vitest'
import { renderStats } from '../../src/cli/render/stats-text.js'
import type { StatsResult } from '../../src/services/stats.js'

const HOSTILE = 'MoH\u001b[31m\u0007\u202e\u009b'

describe('stats text', () => {
  it('escapes every ledger value it prints: issuer, product, country, kid, type, rejection', () => {
    const row = { key: HOSTILE, count: 3 }
    const stats = {
      totals: {
        issued: 3,
        renewed: 0,
        active: 3,
        expired: 0,
        expiringSoon: 0,
        superseded: 0,
        rejected: 1,
        rejectedSinceIssued: 0,
      },
      topRejections: [{ field: HOSTILE, reason: HOSTILE, count: 1 }],
      perPeriod: [{ key: HOSTILE, count: 3 }],
      byType: [{ ...row, name: HOSTILE }],
      byProduct: [{ ...row, name: 'Comirnaty' }],
      byDose: [row],
      byCountry: [row],
      byIssuer: [row],
      byKid: [row],
      seconds: 0.01,
    } as unknown as StatsResult
    const text = renderStats(stats, 'day', new Chalk({ level: 0 }))
    // eslint-disable-next-line no-control-regex
    expect(text).not.toMatch(/[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u202e]/)
    expect(text).toContain('MoH\\u001b[31m\\u0007\\u202e\\u009b')
  })
})
