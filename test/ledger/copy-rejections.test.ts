/**
 * `ledger copy` and rejections keyed by HMAC (rejection-key.ts): each ledger has its own secret,
 * so the same record rejected in both has two keys. Into a server ledger with rejections of its
 * own under another secret the copy is refused (ERR_LEDGER, nothing copied) rather than count the
 * record twice; into an empty one, or one holding an earlier copy, stats --json agree.
 */
import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { runCli } from '../helpers/cli.js'
import { KEYS_EXAMPLE } from '../helpers/keys.js'
import { freshPgUrl, PG_AVAILABLE, requirePgInCi } from '../helpers/pg.js'

requirePgInCi()
const tmp = mkdtempSync(join(tmpdir(), 'hcert-copy-rej-'))
// no id column: rejections are keyed by the record's content, as an HMAC
const input = join(tmp, 'june.csv')
writeFileSync(
  input,
  'type,fn,gn,dob,vaccine,dose,doses,date\nv,Tran,Thi A,1975-01-10,Comirnaty,1,2,2021-06-01\nv,Tran,Thi B,not-a-date,Comirnaty,1,2,2021-06-01\n',
)
const issue = (ledger: string) =>
  runCli([
    'issue',
    input,
    '--key-dir',
    KEYS_EXAMPLE,
    '--ledger',
    ledger,
    '--at',
    '2021-06-10T08:00:00Z',
    '--json',
  ])
const stats = (ledger: string) => {
  const { seconds: _s, ...rest } = JSON.parse(
    runCli(['stats', '--at', '2021-06-20T00:00:00Z', '--json', '--ledger', ledger]).stdout,
  ) as Record<string, unknown>
  return rest
}

describe.skipIf(!PG_AVAILABLE)('ledger copy: rejections under two secrets', () => {
  it('is refused when the server has rejections of its own, and agrees when it holds only a copy', () => {
    const sqlite = join(tmp, 'office.sqlite')
    expect(issue(sqlite).code).toBe(4)
    const own = freshPgUrl('rej_own')
    expect(issue(own).code).toBe(4) // the same records, on the server: its own secret
    const before = stats(own)
    const refused = runCli(['ledger', 'copy', sqlite, own, '--json'])
    expect(refused.code).toBe(2)
    expect(refused.stdout + refused.stderr).toMatch(
      /already holds rejections of its own.*counted twice.*nothing was copied/,
    )
    expect(stats(own)).toEqual(before)

    const copy = freshPgUrl('rej_copy')
    expect(runCli(['ledger', 'copy', sqlite, copy]).code).toBe(0)
    expect(runCli(['ledger', 'copy', sqlite, copy]).code).toBe(0) // again: the same secret, nothing added
    expect(stats(copy)).toEqual(stats(sqlite))
  }, 120_000)
})
