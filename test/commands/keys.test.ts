import { existsSync, mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { spawnSync } from 'node:child_process'
import { X509Certificate } from 'node:crypto'
import { describe, expect, it } from 'vitest'
import { signHc1 } from '../../src/hcert/sign-hc1.js'
import { loadSigner } from '../../src/services/key-dir.js'
import { BIN, runCli } from '../helpers/cli.js'
import { DURING, EXP, IAT, VACCINATION } from '../helpers/payloads.js'

const tmp = mkdtempSync(join(tmpdir(), 'hcert-keys-'))
const mode = (path: string): number => statSync(path).mode & 0o777

describe('hcert keys generate', () => {
  const out = join(tmp, 'es256')
  const generated = runCli([
    'keys',
    'generate',
    '--out',
    out,
    '--country',
    'VN',
    '--org',
    'Bộ Y tế',
    '--usage',
    'v,r',
    '--valid-from',
    '2021-01-01',
    '--json',
  ])
  const result = JSON.parse(generated.stdout)

  it('writes a CSCA and a DSC, private keys 0600, and prints no key material', () => {
    expect(generated.code).toBe(0)
    expect(mode(join(out, 'dsc.key.pem'))).toBe(0o600)
    expect(mode(join(out, 'csca.key.pem'))).toBe(0o600)
    expect(generated.stdout).not.toMatch(/PRIVATE KEY/)
    expect(result.dsc).toMatchObject({
      alg: 'ES256',
      country: 'VN',
      eku: ['1.3.6.1.4.1.1847.2021.1.2', '1.3.6.1.4.1.1847.2021.1.3'],
      mayIssue: ['v', 'r'],
    })
    expect(result.dsc.kid).toMatch(/^[A-Za-z0-9+/]{11}=$/)
    expect(result.dsc.notBefore).toBe('2021-01-01T00:00:00.000Z')
    expect(result.dsc.notAfter).toBe('2023-01-01T00:00:00.000Z')
    expect(result.csca.notAfter).toBe('2025-01-01T00:00:00.000Z')
    expect(result.dsc.subject).toContain('O=Bộ Y tế')
  })

  it('keeps the CN within the 64 characters of X.509 for an --org of 64 (the O stays whole)', () => {
    const org = 'ệ'.repeat(64)
    const dir = join(tmp, 'long-org')
    const long = runCli(['keys', 'generate', '--out', dir, '--org', org, '--json'])
    expect(long.code).toBe(0)
    for (const name of ['dsc.crt.pem', 'csca.crt.pem']) {
      const subject = new X509Certificate(readFileSync(join(dir, name))).subject
      const cn = /^CN=(.*)$/m.exec(subject)?.[1] ?? ''
      expect([...cn].length, name).toBeLessThanOrEqual(64)
      expect(cn).toBe(
        `${'ệ'.repeat(name === 'dsc.crt.pem' ? 60 : 59)} ${name === 'dsc.crt.pem' ? 'DSC' : 'CSCA'}`,
      )
      expect(subject).toContain(`O=${org}`)
    }
  })

  it("keys show gives the subject's values as the certificate holds them, without RFC 4514 escapes (O=\\#MoH was shown)", () => {
    const org = '#MoH, "Bộ" + a;b\\c <x> =y'
    const dir = join(tmp, 'odd-org')
    expect(runCli(['keys', 'generate', '--out', dir, '--org', org]).code).toBe(0)
    const text = runCli(['keys', 'show', dir])
    expect(text.code).toBe(0)
    expect(text.stdout).toContain(`subject      C=VN, O=${org}, CN=${org} DSC`)
    expect(text.stdout).not.toContain('\\#')
    const json = JSON.parse(runCli(['keys', 'show', join(dir, 'csca.crt.pem'), '--json']).stdout) as {
      certificates: Array<{ subject: string }>
    }
    expect(json.certificates[0]?.subject).toBe(`C=VN, O=${org}, CN=${org} CSCA`)
  })

  it('refuses to overwrite keys without --force', () => {
    const again = runCli(['keys', 'generate', '--out', out, '--json'])
    expect(again.code).toBe(2)
    expect(JSON.parse(again.stdout).error.code).toBe('ERR_KEYS')
    expect(JSON.parse(readFileSync(join(out, 'trust-list.json'), 'utf8')).certificates).toHaveLength(1)
  })

  it('writes a trust list that verify loads, and signs certificates that verify against it', () => {
    const { hc1 } = signHc1(VACCINATION, { iss: 'VN', iat: IAT, exp: EXP }, loadSigner(out, undefined))
    const verified = runCli([
      'verify',
      hc1,
      '--trust',
      join(out, 'trust-list.json'),
      '--at',
      DURING.toISOString(),
      '--json',
    ])
    expect(verified.code).toBe(0)
    expect(JSON.parse(verified.stdout)).toMatchObject({ valid: true, kid: result.dsc.kid })
    // the folder and the PEM certificate load too
    expect(
      runCli(['verify', hc1, '--trust', join(out, 'dsc.crt.pem'), '--at', DURING.toISOString()]).code,
    ).toBe(0)
  })

  it('rolls a new PS256 DSC under the existing CSCA, keeping the old DSC in the trust list', () => {
    const rolled = runCli([
      'keys',
      'generate',
      '--csca',
      out,
      '--out',
      out,
      '--force',
      '--alg',
      'PS256',
      '--valid-from',
      '2022-01-01',
      '--dsc-validity',
      '5y',
      '--json',
    ])
    expect(rolled.code).toBe(0)
    const json = JSON.parse(rolled.stdout)
    expect(json.dsc.alg).toBe('PS256')
    expect(json.csca.sha256).toBe(result.csca.sha256)
    expect(json.warnings).toEqual([
      `the DSC validity was shortened to end with the CSCA's, on ${result.csca.notAfter}`,
    ])
    expect(
      JSON.parse(readFileSync(join(out, 'trust-list.json'), 'utf8')).certificates.map(
        (c: { kid: string }) => c.kid,
      ),
    ).toEqual([result.dsc.kid, json.dsc.kid])
  })

  it('encrypts private keys with a passphrase, which is then needed to use them', () => {
    const enc = join(tmp, 'encrypted')
    const made = runCli(['keys', 'generate', '--out', enc, '--encrypt', '--json'], {
      env: { HCERT_KEY_PASSPHRASE: 'correct horse battery' },
    })
    expect(made.code).toBe(0)
    expect(readFileSync(join(enc, 'dsc.key.pem'), 'utf8')).toContain('BEGIN ENCRYPTED PRIVATE KEY')
    expect(() => loadSigner(enc, undefined)).toThrow(/is encrypted; give its passphrase/)
    expect(() => loadSigner(enc, 'wrong passphrase')).toThrow(/passphrase for .* is wrong/)
    expect(loadSigner(enc, 'correct horse battery').alg).toBe('ES256')
    const noPass = runCli(['keys', 'generate', '--out', join(tmp, 'nopass'), '--encrypt', '--json'], {
      env: { HCERT_KEY_PASSPHRASE: '' },
    })
    expect(JSON.parse(noPass.stdout).error.message).toMatch(/set HCERT_KEY_PASSPHRASE/)
  })

  it('imports an existing key in PKCS#1, SEC1 or DER', async () => {
    const { generateKeyPairSync } = await import('node:crypto')
    const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 })
    const ec = generateKeyPairSync('ec', { namedCurve: 'P-256' })
    const files: Array<[string, string | Buffer, string]> = [
      ['pkcs1.pem', rsa.privateKey.export({ type: 'pkcs1', format: 'pem' }), 'PS256'],
      ['sec1.pem', ec.privateKey.export({ type: 'sec1', format: 'pem' }), 'ES256'],
      ['key.der', ec.privateKey.export({ type: 'pkcs8', format: 'der' }), 'ES256'],
      ['sec1.der', ec.privateKey.export({ type: 'sec1', format: 'der' }), 'ES256'],
    ]
    for (const [name, content, alg] of files) {
      writeFileSync(join(tmp, name), content)
      const dir = join(tmp, `imported-${name}`)
      const made = runCli([
        'keys',
        'generate',
        '--out',
        dir,
        '--alg',
        alg,
        '--import-key',
        join(tmp, name),
        '--json',
      ])
      expect(made.code, made.stdout).toBe(0)
      const publicDer = (alg === 'PS256' ? rsa : ec).publicKey.export({ type: 'spki', format: 'der' })
      expect(
        loadSigner(dir, undefined).certificate.publicKey.export({ type: 'spki', format: 'der' }),
      ).toEqual(publicDer)
    }
  })

  it('keys show prints kid, subject and validity of a key directory', () => {
    const shown = runCli(['keys', 'show', out, '--json'])
    const json = JSON.parse(shown.stdout)
    expect(json.certificates.map((c: { role: string }) => c.role)).toEqual([
      'Document signer (DSC)',
      'Country signing CA (CSCA)',
    ])
    const text = runCli(['keys', 'show', join(out, 'csca.crt.pem')]).stdout
    expect(text).toContain(result.csca.sha256)
  })
})

describe('keys flags and settings that cannot work are refused, nothing written', () => {
  const errorOf = (stdout: string): { code: string; message: string } => JSON.parse(stdout).error

  it('--rsa-bits with ES256 (the default --alg) is ERR_USAGE, exit 2', () => {
    const dir = join(tmp, 'rsa-bits-es256')
    const r = runCli(['keys', 'generate', '--out', dir, '--rsa-bits', '3072', '--json'])
    expect(r.code).toBe(2)
    expect(errorOf(r.stdout)).toMatchObject({
      code: 'ERR_USAGE',
      message: expect.stringMatching(/--rsa-bits/),
    })
    expect(existsSync(dir)).toBe(false)
  })

  it('HCERT_KEY_PASSPHRASE set but empty is ERR_KEYS, exit 2 (it wrote unencrypted keys)', () => {
    const dir = join(tmp, 'empty-passphrase')
    const r = runCli(['keys', 'generate', '--out', dir, '--json'], { env: { HCERT_KEY_PASSPHRASE: '' } })
    expect(r.code).toBe(2)
    expect(errorOf(r.stdout)).toMatchObject({
      code: 'ERR_KEYS',
      message: expect.stringMatching(/HCERT_KEY_PASSPHRASE is set but empty/),
    })
    expect(existsSync(dir)).toBe(false)
  })

  it("keys show '' is ERR_USAGE 'the path is empty', exit 2", () => {
    const r = runCli(['keys', 'show', '', '--json'])
    expect(r.code).toBe(2)
    expect(errorOf(r.stdout)).toMatchObject({
      code: 'ERR_USAGE',
      message: expect.stringMatching(/path is empty/),
    })
  })
})

describe('keys generate whose report cannot be written (stdout on /dev/full)', () => {
  it.each([[[]], [['--json']]])(
    '%j: exit 2, and the message says the keys are written and how to see them',
    (extra) => {
      const out = join(tmp, `full${extra.length}`)
      const r = spawnSync(
        'sh',
        [
          '-c',
          `"$0" "$1" keys generate --out "$2" ${extra.join(' ')} > /dev/full`,
          process.execPath,
          BIN,
          out,
        ],
        {
          encoding: 'utf8',
          env: { ...process.env, NO_COLOR: '1' },
        },
      )
      expect(r.status).toBe(2)
      expect(r.stderr).toMatch(/cannot write stdout: no space left on the device \(ENOSPC\)/)
      expect(r.stderr).toMatch(/the keys are written all the same .*full\d.*hcert keys show .*full\d/)
      expect(existsSync(join(out, 'dsc.crt.pem'))).toBe(true)
      expect(runCli(['keys', 'show', out]).code).toBe(0)
    },
  )
})
