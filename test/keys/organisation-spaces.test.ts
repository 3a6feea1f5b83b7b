/**
 * The issuer (is) hcert fills in, from the DSC's organisation or --issuer, is read as a record's
 * issuer column is: NFC, trimmed, each run of spaces one space. `keys generate --org "  Mo  H  "`
 * keeps the O attribute as typed, yet issue signs `"is": "Mo H"` and records that issuer in the
 * ledger; renew does the same with the issuer of the certificate it renews.
 */
import { readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import Database from 'better-sqlite3'
import { describe, expect, it } from 'vitest'
import { decodeHc1 } from '../../src/hcert/decode-hc1.js'
import { runCli } from '../helpers/cli.js'
import { freshFolders } from '../helpers/folders.js'
import { vaccinationCsv } from '../helpers/records.js'

const folder = freshFolders('hcert-org-spaces-')
const AT = '2021-12-21T00:00:00Z'

/** the `is` of each certificate line of a JSON Lines file */
const issuers = (file: string): unknown[] =>
  readFileSync(file, 'utf8')
    .trim()
    .split('\n')
    .map((line) => {
      const payload = decodeHc1((JSON.parse(line) as { hc1: string }).hc1).claims.hcert as {
        v: Array<{ is: unknown }>
      }
      return payload.v[0]?.is
    })

const ledgerIssuers = (ledger: string): unknown[] => {
  const db = new Database(ledger, { readonly: true })
  try {
    return db
      .prepare('SELECT issuer FROM certificates ORDER BY id')
      .all()
      .map((row) => (row as { issuer: unknown }).issuer)
  } finally {
    db.close()
  }
}

describe('the issuer hcert fills in is standardised as a record value is', () => {
  it('from a DSC whose O has surrounding spaces and a double space, and from --issuer; then renewed', () => {
    const dir = folder()
    const keys = join(dir, 'keys')
    const made = runCli([
      'keys',
      'generate',
      '--org',
      '  Mo  H  ',
      '--valid-from',
      '2021-01-01',
      '--dsc-validity',
      '4y',
      '--out',
      keys,
    ])
    expect(made.code, made.stderr).toBe(0)
    const ledger = join(dir, 'l.sqlite')
    const run = (input: string, extra: string[]): void => {
      writeFileSync(join(dir, input), vaccinationCsv({ to: 1, prefix: input.slice(0, 1) }))
      const r = runCli([
        'issue',
        join(dir, input),
        '--key-dir',
        keys,
        '--ledger',
        ledger,
        '--at',
        AT,
        ...extra,
      ])
      expect(r.code, r.stderr).toBe(0)
    }
    run('a.csv', ['--out', join(dir, 'a.jsonl')])
    expect(issuers(join(dir, 'a.jsonl'))).toEqual(['Mo H'])
    run('b.csv', ['--out', join(dir, 'b.jsonl'), '--issuer', '\u3000Sở  Y\u00a0tế '])
    expect(issuers(join(dir, 'b.jsonl'))).toEqual(['Sở Y tế'])
    expect(ledgerIssuers(ledger)).toEqual(['Mo H', 'Sở Y tế'])

    // a certificate whose issuer kept its spaces (a DCC payload's strings keep surrounding spaces)
    const payload = JSON.parse(
      readFileSync(join(import.meta.dirname, '..', '..', 'examples', 'vaccination.json'), 'utf8'),
    ) as { v: Array<Record<string, unknown>> }
    ;(payload.v[0] as Record<string, unknown>).is = '  Mo  H  '
    writeFileSync(join(dir, 'c.json'), JSON.stringify(payload))
    const c = runCli(['issue', join(dir, 'c.json'), '--key-dir', keys, '--ledger', ledger, '--at', AT])
    expect(c.code, c.stderr).toBe(0)
    const renewed = runCli([
      'renew',
      '--expired',
      '--key-dir',
      keys,
      '--ledger',
      ledger,
      '--at',
      '2023-06-01T00:00:00Z',
      '--out',
      join(dir, 'r.jsonl'),
    ])
    expect(renewed.code, renewed.stderr).toBe(0)
    expect(issuers(join(dir, 'r.jsonl'))).toEqual(['Mo H', 'Sở Y tế', 'Mo H'])
    expect(ledgerIssuers(ledger).slice(3)).toEqual(['Mo H', 'Sở Y tế', 'Mo H'])
  })
})
