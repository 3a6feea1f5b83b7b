/**
 * What scripts rely on is documented in the README: every error code with its layer, every verify
 * check with its EU test-data field, every exit code. A README edit once cut these tables out
 * without anyone noticing; this keeps them in step with the code.
 */
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { ERROR_CODES, EXIT } from '../../src/errors.js'
import { CHECK_NAMES } from '../../src/hcert/verify-hc1.js'
import { SHC_CHECK_NAMES } from '../../src/shc/verify-shc.js'

const README = readFileSync(join(import.meta.dirname, '..', '..', 'README.md'), 'utf8')
const rows = README.split('\n').filter((line) => line.startsWith('|'))
const cells = (line: string): string[] => line.split('|').map((cell) => cell.trim())

const EU_FIELDS: Record<string, string> = {
  unprefix: 'EXPECTEDUNPREFIX',
  base45: 'EXPECTEDB45DECODE',
  compression: 'EXPECTEDCOMPRESSION',
  decode: 'EXPECTEDDECODE',
  signature: 'EXPECTEDVERIFY',
  expiration: 'EXPECTEDEXPIRATIONCHECK',
  keyUsage: 'EXPECTEDKEYUSAGE',
  schema: 'EXPECTEDSCHEMAVALIDATION',
}

describe('the README documents the contracts', () => {
  it.each(Object.entries(ERROR_CODES))('error code %s, with its layer %s', (code, layer) => {
    const row = rows.map(cells).find((c) => c[1] === `\`${code}\``)
    expect(row, `no row for ${code} in the error code table`).toBeDefined()
    expect(row?.[2]).toBe(layer)
  })

  it('no error code in the table that the code does not have', () => {
    const documented = rows.map(cells).flatMap((c) => (/^`ERR_[A-Z0-9_]+`$/.test(c[1] ?? '') ? [c[1]] : []))
    expect(documented.map((c) => c?.slice(1, -1)).sort()).toEqual(Object.keys(ERROR_CODES).sort())
  })

  it.each(CHECK_NAMES)('verify check %s, with its EU test-data field', (check) => {
    const row = rows.map(cells).find((c) => c[1] === `\`${check}\``)
    expect(row, `no row for ${check} in the verify check table`).toBeDefined()
    expect(row?.[2]).toBe(EU_FIELDS[check])
  })

  it.each(SHC_CHECK_NAMES)('SMART Health Card check %s, with the HCERT check it shares', (check) => {
    const row = rows
      .map(cells)
      .find((c) => c[1] === `\`${check}\`` && (c[2] === `\`${check}\`` || c[2] === '(none)'))
    expect(row, `no row for ${check} in the SMART Health Card check table`).toBeDefined()
    if (row?.[2] === '(none)') expect(CHECK_NAMES as readonly string[]).not.toContain(check)
    else expect(CHECK_NAMES as readonly string[]).toContain(check)
  })

  it('ids are one key for every site on one ledger, with the site prefix to use (issue and "Choosing a ledger")', () => {
    const choosing = README.slice(README.indexOf('**Choosing a ledger.**'))
    expect(choosing.slice(0, 1200)).toMatch(/Ids are shared by every site\s+writing to one ledger/)
    expect(choosing.slice(0, 1200)).toContain('`HN01-1`')
    const ledger = README.slice(README.indexOf('**The ledger and exactly once.**'))
    expect(ledger.slice(0, 1500)).toMatch(/Ids are one key across every site writing to one\s+ledger/)
    expect(ledger.slice(0, 1500)).toContain('`HN01-1`')
  })

  it.each(Object.values(EXIT))('exit code %i', (exit) => {
    expect(rows.map(cells).some((c) => c[1] === String(exit))).toBe(true)
  })
})
