/**
 * DSC keys inside a PKCS#11 token, against a real SoftHSM2 token made for this file (its own
 * SOFTHSM2_CONF and token folder). Skipped without SoftHSM2, with the command that installs it; in CI
 * (CI=true) a missing SoftHSM2 fails.
 */
import { spawnSync } from 'node:child_process'
import { createRequire } from 'node:module'
import { createPublicKey, generateKeyPairSync, sign, verify, X509Certificate } from 'node:crypto'
import { mkdtempSync, readFileSync, writeFileSync, cpSync, existsSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { inflateSync } from 'node:zlib'
import { decode, encode } from 'cbor-x'
import { describe, expect, it } from 'vitest'
import { decodeBase45 } from '../../src/codec/base45.js'
import { openToken } from '../../src/keys/pkcs11/token.js'
import { MAX_ATTEMPTS, verifiedSignature } from '../../src/keys/pkcs11/token-signer.js'
import { runCli, type CliResult } from '../helpers/cli.js'
import { RECOVERY, TEST, VACCINATION } from '../helpers/payloads.js'
import { vaccinationCsv } from '../helpers/records.js'

const MODULE = '/usr/lib/softhsm/libsofthsm2.so'
const INSTALL = 'apt-get install -y softhsm2'
const available =
  existsSync(MODULE) && spawnSync('softhsm2-util', ['--version'], { encoding: 'utf8' }).status === 0

if (!available && process.env.CI === 'true')
  describe('SoftHSM2 in CI', () => {
    it(`is installed (${INSTALL})`, () => {
      expect.fail(`SoftHSM2 is missing; CI must install it: ${INSTALL}`)
    })
  })

const PIN = '918273'
const SO_PIN = '564738'
const TOKEN = 'hcert-test'
const AT = '2021-12-21T00:00:00Z'

/** the objects of a JSON Lines file (issue and renew --out) */
const jsonLines = <T>(path: string): T[] =>
  readFileSync(path, 'utf8')
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as T)

/** the COSE_Sign1 of an HC1 text checked with node:crypto alone against the DSC certificate */
function verifiesWithNodeCrypto(hc1: string, certificatePem: string): boolean {
  const cose = inflateSync(decodeBase45(hc1.slice(4)))
  let sign1 = decode(cose) as unknown
  if (typeof sign1 === 'object' && sign1 !== null && 'value' in sign1)
    sign1 = (sign1 as { value: unknown }).value
  const [protectedBytes, , payload, signature] = sign1 as [Uint8Array, unknown, Uint8Array, Uint8Array]
  const toBeSigned = encode([
    'Signature1',
    Buffer.from(protectedBytes),
    Buffer.alloc(0),
    Buffer.from(payload),
  ])
  const publicKey = new X509Certificate(certificatePem).publicKey
  const alg = decode(protectedBytes) as Map<number, number> | Record<number, number> as Record<number, number>
  const algId = alg instanceof Map ? alg.get(1) : alg[1]
  return algId === -7
    ? verify('sha256', toBeSigned, { key: publicKey, dsaEncoding: 'ieee-p1363' }, signature)
    : verify('sha256', toBeSigned, { key: publicKey, padding: 6 /* PSS */, saltLength: 32 }, signature)
}

describe.skipIf(!available)(`PKCS#11 keys in SoftHSM2 (skipped without it: ${INSTALL})`, () => {
  const tmp = mkdtempSync(join(tmpdir(), 'hcert-pkcs11-'))
  const conf = join(tmp, 'softhsm2.conf')
  writeFileSync(
    conf,
    `directories.tokendir = ${join(tmp, 'tokens')}\nobjectstore.backend = file\nlog.level = ERROR\nslots.removable = false\n`,
  )
  spawnSync('mkdir', ['-p', join(tmp, 'tokens')])
  const env = { SOFTHSM2_CONF: conf, HCERT_PKCS11_PIN: PIN }
  process.env.SOFTHSM2_CONF = conf // for pkcs11js in this process
  const init = spawnSync(
    'softhsm2-util',
    ['--init-token', '--free', '--label', TOKEN, '--pin', PIN, '--so-pin', SO_PIN],
    { env: { ...process.env, SOFTHSM2_CONF: conf }, encoding: 'utf8' },
  )
  const outputs: CliResult[] = []
  const cli = (args: string[], extra: Record<string, string> = {}): CliResult => {
    const result = runCli(args, { env: { ...env, ...extra } })
    outputs.push(result)
    return result
  }
  const generate = (alg: 'ES256' | 'PS256', label: string, out: string, more: string[] = []): CliResult =>
    cli([
      'keys',
      'generate',
      '--pkcs11',
      MODULE,
      '--token',
      TOKEN,
      '--key-label',
      label,
      '--alg',
      alg,
      '--out',
      out,
      '--valid-from',
      '2021-01-01',
      '--json',
      ...more,
    ])
  const dirs = { ES256: join(tmp, 'es256'), PS256: join(tmp, 'ps256') }

  it('the token is initialised', () => {
    expect(init.status, init.stderr).toBe(0)
  })

  for (const alg of ['ES256', 'PS256'] as const) {
    describe(alg, () => {
      const dir = dirs[alg]
      let generated: CliResult
      it('keys generate --pkcs11 makes the key in the token and writes a reference, not a key', () => {
        generated = generate(alg, `dsc-${alg}`, dir)
        expect(generated.code, generated.stderr).toBe(0)
        const result = JSON.parse(generated.stdout)
        expect(result.dsc.alg).toBe(alg)
        expect(result.dscKey).toMatchObject({
          kind: 'pkcs11',
          module: MODULE,
          token: TOKEN,
          keyLabel: `dsc-${alg}`,
        })
        expect(existsSync(join(dir, 'dsc.key.pem'))).toBe(false)
        const reference = readFileSync(join(dir, 'dsc.pkcs11.json'), 'utf8')
        expect(JSON.parse(reference).pkcs11).toMatchObject({ token: TOKEN, keyLabel: `dsc-${alg}` })
        expect(reference).not.toContain(PIN)
        // the DSC's public key is the token's, and the CSCA signed it
        const dsc = new X509Certificate(readFileSync(join(dir, 'dsc.crt.pem')))
        const csca = new X509Certificate(readFileSync(join(dir, 'csca.crt.pem')))
        expect(dsc.verify(csca.publicKey)).toBe(true)
      })

      it('keys show says the key is in the token', () => {
        const shown = cli(['keys', 'show', dir, '--json'])
        expect(JSON.parse(shown.stdout).dscKey).toMatchObject({
          kind: 'pkcs11',
          token: TOKEN,
          keyLabel: `dsc-${alg}`,
        })
        expect(cli(['keys', 'show', dir]).stdout).toContain(`in PKCS#11 token '${TOKEN}', key 'dsc-${alg}'`)
      })

      it('issue signs v, t and r through the token; hcert verify and node:crypto accept them', () => {
        const input = join(tmp, `vtr-${alg}.jsonl`)
        const out = join(tmp, `vtr-${alg}.out.jsonl`)
        const uvci = (s: string): string => s.replace('TEST', `${alg}X`)
        writeFileSync(
          input,
          [VACCINATION, TEST, RECOVERY]
            .map((p) => JSON.stringify(JSON.parse(uvci(JSON.stringify(p)))))
            .join('\n') + '\n',
        )
        const issued = cli([
          'issue',
          input,
          '--key-dir',
          dir,
          '--ledger',
          join(tmp, `${alg}.sqlite`),
          '--at',
          AT,
          '--out',
          out,
          '--json',
        ])
        expect(issued.code, issued.stderr).toBe(0)
        const rows = jsonLines<{ type: string; hc1: string }>(out)
        expect(rows.map((r) => r.type)).toEqual(['v', 't', 'r'])
        const pem = readFileSync(join(dir, 'dsc.crt.pem'), 'utf8')
        for (const { hc1 } of rows) expect(verifiesWithNodeCrypto(hc1, pem)).toBe(true)
        // hcert verify: the three in one file, one per line
        const texts = join(tmp, `vtr-${alg}.txt`)
        writeFileSync(texts, rows.map((r) => r.hc1).join('\n') + '\n')
        const checked = cli([
          'verify',
          texts,
          '--trust',
          join(dir, 'trust-list.json'),
          '--at',
          '2021-12-22',
          '--json',
        ])
        expect(checked.code, checked.stderr).toBe(0)
        const results = checked.stdout
          .trim()
          .split('\n')
          .map((l) => JSON.parse(l) as { valid: boolean })
        expect(results.map((r) => r.valid)).toEqual([true, true, true])
      })

      it('renew signs through the token too', () => {
        const out = join(tmp, `renewed-${alg}.jsonl`)
        const renewed = cli([
          'renew',
          '--expiring-within',
          '3650d',
          '--key-dir',
          dir,
          '--ledger',
          join(tmp, `${alg}.sqlite`),
          '--at',
          '2022-01-01T00:00:00Z',
          '--out',
          out,
          '--json',
        ])
        expect(renewed.code, renewed.stderr).toBe(0)
        const rows = jsonLines<{ hc1: string }>(out)
        expect(rows.length).toBe(3)
        const pem = readFileSync(join(dir, 'dsc.crt.pem'), 'utf8')
        for (const { hc1 } of rows) expect(verifiesWithNodeCrypto(hc1, pem)).toBe(true)
      })
    })
  }

  it('signing threads each open their own session (issue --workers 1)', () => {
    const input = join(tmp, 'threads.csv')
    writeFileSync(input, vaccinationCsv({ to: 400 }))
    const out = join(tmp, 'threads.jsonl')
    const issued = cli([
      'issue',
      input,
      '--key-dir',
      dirs.ES256,
      '--ledger',
      join(tmp, 'threads.sqlite'),
      '--at',
      AT,
      '--out',
      out,
      '--workers',
      '1',
      '--json',
    ])
    expect(issued.code, issued.stderr).toBe(0)
    const pem = readFileSync(join(dirs.ES256, 'dsc.crt.pem'), 'utf8')
    const hc1s = jsonLines<{ hc1: string }>(out).map((l) => l.hc1)
    expect(hc1s).toHaveLength(400)
    expect(hc1s.every((hc1) => verifiesWithNodeCrypto(hc1, pem))).toBe(true)
  })

  it('the private key cannot be read or wrapped out of the token', () => {
    const p = createRequire(import.meta.url)('pkcs11js') as typeof import('pkcs11js')
    const lib = new p.PKCS11()
    lib.load(MODULE)
    lib.C_Initialize()
    try {
      const slot = lib.C_GetSlotList(true).find((s) => lib.C_GetTokenInfo(s).label.trim() === TOKEN)
      const session = lib.C_OpenSession(slot as Buffer, p.CKF_SERIAL_SESSION | p.CKF_RW_SESSION)
      lib.C_Login(session, p.CKU_USER, PIN)
      for (const alg of ['ES256', 'PS256']) {
        lib.C_FindObjectsInit(session, [
          { type: p.CKA_CLASS, value: p.CKO_PRIVATE_KEY },
          { type: p.CKA_LABEL, value: `dsc-${alg}` },
        ])
        const key = lib.C_FindObjects(session)
        lib.C_FindObjectsFinal(session)
        expect(key).toBeTruthy()
        const attrs = lib.C_GetAttributeValue(session, key as Buffer, [
          { type: p.CKA_SENSITIVE },
          { type: p.CKA_EXTRACTABLE },
          { type: p.CKA_TOKEN },
          { type: p.CKA_PRIVATE },
          { type: p.CKA_NEVER_EXTRACTABLE },
        ])
        expect(attrs.map((a) => a.value?.[0])).toEqual([1, 0, 1, 1, 1])
        const secret = alg === 'ES256' ? p.CKA_VALUE : p.CKA_PRIVATE_EXPONENT
        expect(() => lib.C_GetAttributeValue(session, key as Buffer, [{ type: secret }])).toThrow(
          /CKR_ATTRIBUTE_SENSITIVE/,
        )
        const wrapping = lib.C_GenerateKey(session, { mechanism: p.CKM_AES_KEY_GEN }, [
          { type: p.CKA_VALUE_LEN, value: 32 },
          { type: p.CKA_WRAP, value: true },
          { type: p.CKA_TOKEN, value: false },
        ])
        expect(() =>
          lib.C_WrapKey(
            session,
            { mechanism: p.CKM_AES_KEY_WRAP_PAD },
            wrapping,
            key as Buffer,
            Buffer.alloc(4096),
          ),
        ).toThrow(/CKR_KEY_UNEXTRACTABLE/)
      }
    } finally {
      lib.C_Finalize()
      lib.close()
    }
  })

  describe('faults are ERR_KEYS (exit 2) that say what to check, never quoting the PIN', () => {
    const issueWith = (dir: string, extra: Record<string, string> = {}): CliResult =>
      cli(
        [
          'issue',
          join(import.meta.dirname, '..', '..', 'examples', 'vaccination.json'),
          '--key-dir',
          dir,
          '--ledger',
          join(tmp, 'faults.sqlite'),
          '--at',
          AT,
          '--json',
        ],
        extra,
      )
    const error = (r: CliResult): { code: string; message: string } => JSON.parse(r.stdout).error

    it('a wrong PIN', () => {
      const r = issueWith(dirs.ES256, { HCERT_PKCS11_PIN: '556677' })
      expect(r.code).toBe(2)
      expect(error(r)).toMatchObject({
        code: 'ERR_KEYS',
        message: `keys: token '${TOKEN}': the PIN was refused; check HCERT_PKCS11_PIN`,
      })
      expect(r.stdout + r.stderr).not.toContain('556677')
    })

    it('a wrong PIN typed at the prompt says so (not HCERT_PKCS11_PIN)', () => {
      const wrong = (pinTyped: boolean): string => {
        try {
          openToken(MODULE, TOKEN, '556677', { pinTyped })
        } catch (err) {
          return (err as Error).message
        }
        return 'logged in'
      }
      expect(wrong(true)).toBe(`keys: token '${TOKEN}': the PIN was refused; the PIN typed is wrong`)
      expect(wrong(false)).toBe(`keys: token '${TOKEN}': the PIN was refused; check HCERT_PKCS11_PIN`)
    })

    it('no PIN and no terminal', () => {
      const r = issueWith(dirs.ES256, { HCERT_PKCS11_PIN: '' })
      expect(r.code).toBe(2)
      expect(error(r).message).toContain('set HCERT_PKCS11_PIN')
    })

    const withReference = (name: string, change: Record<string, string>): string => {
      const dir = join(tmp, name)
      cpSync(dirs.ES256, dir, { recursive: true })
      const path = join(dir, 'dsc.pkcs11.json')
      const ref = JSON.parse(readFileSync(path, 'utf8'))
      writeFileSync(path, JSON.stringify({ pkcs11: { ...ref.pkcs11, ...change } }))
      return dir
    }

    it('a token that is not there', () => {
      const r = issueWith(withReference('no-token', { token: 'gone' }))
      expect(r.code).toBe(2)
      expect(error(r).code).toBe('ERR_KEYS')
      expect(error(r).message).toContain(`no token labelled 'gone'`)
      expect(error(r).message).toContain(`tokens present: '${TOKEN}'`)
    })

    it('a key that is not in the token', () => {
      const r = issueWith(withReference('no-key', { keyLabel: 'deleted' }))
      expect(r.code).toBe(2)
      expect(error(r).code).toBe('ERR_KEYS')
      expect(error(r).message).toContain(`holds no private key labelled 'deleted'`)
    })

    it('a token key of the other algorithm does not belong to the DSC (issue and renew)', () => {
      for (const [dsc, key] of [
        ['ES256', 'PS256'],
        ['PS256', 'ES256'],
      ] as const) {
        const dir = join(tmp, `mix-${dsc}`)
        cpSync(dirs[dsc], dir, { recursive: true })
        cpSync(join(dirs[key], 'dsc.pkcs11.json'), join(dir, 'dsc.pkcs11.json'))
        const issued = issueWith(dir)
        expect(issued.code, issued.stdout + issued.stderr).toBe(2)
        expect(error(issued)).toMatchObject({
          code: 'ERR_KEYS',
          message: `keys: the key 'dsc-${key}' in token '${TOKEN}' does not belong to the certificate ${join(dir, 'dsc.crt.pem')}`,
        })
        // renew signs with the same signer: the ledger of the working run, a DSC that is not its key
        const renewed = cli([
          'renew',
          '--expiring-within',
          '3650d',
          '--key-dir',
          dir,
          '--ledger',
          join(tmp, `${dsc}.sqlite`),
          '--at',
          '2022-01-01T00:00:00Z',
          '--out',
          join(tmp, `mix-${dsc}.jsonl`),
          '--json',
        ])
        expect(renewed.code, renewed.stdout + renewed.stderr).toBe(2)
        expect(error(renewed).message).toContain(
          `does not belong to the certificate ${join(dir, 'dsc.crt.pem')}`,
        )
      }
    })

    it('a key of a type hcert does not sign with (Ed25519) is ERR_KEYS', () => {
      const t = openToken(MODULE, TOKEN, PIN)
      const id = Buffer.from('0badc0de', 'hex')
      const common = [
        { type: t.p.CKA_TOKEN, value: true },
        { type: t.p.CKA_LABEL, value: 'odd-type' },
        { type: t.p.CKA_ID, value: id },
      ]
      // an Ed25519 pair (CKK_EC_EDWARDS): a key pair, but of neither type hcert signs with
      t.lib.C_GenerateKeyPair(
        t.session,
        { mechanism: 0x1055 /* CKM_EC_EDWARDS_KEY_PAIR_GEN */ },
        [
          ...common,
          { type: t.p.CKA_VERIFY, value: true },
          { type: t.p.CKA_EC_PARAMS, value: Buffer.from('130c656477617264733235353139', 'hex') },
        ],
        [...common, { type: t.p.CKA_PRIVATE, value: true }, { type: t.p.CKA_SIGN, value: true }],
      )
      const dir = withReference('odd-type', { keyLabel: 'odd-type', keyId: id.toString('hex') })
      const r = issueWith(dir)
      expect(r.code, r.stdout + r.stderr).toBe(2)
      expect(error(r).code).toBe('ERR_KEYS')
      expect(error(r).message).toContain(
        `the key labelled 'odd-type' in token '${TOKEN}' is neither an EC nor an RSA key`,
      )
    })

    it('a module that does not load: a missing file, or a library that is not PKCS#11', () => {
      for (const module of [join(tmp, 'missing.so'), '/bin/sh']) {
        const r = cli([
          'keys',
          'generate',
          '--pkcs11',
          module,
          '--token',
          TOKEN,
          '--out',
          join(tmp, 'never'),
          '--json',
        ])
        expect(r.code).toBe(2)
        expect(error(r).code).toBe('ERR_KEYS')
        expect(error(r).message).toContain(`the PKCS#11 module ${module} could not be loaded`)
      }
      const r = issueWith(withReference('bad-module', { module: join(tmp, 'missing.so') }))
      expect(error(r).code).toBe('ERR_KEYS')
    })

    it('a key label already in the token is never replaced', () => {
      const r = generate('ES256', 'dsc-ES256', join(tmp, 'again'))
      expect(r.code).toBe(2)
      expect(error(r).message).toContain(`already holds a key labelled 'dsc-ES256'`)
    })

    it('no run printed the PIN', () => {
      expect(outputs.length).toBeGreaterThan(10)
      for (const r of outputs) expect(r.stdout + r.stderr).not.toContain(PIN)
    })
  })
})

describe('a token signature that does not verify', () => {
  const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' })
  const publicKey = createPublicKey(privateKey)
  const data = Buffer.from('Sig_structure')
  const good = (): Uint8Array => sign('sha256', data, { key: privateKey, dsaEncoding: 'ieee-p1363' })
  const check = (s: Uint8Array): boolean =>
    verify('sha256', data, { key: publicKey, dsaEncoding: 'ieee-p1363' }, s)

  it('is reported and signed again; the good one is returned', () => {
    let calls = 0
    const reports: number[] = []
    const signature = verifiedSignature(
      () => {
        const s = good()
        if (calls++ === 0) s[10] = (s[10] as number) ^ 1 // the token's bad signature
        return s
      },
      check,
      (attempt) => reports.push(attempt),
    )
    expect(check(signature)).toBe(true)
    expect(reports).toEqual([1])
  })

  it(`after ${MAX_ATTEMPTS} bad ones, signing stops with ERR_KEYS and nothing is returned`, () => {
    expect(() =>
      verifiedSignature(
        () => {
          const s = good()
          s[0] = (s[0] as number) ^ 1
          return s
        },
        check,
        () => undefined,
      ),
    ).toThrow(expect.objectContaining({ code: 'ERR_KEYS' }))
  })
})
