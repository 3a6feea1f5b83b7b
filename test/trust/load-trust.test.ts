import { webcrypto } from 'node:crypto'
import { copyFileSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import 'reflect-metadata'
import * as x509 from '@peculiar/x509'
import { describe, expect, it } from 'vitest'
import { DccError } from '../../src/errors.js'
import { loadTrustList } from '../../src/services/load-trust.js'
import { certificateExtensions } from '../../src/trust/certificate-extensions.js'
import { KEYS_EXAMPLE } from '../helpers/keys.js'
import { vector } from '../helpers/vectors.js'

x509.cryptoProvider.set(webcrypto as never)
const tmp = mkdtempSync(join(tmpdir(), 'hcert-trust-'))
const LV_CSCA = vector('LV/2DCode/raw/1.json').TESTCTX?.CERTIFICATE as string
const DSC_PEM = readFileSync(join(KEYS_EXAMPLE, 'dsc.crt.pem'), 'utf8')
const DSC_BASE64 = DSC_PEM.replace(/-----[A-Z ]+-----|\s/g, '')

function write(name: string, content: string): string {
  const path = join(tmp, name)
  writeFileSync(path, content)
  return path
}

function trustError(paths: string[]): DccError {
  try {
    loadTrustList(paths)
  } catch (err) {
    if (err instanceof DccError) return err
    throw err
  }
  throw new Error('loadTrustList did not throw')
}

/** A self-signed ES256 DSC; `critical` adds a private extension marked critical. */
async function dscWith(critical: string | undefined): Promise<string> {
  const alg = { name: 'ECDSA', namedCurve: 'P-256', hash: 'SHA-256' }
  const keys = (await webcrypto.subtle.generateKey(alg, true, ['sign', 'verify'])) as webcrypto.CryptoKeyPair
  const extensions: x509.Extension[] = [
    new x509.BasicConstraintsExtension(false, undefined, true),
    new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature, true),
  ]
  if (critical) extensions.push(new x509.Extension(critical, true, new Uint8Array([0x05, 0x00])))
  const cert = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: '01',
    name: 'C=XX, O=Test, CN=Test DSC',
    notBefore: new Date('2021-01-01T00:00:00Z'),
    notAfter: new Date('2031-01-01T00:00:00Z'),
    signingAlgorithm: alg,
    keys,
    extensions,
  })
  return Buffer.from(cert.rawData).toString('base64')
}

describe('trust: which certificates sign', () => {
  it('a certificate marked CA:TRUE given alone is a signer, its flag kept for the warning', () => {
    const trust = loadTrustList([write('lv.json', JSON.stringify([{ rawData: LV_CSCA }]))])
    expect(trust.size).toBe(1)
    expect(trust.all()[0]).toMatchObject({ ca: true, country: 'LV' })
    expect(trust.warnings).toEqual([])
  })

  it('a source holding CA and non-CA certificates signs with the non-CA ones only (a key directory)', () => {
    const trust = loadTrustList([KEYS_EXAMPLE])
    expect(trust.size).toBeGreaterThan(0)
    expect(trust.all().every((c) => !c.ca)).toBe(true)
    const mixed = loadTrustList([
      write('mixed.json', JSON.stringify([{ rawData: LV_CSCA }, { rawData: DSC_BASE64 }])),
    ])
    expect(mixed.all().map((c) => c.country)).toEqual(['VN'])
  })

  it('each source is judged alone: a CSCA file next to a DSC file both sign', () => {
    const dir = mkdtempSync(join(tmpdir(), 'hcert-trust-dir-'))
    copyFileSync(join(KEYS_EXAMPLE, 'csca.crt.pem'), join(dir, 'csca.pem'))
    expect(loadTrustList([join(dir, 'csca.pem'), join(KEYS_EXAMPLE, 'dsc.crt.pem')]).size).toBe(2)
  })
})

describe('trust: malformed entries', () => {
  it('passes over each malformed entry with a warning naming its index, and loads the rest', () => {
    const list = [
      null,
      1,
      'a',
      [],
      {},
      { rawData: 5 },
      { rawData: 'AAAA' },
      { rawData: DSC_BASE64, kid: 7 },
      { rawData: DSC_BASE64 },
    ]
    const trust = loadTrustList([write('partly.json', JSON.stringify(list))])
    expect(trust.size).toBe(1)
    expect(trust.warnings).toHaveLength(8)
    expect(trust.warnings[0]).toMatch(/entry at index 0: is null, not an object with rawData; passed over$/)
    expect(trust.warnings[1]).toMatch(/entry at index 1: is a number/)
    expect(trust.warnings[2]).toMatch(/entry at index 2: is a string/)
    expect(trust.warnings[3]).toMatch(/entry at index 3: is a list/)
    expect(trust.warnings[4]).toMatch(/entry at index 4: has no rawData/)
    expect(trust.warnings[5]).toMatch(/entry at index 5: has no rawData/)
    expect(trust.warnings[6]).toMatch(/entry at index 6: is not an X.509 certificate/)
    expect(trust.warnings[7]).toMatch(/entry at index 7: has a kid that is not a string/)
  })

  it.each([
    ['[null, 1, "a"]', /none of its 3 entries loads\): .* entry at index 0: is null/],
    ['[]', /gives no usable certificate: it holds no document signer certificate/],
    ['{"x": 1}', /is neither a list of certificates nor/],
    ['{"certificates": 5}', /is neither a list of certificates nor/],
  ])('a list from which nothing loads (%s) is ERR_TRUST, not a crash', (json, message) => {
    const err = trustError([write('bad.json', json)])
    expect(err.code).toBe('ERR_TRUST')
    expect(err.message).toMatch(message)
  })
})

describe('trust: critical extensions (RFC 5280 §4.2)', () => {
  it('reads which extensions are critical', () => {
    expect(certificateExtensions(Buffer.from(LV_CSCA, 'base64'))).toEqual([
      { oid: '2.5.29.19', critical: true },
      { oid: '2.5.29.15', critical: true },
      { oid: '2.5.29.14', critical: false },
    ])
  })

  it('refuses a DSC with a critical extension it does not recognise; alone, that is ERR_TRUST', async () => {
    const odd = await dscWith('1.3.6.1.4.1.99999.1')
    const err = trustError([write('odd.json', JSON.stringify([{ rawData: odd }]))])
    expect(err.code).toBe('ERR_TRUST')
    expect(err.message).toMatch(
      /critical extension this tool does not recognise \(1\.3\.6\.1\.4\.1\.99999\.1\), so it is refused \(RFC 5280 §4\.2\)/,
    )
    const trust = loadTrustList([
      write('odd-and-good.json', JSON.stringify([{ rawData: odd }, { rawData: DSC_BASE64 }])),
    ])
    expect(trust.size).toBe(1)
    expect(trust.warnings[0]).toMatch(
      /entry at index 0: the certificate has a critical extension .*; passed over$/,
    )
  })

  it('accepts the same DSC without it, and critical extensions it recognises', async () => {
    const trust = loadTrustList([
      write('plain.json', JSON.stringify([{ rawData: await dscWith(undefined) }])),
    ])
    expect(trust.size).toBe(1)
    expect(trust.all()[0]?.unknownCritical).toEqual([])
  })
})

describe('a key directory of a token key as trust', () => {
  it('passes over dsc.pkcs11.json (the key reference) as it passes over dsc.key.pem', () => {
    const dir = mkdtempSync(join(tmp, 'token-keys-'))
    copyFileSync(join(KEYS_EXAMPLE, 'dsc.crt.pem'), join(dir, 'dsc.crt.pem'))
    writeFileSync(
      join(dir, 'dsc.pkcs11.json'),
      JSON.stringify({ module: '/usr/lib/softhsm/libsofthsm2.so', token: 'hcert', label: 'dsc', id: '01' }),
    )
    const list = loadTrustList([dir])
    expect(list.size).toBe(1)
  })
})
