/**
 * `conformance` refuses a malformed vector field by name (tester finding 7): an expectation that is
 * not true/false, a VALIDATIONCLOCK that is no instant (it was replaced by now, blaming the
 * certificate), hex that is not hex (it was read up to its first bad digit), EXPECTEDRESULTS that is
 * a list. Each is `not a well-formed test vector (…)`, as `VALIDATIONCLOCK: 12345` already was.
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import type { TestVector } from '../../src/conformance/vector.js'
import { runConformance } from '../../src/services/conformance.js'
import { VECTOR_DIR } from '../helpers/vectors.js'

const BASE = JSON.parse(readFileSync(join(VECTOR_DIR, 'DE', '2DCode', 'raw', '1.json'), 'utf8')) as TestVector

type Change = (v: Record<string, any>) => void // eslint-disable-line @typescript-eslint/no-explicit-any

const CASES: Array<[string, Change, string]> = [
  [
    'an expectation "yes"',
    (v) => (v.EXPECTEDRESULTS.EXPECTEDVERIFY = 'yes'),
    'EXPECTEDRESULTS.EXPECTEDVERIFY is a string, not true or false',
  ],
  [
    'EXPECTEDRESULTS a list',
    (v) => (v.EXPECTEDRESULTS = [1]),
    'EXPECTEDRESULTS is a list, not an object of true/false',
  ],
  [
    'a clock of letters',
    (v) => (v.TESTCTX.VALIDATIONCLOCK = 'Zyxwvut'),
    "TESTCTX.VALIDATIONCLOCK: 'Zyxwvut' is not an ISO 8601 date or date-time",
  ],
  [
    'an empty clock',
    (v) => (v.TESTCTX.VALIDATIONCLOCK = ''),
    "TESTCTX.VALIDATIONCLOCK: '' is not an ISO 8601 date or date-time",
  ],
  [
    'a clock on 30 February',
    (v) => (v.TESTCTX.VALIDATIONCLOCK = '2021-02-30T00:00:00Z'),
    "TESTCTX.VALIDATIONCLOCK: '2021-02-30' is not a calendar date",
  ],
  [
    'a clock that is a number',
    (v) => (v.TESTCTX.VALIDATIONCLOCK = 12345),
    'TESTCTX.VALIDATIONCLOCK is a number, not an ISO 8601 date-time',
  ],
  ['COSE with non-hex digits', (v) => (v.COSE = `zz${String(v.COSE)}`), 'COSE is not hexadecimal'],
  ['COSE of odd length', (v) => (v.COSE = String(v.COSE).slice(0, -1)), 'COSE is not hexadecimal'],
  ['CBOR a number', (v) => (v.CBOR = 7), 'CBOR is a number, not a hexadecimal string'],
  ['TESTCTX null', (v) => (v.TESTCTX = null), 'TESTCTX is null, not an object'],
]

describe('malformed vector fields', () => {
  it.each(CASES)('%s: not a well-formed test vector, naming the field', async (_name, change, reason) => {
    const dir = mkdtempSync(join(tmpdir(), 'hcert-conf-fields-'))
    const vector = structuredClone(BASE) as Record<string, any> // eslint-disable-line @typescript-eslint/no-explicit-any
    change(vector)
    writeFileSync(join(dir, 'v.json'), JSON.stringify(vector))
    const result = await runConformance(dir, { now: new Date() })
    expect(result.failed).toBe(1)
    expect(result.passed).toBe(0)
    expect(result.outcomes).toHaveLength(1)
    expect(result.outcomes[0]?.reason).toContain(`not a well-formed test vector (${reason}`)
  })

  it('the unchanged vector passes (the cases above fail by their change alone)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'hcert-conf-fields-'))
    writeFileSync(join(dir, 'v.json'), JSON.stringify(BASE))
    const result = await runConformance(dir, { now: new Date() })
    expect(result.failed).toBe(0)
    expect(result.passed).toBeGreaterThan(3)
  })
})
