/**
 * `hcert issue` checks everything that can fail before a record is read (the DSC's validity at
 * --at, the destinations) before the ledger is created: a tester's run with an expired DSC left an
 * empty 212 KB ledger behind its ERR_KEYS. Through the built CLI, as a user runs it.
 */
import { existsSync, readdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it, vi } from 'vitest'
import { runCli } from '../helpers/cli.js'
import { KEYS_EXAMPLE } from '../helpers/keys.js'
import { vaccinationCsv } from '../helpers/records.js'
import { freshFolders } from '../helpers/folders.js'

vi.setConfig({ testTimeout: 60_000 })

const folder = freshFolders('hcert-issue-startup-')

function run(extra: (dir: string) => string[]): { dir: string; code: number; stderr: string } {
  const dir = folder()
  const input = join(dir, 'in.csv')
  writeFileSync(input, vaccinationCsv({ to: 1 }))
  const r = runCli([
    'issue',
    input,
    '--key-dir',
    KEYS_EXAMPLE,
    '--ledger',
    join(dir, 'l.sqlite'),
    ...extra(dir),
  ])
  return { dir, code: r.code, stderr: r.stderr }
}

describe('an early failure creates no ledger', () => {
  it.each([
    ['the DSC expired at --at', () => ['--at', '2062-01-01T00:00:00Z', '--allow-future'], 'ERR_KEYS'],
    ['the DSC not yet valid at --at', () => ['--at', '2020-06-01T00:00:00Z'], 'ERR_KEYS'],
    [
      '--qr-dir that is a file',
      (dir: string) => {
        writeFileSync(join(dir, 'afile'), '')
        return ['--at', '2021-12-21T00:00:00Z', '--qr-dir', join(dir, 'afile')]
      },
      'ERR_USAGE',
    ],
  ])('%s', (_, extra, code) => {
    const r = run(extra)
    expect(r.code).toBe(2)
    expect(r.stderr).toContain(code)
    expect(existsSync(join(r.dir, 'l.sqlite'))).toBe(false)
    expect(readdirSync(r.dir).filter((f) => f.startsWith('l.sqlite'))).toEqual([])
  })

  it('the same run with valid settings creates it', () => {
    const r = run(() => ['--at', '2021-12-21T00:00:00Z'])
    expect(r.code).toBe(0)
    expect(existsSync(join(r.dir, 'l.sqlite'))).toBe(true)
  })
})
