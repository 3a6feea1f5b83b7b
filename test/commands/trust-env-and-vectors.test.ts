/**
 * Two faults a tester found: $HCERT_TRUST was split by oclif into single characters (the documented
 * variable could not work), and one test vector with a field of the wrong type stopped the whole
 * conformance run with ERR_INTERNAL.
 */
import { cpSync, mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { runCli } from '../helpers/cli.js'

const FIXTURES = join(import.meta.dirname, '..', 'fixtures')
const CERTIFICATE = join(FIXTURES, 'bug-reports', 'bug16a-exp-iat-8byte-int.txt')
const TRUST = join(FIXTURES, 'bug-reports', 'trust', 'es256-trust-list.json')

describe('$HCERT_TRUST', () => {
  it('is one path, as --trust is: verify and renew read it whole', () => {
    const result = runCli(['verify', CERTIFICATE, '--at', '2021-12-01', '--json'], {
      env: { HCERT_TRUST: TRUST },
    })
    expect(result.code, result.stdout).toBe(0)
    expect(JSON.parse(result.stdout).valid).toBe(true)
  })

  it('gives way to --trust', () => {
    const result = runCli(['verify', CERTIFICATE, '--at', '2021-12-01', '--trust', TRUST, '--json'], {
      env: { HCERT_TRUST: '/nonexistent/trust.json' },
    })
    expect(result.code).toBe(0)
  })
})

describe('conformance with a malformed vector', () => {
  it('fails that vector alone, with a reason, and runs the others', () => {
    const dir = mkdtempSync(join(tmpdir(), 'hcert-bad-vector-'))
    cpSync(join(FIXTURES, 'dgc-testdata', 'AT'), join(dir, 'AT'), { recursive: true })
    for (const [name, fields] of [
      ['prefix-null', { PREFIX: null }],
      ['cose-object', { COSE: {} }],
      ['clock-number', { TESTCTX: { VALIDATIONCLOCK: 5 } }],
    ] as const)
      writeFileSync(
        join(dir, `${name}.json`),
        JSON.stringify({ ...fields, EXPECTEDRESULTS: { EXPECTEDUNPREFIX: true, EXPECTEDDECODE: true } }),
      )
    const result = runCli(['conformance', dir, '--json'])
    expect(result.code, result.stdout).toBe(4)
    const report = JSON.parse(result.stdout)
    expect(report.passed).toBeGreaterThan(0)
    const failed = report.outcomes.filter((o: { status: string }) => o.status === 'fail')
    expect(failed.map((o: { file: string }) => o.file)).toEqual(
      expect.arrayContaining(['cose-object.json', 'prefix-null.json']),
    )
  })
})
