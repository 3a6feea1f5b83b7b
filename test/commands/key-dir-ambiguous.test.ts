/** A key directory with both dsc.key.pem and dsc.pkcs11.json is refused: neither silently wins. */
import { cpSync, mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { runCli } from '../helpers/cli.js'
import { KEYS_EXAMPLE } from '../helpers/keys.js'

describe('a key directory with a disk key and a token key reference', () => {
  it('is ERR_KEYS naming both files', () => {
    const dir = join(mkdtempSync(join(tmpdir(), 'hcert-ambiguous-')), 'keys')
    cpSync(KEYS_EXAMPLE, dir, { recursive: true })
    const pkcs11 = { module: '/usr/lib/softhsm/libsofthsm2.so', token: 'hcert', keyLabel: 'dsc', keyId: '01' }
    writeFileSync(join(dir, 'dsc.pkcs11.json'), JSON.stringify({ pkcs11 }))
    const r = runCli(
      [
        'issue',
        join(import.meta.dirname, '..', '..', 'examples', 'vaccination.json'),
        '--key-dir',
        dir,
        '--ledger',
        join(dir, 'l.sqlite'),
        '--json',
      ],
      { env: { HCERT_PKCS11_PIN: '1234' } },
    )
    expect(r.code).toBe(2)
    const error = JSON.parse(r.stdout).error
    expect(error.code).toBe('ERR_KEYS')
    expect(error.message).toMatch(/ambiguous.*dsc\.key\.pem.*dsc\.pkcs11\.json/)
  })
})
