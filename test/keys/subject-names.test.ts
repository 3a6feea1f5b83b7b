/**
 * The subject of the certificates `keys generate` makes is built from typed attributes, never from
 * an RFC 4514 string: every character of the organisation is kept as typed (a leading `#` was read
 * as hex and crashed; a trailing `\` swallowed the CN into the O).
 */
import { X509Certificate } from 'node:crypto'
import { describe, expect, it } from 'vitest'
import { organisationOf } from '../../src/keys/certificate-info.js'
import {
  createCscaCertificate,
  createDscCertificate,
  generateKeyPair,
} from '../../src/keys/generate-certificates.js'

const ORGANISATIONS = [
  '#MoH',
  '#',
  '#abcd',
  'a\\',
  '\\',
  'a,b',
  'a+b',
  'a=b',
  '"MoH"',
  '<MoH>',
  'a;b',
  ' leading',
  'trailing ',
  'Bộ Y tế #1 \\, CN=x',
]

const attributes = (der: Uint8Array, which: 'subject' | 'issuer'): Record<string, unknown> =>
  new X509Certificate(der).toLegacyObject()[which] as unknown as Record<string, unknown>

describe('certificate subjects keep --org exactly as typed', () => {
  const notBefore = new Date('2021-01-01')
  const notAfter = new Date('2031-01-01')
  const cscaKeys = generateKeyPair('ES256')
  const dscKeys = generateKeyPair('ES256')

  for (const organisation of ORGANISATIONS) {
    it(`O and CN of the CSCA and the DSC, and the DSC's issuer, for ${JSON.stringify(organisation)}`, async () => {
      const subject = { country: 'VN', organisation }
      const csca = await createCscaCertificate({ keys: cscaKeys, subject, notBefore, notAfter })
      const dsc = await createDscCertificate({
        keys: dscKeys,
        csca: { keys: cscaKeys, certificate: csca },
        subject,
        usage: [],
        notBefore,
        notAfter,
      })
      for (const der of [csca, dsc]) expect(organisationOf(der)).toBe(organisation)
      expect(attributes(csca, 'subject')).toEqual({ C: 'VN', O: organisation, CN: `${organisation} CSCA` })
      expect(attributes(dsc, 'subject')).toEqual({ C: 'VN', O: organisation, CN: `${organisation} DSC` })
      expect(attributes(dsc, 'issuer')).toEqual(attributes(csca, 'subject'))
      expect(new X509Certificate(dsc).checkIssued(new X509Certificate(csca))).toBe(true)
    })
  }
})
