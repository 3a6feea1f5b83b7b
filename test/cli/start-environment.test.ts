import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { runCli } from '../helpers/cli.js'

/**
 * hcert has no user-installed plugins: oclif must not look for them in its data folder, so a data
 * (or home, config, cache) folder that is a file or holds a planted package.json changes nothing but
 * hcert's own messages.
 */
describe('the start of every command, whatever the user folders are', () => {
  const tmp = mkdtempSync(join(tmpdir(), 'hcert-start-'))
  const aFile = join(tmp, 'a-file')
  writeFileSync(aFile, '')

  it.each(['XDG_DATA_HOME', 'XDG_CONFIG_HOME', 'XDG_CACHE_HOME', 'HOME'])(
    '%s set to a file: no Node warning on stderr, only hcert messages',
    (name) => {
      const env: Record<string, string> = { [name]: aFile, HCERT_LEDGER: join(tmp, 'none.sqlite') }
      for (const args of [
        ['decode', 'HC1:x'],
        ['keys', 'show', tmp],
      ]) {
        const result = runCli(args, { env })
        expect(result.stderr).not.toMatch(/\(node:\d+\)|ENOTDIR|trace-warnings/)
        expect(result.code).not.toBe(1)
      }
      // the default ledger lives in the data folder: a file there is hcert's usage error, alone
      const stats = runCli(['stats'], { env: { [name]: aFile } })
      expect(stats.stderr).not.toMatch(/\(node:\d+\)|trace-warnings/)
      expect(stats.code).not.toBe(1)
    },
  )

  it('a package.json planted in $XDG_DATA_HOME/hcert does not load plugins from there', () => {
    const data = mkdtempSync(join(tmp, 'data-'))
    mkdirSync(join(data, 'hcert'))
    writeFileSync(
      join(data, 'hcert', 'package.json'),
      JSON.stringify({ oclif: { plugins: [{ type: 'user', name: 'planted-plugin', tag: 'latest' }] } }),
    )
    const result = runCli(['decode', 'HC1:x'], { env: { XDG_DATA_HOME: data } })
    expect(result.stderr).not.toMatch(/planted-plugin|\(node:\d+\)/)
    expect(result.code).toBe(3)
  })
})
