/**
 * Round 9, finding 3: renew given a 0-byte ledger file made it a new ledger (exit 0, certificates
 * given imported into it). Only issue makes a ledger: an empty file is ERR_LEDGER "is empty", exit
 * 2, as stats and export say, and the file is left as it was (0 bytes, no -wal beside it).
 */
import { existsSync, mkdtempSync, readdirSync, statSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it, vi } from 'vitest'
import { runCli } from '../helpers/cli.js'
import { KEYS_EXAMPLE } from '../helpers/keys.js'

vi.setConfig({ testTimeout: 120_000 })

describe('renew on an empty ledger file', () => {
  it('is ERR_LEDGER "is empty", exit 2, the file untouched', () => {
    const dir = mkdtempSync(join(tmpdir(), 'hcert-empty-ledger-'))
    const ledger = join(dir, 'empty.sqlite')
    writeFileSync(ledger, '')
    const hc1 = join(dir, 'old.txt')
    writeFileSync(hc1, `HC1:NOTACERTIFICATE\n`)
    for (const args of [
      ['renew', '--expired', '--key-dir', KEYS_EXAMPLE, '--ledger', ledger, '--json'],
      [
        'renew',
        hc1,
        '--trust',
        join(KEYS_EXAMPLE, 'trust-list.json'),
        '--expired',
        '--key-dir',
        KEYS_EXAMPLE,
        '--ledger',
        ledger,
        '--json',
      ],
    ]) {
      const result = runCli(args)
      expect(result.code, result.stdout).toBe(2)
      const error = (JSON.parse(result.stdout) as { error: { code: string; message: string } }).error
      expect(error.code).toBe('ERR_LEDGER')
      expect(error.message).toMatch(/is empty/)
      expect(statSync(ledger).size).toBe(0)
      expect(existsSync(`${ledger}-wal`)).toBe(false)
      expect(readdirSync(dir).sort()).toEqual(['empty.sqlite', 'old.txt'])
    }
  })
})
