/**
 * A DCC payload holding two certificate types, one of them an empty list (`v: […]` with `t: []`, as
 * an export writes its unused lists), got `ci: is missing` though hcert assigns the UVCI (tester
 * finding): its reason now says what is wrong, on `type`, and nothing about the UVCI.
 */
import { describe, expect, it } from 'vitest'
import { issueHarness } from '../helpers/issue.js'
import { RECOVERY, TEST, VACCINATION } from '../helpers/payloads.js'

const issue = issueHarness('hcert-certificate-types-')
const { ci: _ci, ...vaccination } = VACCINATION.v[0] as Record<string, unknown>
const { ci: _tci, ...test } = TEST.t[0] as Record<string, unknown>

describe('a payload with more than one certificate type', () => {
  it('is one reason on type, naming the lists and which are empty, without ci: is missing', async () => {
    const lines = [
      { ...VACCINATION, v: [vaccination], t: [] },
      { ...VACCINATION, v: [vaccination], t: [test] },
      { ...VACCINATION, v: [], r: [] },
    ].map((p) => JSON.stringify(p))
    const { report } = await issue(`${lines.join('\n')}\n`, 'types.jsonl')
    expect(report.issued).toBe(0)
    expect(report.rejections.map((r) => [r.line, r.field, r.reason])).toEqual([
      [
        1,
        'type',
        'holds 2 certificate types (v, t; t empty): a DCC holds one, v (vaccination), t (test) or r (recovery); leave the others out',
      ],
      [
        2,
        'type',
        'holds 2 certificate types (v, t): a DCC holds one, v (vaccination), t (test) or r (recovery); leave the others out',
      ],
      [
        3,
        'type',
        'holds 2 certificate types (v, r; v, r empty): a DCC holds one, v (vaccination), t (test) or r (recovery); leave the others out',
      ],
    ])
  })

  it('one type alone is still signed', async () => {
    const { report } = await issue(
      `${JSON.stringify({ ...RECOVERY, r: [{ ...RECOVERY.r[0], ci: undefined }] })}\n`,
      'one.jsonl',
    )
    expect(report.issued).toBe(1)
  })
})
