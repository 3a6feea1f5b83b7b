import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { createSigner, type Signer } from '../../src/keys/signer.js'
import {
  createCscaCertificate,
  createDscCertificate,
  generateKeyPair,
  type KeyPair,
} from '../../src/keys/generate-certificates.js'
import { readPrivateKey } from '../../src/keys/signer.js'
import { fromPem } from '../../src/services/key-dir.js'
import type { CertificateType } from '../../src/dcc/types.js'
import type { SupportedAlg } from '../../src/cose/algorithms.js'

export const KEYS_EXAMPLE = join(import.meta.dirname, '..', '..', 'keys-example')

export function exampleSigner(alg: SupportedAlg = 'ES256'): Signer {
  const dir = alg === 'ES256' ? KEYS_EXAMPLE : join(KEYS_EXAMPLE, 'ps256')
  const certPath = join(dir, 'dsc.crt.pem')
  return createSigner(
    readPrivateKey(readFileSync(join(dir, 'dsc.key.pem')), 'dsc.key.pem'),
    fromPem(readFileSync(certPath, 'utf8'), certPath),
    certPath,
  )
}

export interface FreshKeys {
  signer: Signer
  dscDer: Uint8Array
  cscaDer: Uint8Array
  csca: KeyPair
}

/** A CSCA and a DSC made in memory for one test, valid from `notBefore` for `days`. */
export async function freshKeys(
  options: {
    alg?: SupportedAlg
    rsaBits?: 2048 | 3072
    usage?: CertificateType[]
    notBefore?: Date
    notAfter?: Date
  } = {},
): Promise<FreshKeys> {
  const alg = options.alg ?? 'ES256'
  const notBefore = options.notBefore ?? new Date('2021-01-01T00:00:00Z')
  const notAfter = options.notAfter ?? new Date('2031-01-01T00:00:00Z')
  const subject = { country: 'VN', organisation: 'Test' }
  const csca = generateKeyPair(alg, options.rsaBits)
  const cscaDer = await createCscaCertificate({
    keys: csca,
    subject,
    notBefore: new Date('2020-01-01T00:00:00Z'),
    notAfter: new Date('2040-01-01T00:00:00Z'),
  })
  const dsc = generateKeyPair(alg, options.rsaBits)
  const dscDer = await createDscCertificate({
    keys: dsc,
    csca: { keys: csca, certificate: cscaDer },
    subject,
    usage: options.usage ?? [],
    notBefore,
    notAfter,
  })
  return { signer: createSigner(dsc.privateKey, dscDer, 'test DSC'), dscDer, cscaDer, csca }
}
