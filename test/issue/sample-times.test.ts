/**
 * A test's sample collection time (`date` → t/sc, the DCC's one date-time) that does not exist, or is
 * not RFC 3339, is never signed (tester finding): an offset +99:99, +25:00 or +23:60, a leap second
 * on a day that had none, the ISO 8601 basic offset +0700. JavaScript reads most of them as Invalid
 * Date, and the "in the future" check compared nothing: 2099 with an offset +99:99 was signed. And
 * what another issuer signed with such a time fails verify's `schema` check.
 */
import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { signHc1 } from '../../src/hcert/sign-hc1.js'
import { runCli } from '../helpers/cli.js'
import { issueHarness } from '../helpers/issue.js'
import { exampleSigner, KEYS_EXAMPLE } from '../helpers/keys.js'
import { DURING, EXP, IAT, TEST } from '../helpers/payloads.js'

const issue = issueHarness('hcert-sample-times-')
const REASON =
  'must be a date and time written YYYY-MM-DDThh:mm:ss with Z or an offset, such as 2021-06-01T08:00:00+07:00'

const NOT_TIMES = [
  '2099-06-10T08:30:00+99:99',
  '2021-06-10T08:30:00+99:99',
  '2021-06-10T08:30:00+25:00',
  '2021-06-10T08:30:00+23:60',
  '2021-06-10T23:59:60Z', // 2021-06-10 had no leap second (and no day since 2016 has)
  '2021-06-10T08:30:00+0700',
  '2021-06-10T08:30:00+07',
  '2021-06-10 08:30:00Z',
]

describe('hcert issue: a sample time is RFC 3339 and exists, or the record is rejected', () => {
  it('CSV: each such time is rejected on `date`, without quoting it; RFC 3339 times are signed', async () => {
    const header = 'id,type,fn,gn,dob,date,test_type,result,centre'
    const good = ['2021-06-10T08:30:00Z', '2021-06-10T08:30:00+07:00', '2021-06-10T08:30:00.5-03:30']
    const rows = [...NOT_TIMES, ...good].map(
      (date, i) => `F${'ABCDEFGHIJKL'[i]},t,Nguyen,An,1985-03-09,${date},PCR,negative,BV`,
    )
    const { report } = await issue(`${[header, ...rows].join('\n')}\n`, 'times.csv')
    expect(report.rejections.map((r) => [r.line, r.field, r.reason])).toEqual(
      NOT_TIMES.map((_, i) => [i + 2, 'date', REASON]),
    )
    expect(report.issued).toBe(good.length)
    expect(JSON.stringify(report.rejections)).not.toMatch(/08:30|99:99|2099/)
  })

  it('JSON Lines, flat and as a DCC payload: the same', async () => {
    const lines = NOT_TIMES.flatMap((sc) => [
      JSON.stringify({
        type: 't',
        fn: 'Tran',
        gn: 'Mai',
        dob: '1990-01-02',
        date: sc,
        test_type: 'PCR',
        result: 'negative',
      }),
      JSON.stringify({ ...TEST, t: [{ ...TEST.t[0], sc, ci: undefined }] }),
    ])
    const { report } = await issue(`${lines.join('\n')}\n`, 'times.jsonl')
    expect(report.issued).toBe(0)
    // a flat record's column is date; a payload's field is t/sc, as the site typed it
    expect(report.rejections.map((r) => [r.field, r.reason])).toEqual(
      lines.map((_, i) => [i % 2 === 0 ? 'date' : 't/sc', REASON]),
    )
  })

  it('the same time written with Z, in 2099, is still in the future', async () => {
    const { report } = await issue(
      `${JSON.stringify({ ...TEST, t: [{ ...TEST.t[0], sc: '2099-06-10T08:30:00Z', ci: undefined }] })}\n`,
      'future.jsonl',
    )
    expect(report.rejections.map((r) => [r.field, r.reason])).toEqual([
      ['t/sc', 'the sample collection time is in the future'],
    ])
  })
})

describe('hcert verify and decode: a signed payload carrying such a time', () => {
  const tmp = mkdtempSync(join(tmpdir(), 'hcert-sample-times-'))
  const TRUST = join(KEYS_EXAMPLE, 'trust-list.json')

  it('verify fails the schema check (ERR_SCHEMA, exit 4) naming the field; decode shows the time as signed', () => {
    const times = ['2021-06-01T10:00:00+99:99', '2021-06-01T10:00:00+23:60', '2021-06-01T23:59:60Z']
    const hc1s = times.map(
      (sc) =>
        signHc1({ ...TEST, t: [{ ...TEST.t[0], sc }] }, { iss: 'VN', iat: IAT, exp: EXP }, exampleSigner())
          .hc1,
    )
    const upstream = signHc1(
      { ...TEST, t: [{ ...TEST.t[0], sc: '2021-06-01T10:00:00+0200' }] },
      { iss: 'VN', iat: IAT, exp: EXP },
      exampleSigner(),
    ).hc1
    const verify = runCli(['verify', '-', '--trust', TRUST, '--at', DURING.toISOString(), '--json'], {
      input: `${[...hc1s, upstream].join('\n')}\n`,
    })
    expect(verify.code).toBe(4)
    const results = verify.stdout
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line))
    expect(results).toHaveLength(times.length + 1)
    // the offsets upstream vectors use (+02, +0200) still verify: verify reads what others issued
    expect(results.pop()).toMatchObject({ valid: true })
    for (const result of results) {
      expect(result.valid).toBe(false)
      expect(result.checks.schema).toBe('fail')
      expect(result.errors).toEqual([expect.objectContaining({ code: 'ERR_SCHEMA' })])
      expect(result.errors[0].message).toContain('/t/0/sc')
    }
    const file = join(tmp, 'offset.txt')
    writeFileSync(file, `${hc1s[0]}\n`)
    const decode = runCli(['decode', file, '--json'])
    expect(decode.code).toBe(0)
    expect(JSON.parse(decode.stdout).payload.t[0].sc).toBe(times[0])
  })
})
