/**
 * Ledger paths that say what is wrong: a symbolic link at the rollback journal's name (`-journal`,
 * as at `-wal`/`-shm`) is named, and an empty (0-byte) ledger file is said to be empty.
 */
import { existsSync, symlinkSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { runCli } from '../helpers/cli.js'
import { KEYS_EXAMPLE } from '../helpers/keys.js'
import { freshFolders } from '../helpers/folders.js'
import { vaccinationCsv } from '../helpers/records.js'

const folder = freshFolders('hcert-ledger-side-')

describe('ledger side files and empty ledgers', () => {
  it('a symbolic link at L.sqlite-journal: ERR_LEDGER naming it, nothing written through it', () => {
    const dir = folder()
    writeFileSync(join(dir, 'b.csv'), vaccinationCsv({ to: 2 }))
    const ledger = join(dir, 'L.sqlite')
    symlinkSync(join(dir, 'elsewhere'), `${ledger}-journal`)
    const r = runCli(['issue', join(dir, 'b.csv'), '--key-dir', KEYS_EXAMPLE, '--ledger', ledger, '--json'])
    expect(r.code).toBe(2)
    const error = (JSON.parse(r.stdout) as { error: { code: string; message: string } }).error
    expect(error.code).toBe('ERR_LEDGER')
    expect(error.message).toMatch(/L\.sqlite-journal is not a file \(a symbolic link\)/)
    expect(existsSync(join(dir, 'elsewhere'))).toBe(false)
  })

  it('stats of a 0-byte ledger file says it is empty, not that it holds something else', () => {
    const dir = folder()
    const ledger = join(dir, 'empty.sqlite')
    writeFileSync(ledger, '')
    const r = runCli(['stats', '--ledger', ledger])
    expect(r.code).toBe(2)
    expect(r.stderr).toMatch(/empty\.sqlite is empty \(no certificates were issued into it yet\)/)
    expect(r.stderr).not.toMatch(/holds no hcert ledger/)
  })
})
