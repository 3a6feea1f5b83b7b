/** A dry run signs nothing: with the DSC key in a PKCS#11 token it needs no PIN and opens no token. */
import { copyFileSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { runCli } from '../helpers/cli.js'
import { KEYS_EXAMPLE } from '../helpers/keys.js'

const tmp = mkdtempSync(join(tmpdir(), 'hcert-dry-token-'))

describe('dry runs with a token key', () => {
  it('issue --dry-run and renew --dry-run need neither the PIN nor the token', () => {
    const keys = join(tmp, 'keys-v')
    mkdirSync(keys)
    copyFileSync(join(KEYS_EXAMPLE, 'dsc.crt.pem'), join(keys, 'dsc.crt.pem'))
    // a module that does not exist: opening the token would fail
    const pkcs11 = {
      module: join(tmp, 'no-such-module.so'),
      token: 'hcert',
      keyLabel: 'hcert DSC',
      keyId: '01',
    }
    writeFileSync(join(keys, 'dsc.pkcs11.json'), JSON.stringify({ pkcs11 }))
    const csv = join(tmp, 'small.csv')
    writeFileSync(
      csv,
      'id,type,fn,gn,dob,vaccine,dose,doses,date\nP1,v,Nguyen,An,1980-01-01,Comirnaty,1,2,2021-06-01\n',
    )
    const env = { HCERT_PKCS11_PIN: '' }
    const common = ['--key-dir', keys, '--ledger', join(tmp, 'ledger.sqlite'), '--no-prompt', '--dry-run']
    const issue = runCli(['issue', csv, ...common, '--at', '2021-12-21T00:00:00Z', '--json'], { env })
    expect(issue.stderr).not.toContain('PIN')
    expect(issue.code).toBe(0)
    // a ledger to renew from, made with the disk key of the same DSC
    const made = runCli([
      'issue',
      csv,
      '--key-dir',
      KEYS_EXAMPLE,
      '--ledger',
      join(tmp, 'ledger.sqlite'),
      '--at',
      '2021-12-21T00:00:00Z',
    ])
    expect(made.code).toBe(0)
    const renew = runCli(['renew', '--expired', ...common, '--json'], { env })
    expect(renew.stderr).not.toContain('PIN')
    expect(renew.code).toBe(0)
  })
})
