/**
 * Every path flag of every command given as '' (`--out "$OUT"` with OUT unset) is ERR_USAGE, exit 2,
 * with one message naming the flag, before anything is read or written: never taken as "not given"
 * (stdout, no rejects file, no images) nor as the current folder (`keys generate --out ''` wrote
 * keys there).
 */
import { mkdtempSync, readdirSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { beforeAll, describe, expect, it } from 'vitest'
import { runCli } from '../helpers/cli.js'
import { KEYS_EXAMPLE } from '../helpers/keys.js'
import { runMany, type Run } from '../helpers/run-many.js'

const tmp = mkdtempSync(join(tmpdir(), 'hcert-empty-path-'))
const BATCH = join(import.meta.dirname, '..', '..', 'examples', 'batch.csv')
const LEDGER = join(tmp, 'ledger.sqlite')
const OUT = join(tmp, 'out.jsonl')
const K = ['--key-dir', KEYS_EXAMPLE]

/** [command, the path flag, a command line that works without it] */
const NEW = join(tmp, 'new.sqlite')
const CASES: Array<[string, string, string[]]> = [
  ...['out', 'rejects', 'qr-dir'].map((f): [string, string, string[]] => [
    'issue',
    f,
    ['issue', BATCH, ...K, '--ledger', NEW],
  ]),
  ['issue', 'ledger', ['issue', BATCH, ...K]],
  ['issue', 'key-dir', ['issue', BATCH, '--ledger', NEW]],
  ['renew', 'out', ['renew', ...K, '--ledger', LEDGER]],
  ['renew', 'qr-dir', ['renew', ...K, '--ledger', LEDGER]],
  ['renew', 'ledger', ['renew', ...K]],
  ['renew', 'key-dir', ['renew', '--ledger', LEDGER]],
  ['renew', 'trust', ['renew', ...K, '--ledger', LEDGER, OUT]],
  ['export', 'out', ['export', '--ledger', LEDGER, '--all']],
  ['export', 'ledger', ['export', '--all']],
  ['stats', 'ledger', ['stats']],
  ['verify', 'trust', ['verify', OUT]],
  ['verify', 'trust-proof-key', ['verify', OUT, '--trust', KEYS_EXAMPLE]],
  ['conformance', 'known-issues', ['conformance', tmp]],
  ['keys generate', 'out', ['keys', 'generate']],
  ['keys generate', 'csca', ['keys', 'generate', '--out', join(tmp, 'keys')]],
  ['keys generate', 'import-key', ['keys', 'generate', '--out', join(tmp, 'keys')]],
  ['keys generate', 'pkcs11', ['keys', 'generate', '--out', join(tmp, 'keys'), '--token', 't']],
]

const lines: Array<{ name: string; flag: string; args: string[] }> = []
for (const [name, flag, args] of CASES)
  for (const [empty, json] of [
    ['', false],
    ['', true],
    [' ', false],
  ] as const)
    lines.push({ name, flag, args: [...args, `--${flag}`, empty, ...(json ? ['--json'] : [])] })

let results: Run[] = []
beforeAll(async () => {
  // examples/batch.csv holds records that are rejected on purpose: exit 4
  expect(runCli(['issue', BATCH, ...K, '--ledger', LEDGER, '--out', OUT]).code).toBe(4)
  results = await runMany(
    lines.map((l) => l.args),
    { cwd: tmp },
  )
}, 120_000)

describe("a path flag given ''", () => {
  it('is ERR_USAGE, exit 2, naming the flag, on every command (text and --json)', () => {
    const seen = results.map((r, i) => {
      const { name, flag, args } = lines[i] as (typeof lines)[number]
      const json = args.includes('--json')
      const message = json
        ? (JSON.parse(r.stdout) as { error: { code: string; message: string } }).error
        : { code: /\[(ERR_\w+)\]/.exec(r.stderr)?.[1], message: r.stderr }
      return {
        line: `${name} --${flag}${json ? ' --json' : ''}`,
        code: r.code,
        error: message.code,
        names: message.message.includes(`--${flag} is empty`),
      }
    })
    expect(seen).toEqual(seen.map(({ line }) => ({ line, code: 2, error: 'ERR_USAGE', names: true })))
    // nothing written in the current folder (keys generate --out '' wrote keys there)
    expect(readdirSync(tmp).sort()).toEqual(['ledger.sqlite', 'out.jsonl'])
  })
})
