/**
 * An input that holds no record is ERR_INPUT (exit 3), in every form (tester finding 8): "0 records"
 * with exit 0 would tell a site a lost export was issued. A header row without rows is one too.
 */
import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { inlineSigner } from '../../src/issue/sign-jobs.js'
import { Ledger } from '../../src/ledger/ledger.js'
import { issueCertificates } from '../../src/services/issue.js'
import { runCli } from '../helpers/cli.js'
import { exampleSigner, KEYS_EXAMPLE } from '../helpers/keys.js'
import { CSV_HEADER } from '../helpers/records.js'

const tmp = mkdtempSync(join(tmpdir(), 'hcert-empty-input-'))
const signer = exampleSigner('ES256')

const FORMS: Array<[string, string, string]> = [
  ['an empty file', 'e.csv', ''],
  ['a BOM only', 'bom.csv', '\uFEFF'],
  ['blank lines only', 'blank.csv', '\n\n  \n'],
  ['a header row only', 'header.csv', `${CSV_HEADER}\n`],
  ['a header row and rows of separators', 'seps.csv', `${CSV_HEADER}\n,,,,,,,,\n`],
  ['an empty JSON list', 'list.json', '[]'],
  ['an empty JSON Lines file', 'e.jsonl', ''],
  ['JSON Lines of blank lines', 'blank.jsonl', '\n\n'],
]

describe('an input that holds no record', () => {
  for (const [what, name, text] of FORMS)
    it(`${what}: ERR_INPUT, nothing issued`, async () => {
      const file = join(tmp, name)
      writeFileSync(file, text)
      const ledger = new Ledger(join(tmp, `${name}.sqlite`))
      await expect(
        issueCertificates({
          source: file,
          signer,
          jobSigner: inlineSigner(signer),
          ledger,
          batch: name,
          now: new Date('2021-12-21T00:00:00Z'),
          validity: { amount: 12, unit: 'm' },
          defaults: { country: 'VN', issuer: 'Ministry of Health' },
          dryRun: false,
        }),
      ).rejects.toMatchObject({ code: 'ERR_INPUT', message: expect.stringMatching(/holds no record/) })
      ledger.close()
    })

  it('from the command line, a file and stdin: exit 3 with ERR_INPUT, no success line', () => {
    const file = join(tmp, 'cli.csv')
    writeFileSync(file, '')
    for (const [source, input] of [
      [file, ''],
      ['-', ''],
    ] as const) {
      const r = runCli(['issue', source, '--key-dir', KEYS_EXAMPLE, '--ledger', join(tmp, 'cli.sqlite')], {
        input,
      })
      expect(r.code).toBe(3)
      expect(r.stderr).toMatch(/ERR_INPUT.*holds no record/)
      expect(r.stderr).not.toMatch(/0 records/)
    }
  })
})
