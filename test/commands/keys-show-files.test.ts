/**
 * `keys show` given a file that is no certificate: ERR_KEYS ("keys: …", as every key and certificate
 * file), not ERR_TRUST; a private key file is said to be one, naming the certificate to give.
 */
import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { runCli } from '../helpers/cli.js'
import { KEYS_EXAMPLE } from '../helpers/keys.js'

const tmp = mkdtempSync(join(tmpdir(), 'hcert-keys-show-files-'))

describe('keys show given a file that is no certificate', () => {
  it('a CSV file is ERR_KEYS', () => {
    const file = join(tmp, 'a.csv')
    writeFileSync(file, 'id,fn\n1,x\n')
    const ran = runCli(['keys', 'show', file, '--json'])
    expect(ran.code).toBe(2)
    expect(JSON.parse(ran.stdout).error).toMatchObject({
      code: 'ERR_KEYS',
      message: expect.stringMatching(/^keys: .* is not an X\.509 certificate/),
    })
  })

  it('a private key file is said to be one, with the certificate to give', () => {
    const ran = runCli(['keys', 'show', join(KEYS_EXAMPLE, 'dsc.key.pem'), '--json'])
    expect(ran.code).toBe(2)
    const { error } = JSON.parse(ran.stdout) as { error: { code: string; message: string } }
    expect(error.code).toBe('ERR_KEYS')
    expect(error.message).toContain('holds a private key, not a certificate')
    expect(error.message).toContain(join(KEYS_EXAMPLE, 'dsc.crt.pem'))
  })
})
