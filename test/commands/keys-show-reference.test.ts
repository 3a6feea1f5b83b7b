/** `keys show` given a token key's reference file names it and points to the key directory. */
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { runCli } from '../helpers/cli.js'

describe('keys show on dsc.pkcs11.json', () => {
  it('says it is a key reference and to give the key directory', () => {
    const dir = join(mkdtempSync(join(tmpdir(), 'hcert-show-ref-')), 'keys-v')
    mkdirSync(dir)
    const pkcs11 = { module: '/usr/lib/softhsm/libsofthsm2.so', token: 'hcert', keyLabel: 'dsc', keyId: '01' }
    writeFileSync(join(dir, 'dsc.pkcs11.json'), JSON.stringify({ pkcs11 }))
    const r = runCli(['keys', 'show', join(dir, 'dsc.pkcs11.json'), '--json'])
    expect(r.code).toBe(2)
    const error = JSON.parse(r.stdout).error
    expect(error.code).toBe('ERR_KEYS')
    expect(error.message).toContain('is a key reference')
    expect(error.message).toContain(`hcert keys show ${dir}`)
  })
})
