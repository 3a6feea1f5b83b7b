/**
 * A signing organisation typed in decomposed Unicode (NFD) ends up in NFC: `keys generate --org`
 * stores it in NFC, and issue normalises the issuer it takes from a DSC of older keys, since every
 * string of a DCC payload is put in NFC.
 */
import { X509Certificate } from 'node:crypto'
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { verifyHc1 } from '../../src/hcert/verify-hc1.js'
import {
  createCscaCertificate,
  createDscCertificate,
  generateKeyPair,
} from '../../src/keys/generate-certificates.js'
import { TrustList } from '../../src/trust/trust-list.js'
import { parseTrustedCertificate } from '../../src/trust/trusted-certificate.js'
import { runCli } from '../helpers/cli.js'

const tmp = mkdtempSync(join(tmpdir(), 'hcert-org-nfc-'))
const NFC = 'Bộ Y tế'
const NFD = NFC.normalize('NFD')
const pem = (label: string, der: Uint8Array): string =>
  `-----BEGIN ${label}-----\n${Buffer.from(der).toString('base64').replace(/.{64}/g, '$&\n')}\n-----END ${label}-----\n`
const organisation = (file: string): unknown =>
  (new X509Certificate(readFileSync(file)).toLegacyObject().subject as unknown as Record<string, unknown>).O

describe('a signing organisation in NFD', () => {
  it('keys generate --org stores it in NFC', () => {
    expect(NFD).not.toBe(NFC)
    const out = join(tmp, 'generated')
    const result = runCli(['keys', 'generate', '--org', NFD, '--valid-from', '2021-01-01', '--out', out])
    expect(result.code, result.stderr).toBe(0)
    expect(organisation(join(out, 'dsc.crt.pem'))).toBe(NFC)
    expect(organisation(join(out, 'csca.crt.pem'))).toBe(NFC)
  })

  it('issue puts the issuer of an older DSC (O in NFD) in the payload in NFC', async () => {
    const keys = join(tmp, 'older')
    mkdirSync(keys, { mode: 0o700 })
    const subject = { country: 'VN', organisation: NFD }
    const notBefore = new Date('2021-01-01T00:00:00Z')
    const notAfter = new Date('2031-01-01T00:00:00Z')
    const csca = generateKeyPair('ES256')
    const cscaDer = await createCscaCertificate({ keys: csca, subject, notBefore, notAfter })
    const dsc = generateKeyPair('ES256')
    const dscDer = await createDscCertificate({
      keys: dsc,
      csca: { keys: csca, certificate: cscaDer },
      subject,
      usage: [],
      notBefore,
      notAfter,
    })
    writeFileSync(join(keys, 'csca.crt.pem'), pem('CERTIFICATE', cscaDer))
    writeFileSync(join(keys, 'dsc.crt.pem'), pem('CERTIFICATE', dscDer))
    writeFileSync(join(keys, 'dsc.key.pem'), dsc.privateKey.export({ type: 'pkcs8', format: 'pem' }))
    chmodSync(join(keys, 'dsc.key.pem'), 0o600)
    expect(organisation(join(keys, 'dsc.crt.pem'))).toBe(NFD)
    const input = join(tmp, 'e.csv')
    writeFileSync(
      input,
      'id,type,fn,gn,dob,vaccine,dose,doses,date\nE1,v,Do,Hai,1977-07-07,Comirnaty,1,2,2021-05-20\n',
    )
    const out = join(tmp, 'e.jsonl')
    const issued = runCli([
      'issue',
      input,
      '--key-dir',
      keys,
      '--ledger',
      join(tmp, 'l.sqlite'),
      '--at',
      '2021-06-01',
      '--out',
      out,
    ])
    expect(issued.code, issued.stderr).toBe(0)
    const { hc1 } = JSON.parse(readFileSync(out, 'utf8').trim()) as { hc1: string }
    const result = verifyHc1(hc1, {
      trust: new TrustList([parseTrustedCertificate(dscDer, 'the DSC')]),
      now: new Date('2021-06-02'),
    })
    const entry = (result.payload?.v as Array<Record<string, unknown>>)[0]
    expect(entry?.is).toBe(NFC)
  })
})
