/** The line an interrupted issue or renew ends with: counts in words, never "the 0 renewals above". */
import { describe, expect, it } from 'vitest'
import { issueInterruptedText, renewInterruptedText } from '../../src/cli/render/interrupted-text.js'

describe('interrupted runs say what was committed', () => {
  it('renew: none, one and many (a second Ctrl-C before the first chunk said "the 0 renewals above")', () => {
    expect(renewInterruptedText('SIGINT', 0, 'out.jsonl')).toBe(
      'Interrupted (SIGINT): no renewal was committed; run the same command again to renew them.',
    )
    expect(renewInterruptedText('SIGTERM', 1, undefined)).toMatch(
      /^Interrupted \(SIGTERM\): the 1 renewal above is committed;/,
    )
    expect(renewInterruptedText('SIGINT', 7, 'out.jsonl')).toMatch(
      /the 7 renewals above are committed and in out\.jsonl; run the same command again to renew the rest/,
    )
  })

  it('issue: none, one and many; the rerun advice in every case', () => {
    expect(issueInterruptedText('SIGINT', 0)).toMatch(
      /^Interrupted \(SIGINT\): no record was committed to the ledger, and no output file was written\. Run the same command again/,
    )
    expect(issueInterruptedText('SIGINT', 1)).toMatch(
      /the 1 record above is committed to the ledger; the rest are not/,
    )
    expect(issueInterruptedText('SIGTERM', 500)).toMatch(/the 500 records above are committed to the ledger/)
    for (const n of [0, 1, 500])
      expect(issueInterruptedText('SIGINT', n)).toContain('committed records are not signed twice')
  })
})
