/** What `hcert conformance` says, on vectors and on wrong inputs: plain and correct. */
import { copyFileSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { runCli } from '../helpers/cli.js'

const VECTORS = join(import.meta.dirname, '..', 'fixtures', 'dgc-testdata')
const tmp = mkdtempSync(join(tmpdir(), 'hcert-conformance-wording-'))

describe('hcert conformance: wording', () => {
  it('a known issue shows what was expected and got, and no dangling dash when there is no reason; the summary counts plainly', () => {
    const dir = join(tmp, 'one')
    mkdirSync(join(dir, 'NL'), { recursive: true })
    copyFileSync(
      join(VECTORS, 'NL', '2DCode', 'raw', '007-NL-test.json'),
      join(dir, 'NL', '007-NL-test.json'),
    )
    writeFileSync(
      join(dir, 'known_issues.csv'),
      'test_name,country,test_set,reason\ntest_cose_schema,NL,,https://example.org/issues/107\n',
    )
    const result = runCli(['conformance', dir, '-v'])
    expect(result.code, result.stderr).toBe(0)
    const lines = result.stdout.trim().split('\n')
    const known = lines.filter((l) => l.startsWith('KNOWN'))
    expect(known.length).toBeGreaterThan(0)
    for (const line of known) {
      expect(line).toMatch(
        /: expected (true|false), got (true|false) \(known issue: https:\/\/example\.org\/issues\/107\)/,
      )
      expect(line).not.toMatch(/— $|—$/)
    }
    expect(lines.at(-2)).toMatch(/^1 vector, \d+ expectations; skipped: \d+ known issues?$/)
    expect(lines.at(-1)).toMatch(/^\d+ passed, 0 failed, \d+ skipped$/)
  })

  it('a missing folder, an empty folder, a file and no argument: usage errors (exit 2) that say what to give', () => {
    const empty = join(tmp, 'empty')
    mkdirSync(empty)
    const file = join(tmp, 'vector.json')
    writeFileSync(file, '{}')
    const cases: Array<[string[], RegExp]> = [
      [[join(tmp, 'missing')], /missing does not exist; give the folder of test vectors$/],
      [
        [empty],
        /empty holds no test vectors \(JSON files with EXPECTEDRESULTS, as in dgc-testdata\), in it or its subfolders$/,
      ],
      [[file], /vector\.json is a file, not a folder of test vectors; give the folder/],
      [[], /^Missing 1 required arg: dir \(folder of test vectors, searched recursively\)$/],
    ]
    for (const [args, message] of cases) {
      const result = runCli(['conformance', ...args, '--json'])
      expect(result.code, args.join(' ')).toBe(2)
      expect(JSON.parse(result.stdout).error.message).toMatch(message)
    }
  })
})
