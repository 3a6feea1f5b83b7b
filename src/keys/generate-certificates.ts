/**
 * A national issuer's certificates: a self-signed country signing CA (CSCA) and a document signer
 * (DSC) signed by it, with the DSC's Authority Key Identifier equal to the CSCA's Subject Key
 * Identifier and optional HCERT Extended Key Usage. X.509 encoding is @peculiar/x509's; keys are
 * node:crypto's so that the same KeyObject signs certificates and COSE messages.
 */
import { createPublicKey, generateKeyPairSync, randomBytes, webcrypto, type KeyObject } from 'node:crypto'
// @peculiar/x509 uses tsyringe, which needs the Reflect metadata polyfill loaded first
import 'reflect-metadata'
import * as x509 from '@peculiar/x509'
import type { SupportedAlg } from '../cose/algorithms.js'
import { ekuOidsFor } from '../dcc/key-usage.js'
import type { CertificateType } from '../dcc/types.js'
import { algFor } from './signer.js'

x509.cryptoProvider.set(webcrypto as never)

type CryptoKeyPair = webcrypto.CryptoKeyPair
type SigningAlgorithm = webcrypto.Algorithm | webcrypto.EcdsaParams

export interface KeyPair {
  privateKey: KeyObject
  publicKey: KeyObject
}

export function generateKeyPair(alg: SupportedAlg, rsaBits: 2048 | 3072 = 2048): KeyPair {
  if (alg === 'ES256') return generateKeyPairSync('ec', { namedCurve: 'P-256' })
  return generateKeyPairSync('rsa', { modulusLength: rsaBits, publicExponent: 0x10001 })
}

export function keyPairFrom(privateKey: KeyObject): KeyPair {
  return { privateKey, publicKey: createPublicKey(privateKey) }
}

/** WebCrypto views of node keys, for @peculiar/x509; certificates are signed with ECDSA-SHA256 or RSA PKCS#1 v1.5 SHA-256. */
async function toCryptoKeys(pair: KeyPair): Promise<CryptoKeyPair> {
  const algorithm =
    algFor(pair.privateKey) === 'ES256'
      ? { name: 'ECDSA', namedCurve: 'P-256' }
      : { name: 'RSASSA-PKCS1-v1_5', hash: 'SHA-256' }
  const subtle = webcrypto.subtle
  const privateKey = await subtle.importKey(
    'pkcs8',
    pair.privateKey.export({ type: 'pkcs8', format: 'der' }),
    algorithm,
    true,
    ['sign'],
  )
  const publicKey = await subtle.importKey(
    'spki',
    pair.publicKey.export({ type: 'spki', format: 'der' }),
    algorithm,
    true,
    ['verify'],
  )
  return { privateKey, publicKey } as CryptoKeyPair
}

/** The WebCrypto view of a public key alone: a DSC's key may live in a PKCS#11 token. */
async function toCryptoPublicKey(publicKey: KeyObject): Promise<webcrypto.CryptoKey> {
  const algorithm =
    algFor(publicKey) === 'ES256'
      ? { name: 'ECDSA', namedCurve: 'P-256' }
      : { name: 'RSASSA-PKCS1-v1_5', hash: 'SHA-256' }
  return webcrypto.subtle.importKey(
    'spki',
    publicKey.export({ type: 'spki', format: 'der' }),
    algorithm,
    true,
    ['verify'],
  )
}

function signingAlgorithm(pair: KeyPair): SigningAlgorithm {
  return algFor(pair.privateKey) === 'ES256'
    ? { name: 'ECDSA', hash: 'SHA-256' }
    : { name: 'RSASSA-PKCS1-v1_5' }
}

export interface Subject {
  country: string
  organisation: string
}

/**
 * The subject C, O, CN as typed attributes (RFC 5280 §4.1.2.4), never as an RFC 4514 string: no
 * character of the organisation (`#` `\` `,` `+` `=` `"` `<` `>` `;`, leading or trailing spaces) is
 * interpreted. Each value is a PrintableString when it fits that alphabet, else a UTF8String.
 */
function distinguishedName(subject: Subject, commonName: string): x509.Name {
  const text = (value: string): { printableString: string } | { utf8String: string } =>
    x509.Name.isPrintableString(value) ? { printableString: value } : { utf8String: value }
  return new x509.Name([
    { C: [text(subject.country)] },
    { O: [text(subject.organisation)] },
    { CN: [text(commonName)] },
  ])
}

/** RFC 5280 Appendix A, ub-common-name: a CN holds at most 64 characters */
export const MAX_COMMON_NAME = 64

/**
 * The CN of a certificate hcert makes: `<organisation> <role>` ("Example Ministry of Health DSC"),
 * the organisation cut at a whole character (grapheme) so that the CN fits RFC 5280's 64 characters
 * (an O of 61 to 64 characters gave a CN of up to 68, which strict X.509 parsers refuse). The O
 * attribute itself keeps the organisation whole.
 */
export function commonNameFor(organisation: string, role: 'CSCA' | 'DSC'): string {
  const room = MAX_COMMON_NAME - role.length - 1
  if ([...organisation].length <= room) return `${organisation} ${role}`
  let kept = ''
  for (const { segment } of new Intl.Segmenter(undefined, { granularity: 'grapheme' }).segment(
    organisation,
  )) {
    if ([...kept].length + [...segment].length > room) break
    kept += segment
  }
  return `${kept.trimEnd()} ${role}`
}

const serial = (): string => {
  const bytes = randomBytes(16)
  bytes[0] = (bytes[0] as number) & 0x7f // positive
  return bytes.toString('hex')
}

export interface CreateCscaOptions {
  keys: KeyPair
  subject: Subject
  notBefore: Date
  notAfter: Date
}

export async function createCscaCertificate(options: CreateCscaOptions): Promise<Uint8Array> {
  const keys = await toCryptoKeys(options.keys)
  const cert = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: serial(),
    name: distinguishedName(options.subject, commonNameFor(options.subject.organisation, 'CSCA')),
    notBefore: options.notBefore,
    notAfter: options.notAfter,
    signingAlgorithm: signingAlgorithm(options.keys),
    keys,
    extensions: [
      new x509.BasicConstraintsExtension(true, 0, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign, true),
      await x509.SubjectKeyIdentifierExtension.create(keys.publicKey),
    ],
  })
  return new Uint8Array(cert.rawData)
}

export interface CreateDscOptions {
  /** the DSC's public key (its private key may be on disk or in a token: it is not needed here) */
  keys: { publicKey: KeyObject }
  csca: { keys: KeyPair; certificate: Uint8Array }
  subject: Subject
  /** what the DSC may sign; empty means every type (no EKU extension) */
  usage: readonly CertificateType[]
  notBefore: Date
  notAfter: Date
  commonName?: string
}

export async function createDscCertificate(options: CreateDscOptions): Promise<Uint8Array> {
  const publicKey = await toCryptoPublicKey(options.keys.publicKey)
  const cscaKeys = await toCryptoKeys(options.csca.keys)
  const csca = new x509.X509Certificate(options.csca.certificate)
  const extensions: x509.Extension[] = [
    new x509.BasicConstraintsExtension(false, undefined, true),
    new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature, true),
    await x509.SubjectKeyIdentifierExtension.create(publicKey),
  ]
  const cscaSki = csca.getExtension(x509.SubjectKeyIdentifierExtension)
  extensions.push(
    cscaSki
      ? new x509.AuthorityKeyIdentifierExtension(cscaSki.keyId)
      : await x509.AuthorityKeyIdentifierExtension.create(cscaKeys.publicKey),
  )
  if (options.usage.length > 0)
    extensions.push(new x509.ExtendedKeyUsageExtension(ekuOidsFor(options.usage), false))
  const cert = await x509.X509CertificateGenerator.create({
    serialNumber: serial(),
    subject: distinguishedName(
      options.subject,
      options.commonName ?? commonNameFor(options.subject.organisation, 'DSC'),
    ),
    // the CSCA's subject as its DER bytes: re-parsing its text would read `#…` as hex, `\,` as a split
    issuer: new x509.Name(csca.subjectName.toArrayBuffer()),
    notBefore: options.notBefore,
    notAfter: options.notAfter,
    signingAlgorithm: signingAlgorithm(options.csca.keys),
    publicKey,
    signingKey: cscaKeys.privateKey,
    extensions,
  })
  return new Uint8Array(cert.rawData)
}
