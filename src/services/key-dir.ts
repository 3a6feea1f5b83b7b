/**
 * A key directory, as `hcert keys generate` writes it and `hcert issue` reads it:
 *   csca.key.pem  csca.crt.pem   the country signing CA (the key only where it was generated)
 *   dsc.key.pem   dsc.crt.pem    the document signer
 *   dsc.pkcs11.json              instead of dsc.key.pem, when the DSC key lives in a PKCS#11 token
 *   trust-list.json              every DSC issued into this folder, for verifiers
 * Private keys are PKCS#8 PEM, mode 0600, AES-256 encrypted when a passphrase is given.
 */
import { closeSync, constants, existsSync, fchmodSync, fstatSync, openSync, statSync } from 'node:fs'
import { join } from 'node:path'
import type { KeyObject } from 'node:crypto'
import { DccError } from '../errors.js'
import { refuseLinksAlong } from '../fs/links-along.js'
import { makeDirectories } from '../fs/make-directories.js'
import { MAX_KEY_TRUST_LIST_BYTES, readKeyInputFile } from '../keys/read-key-file.js'
import { writeFileAtomic } from '../fs/atomic-file.js'
import { writeError } from '../fs/write-error.js'
import { certificateInfo, type CertificateInfo } from '../keys/certificate-info.js'
import { readKeyReference, type KeyReference } from '../keys/pkcs11/key-reference.js'
import { createTokenSigner } from '../keys/pkcs11/token-signer.js'
import { certificateOnlySigner, createSigner, readPrivateKey, type Signer } from '../keys/signer.js'
import { parseTrustedCertificate } from '../trust/trusted-certificate.js'

export const KEY_FILES = {
  cscaKey: 'csca.key.pem',
  cscaCert: 'csca.crt.pem',
  dscKey: 'dsc.key.pem',
  dscCert: 'dsc.crt.pem',
  /** the DSC key's reference in a PKCS#11 token (keys/pkcs11/key-reference.ts) */
  dscKeyRef: 'dsc.pkcs11.json',
  trustList: 'trust-list.json',
} as const

export const PASSPHRASE_ENV = 'HCERT_KEY_PASSPHRASE'
/** the user PIN of a PKCS#11 token; never a flag (argv shows in `ps`) */
export const PIN_ENV = 'HCERT_PKCS11_PIN'

export function toPem(der: Uint8Array, label: string): string {
  const body = Buffer.from(der)
    .toString('base64')
    .replace(/(.{64})/g, '$1\n')
    .trimEnd()
  return `-----BEGIN ${label}-----\n${body}\n-----END ${label}-----\n`
}

export function fromPem(text: string, origin: string): Uint8Array {
  const m = /-----BEGIN CERTIFICATE-----([\s\S]*?)-----END CERTIFICATE-----/.exec(text)
  if (!m && /-----BEGIN [A-Z ]*PRIVATE KEY-----/.test(text))
    throw new DccError(
      'ERR_KEYS',
      `keys: ${origin} holds a private key, not a certificate; give its certificate${origin.endsWith('.key.pem') ? ` (${origin.slice(0, -'.key.pem'.length)}.crt.pem)` : ' (the .crt.pem beside it)'} or the key folder`,
    )
  if (!m) throw new DccError('ERR_KEYS', `keys: ${origin} holds no PEM certificate`)
  return new Uint8Array(Buffer.from(m[1] ?? '', 'base64'))
}

export function privateKeyPem(key: KeyObject, passphrase: string | undefined): string {
  return key.export({
    type: 'pkcs8',
    format: 'pem',
    ...(passphrase ? { cipher: 'aes-256-cbc', passphrase } : {}),
  }) as string
}

/** the mode of a private key file (and a key reference): the owner's alone, from the first byte */
export const PRIVATE_KEY_MODE = 0o600
/** the mode of a certificate or trust list: public */
export const PUBLIC_FILE_MODE = 0o644

/**
 * One file written alone, with mode 0600 from the first byte (never world-readable, even for an
 * instant), under a temporary name then renamed into place: a symbolic link planted at the path is
 * replaced, never written through. The files of a key set are written together (fs/file-set.ts).
 */
export function writePrivateFile(path: string, content: string): void {
  writeFileAtomic(path, content, { mode: PRIVATE_KEY_MODE })
}

/** A certificate or trust list: public, 0644, written as writePrivateFile is. */
export function writePublicFile(path: string, content: string): void {
  writeFileAtomic(path, content, { mode: PUBLIC_FILE_MODE })
}

/**
 * A certificate of a key folder (or one given to `keys show`) parsed: as parseTrustedCertificate,
 * but a file that is no X.509 certificate is ERR_KEYS ("keys: …"), as every key and certificate file
 * is, not ERR_TRUST (which is for trust lists).
 */
export function keyFolderCertificate(
  der: Uint8Array,
  origin: string,
): ReturnType<typeof parseTrustedCertificate> {
  try {
    return parseTrustedCertificate(der, origin)
  } catch (err) {
    if (err instanceof DccError && err.code === 'ERR_TRUST')
      throw new DccError('ERR_KEYS', err.message.replace(/^trust: /, 'keys: '), { cause: err })
    throw err
  }
}

export function readCertificateFile(path: string): Uint8Array {
  const bytes = readKeyInputFile(path)
  const text = bytes.toString('utf8')
  return text.includes('-----BEGIN') ? fromPem(text, path) : new Uint8Array(bytes)
}

export function readKeyFile(path: string, passphrase: string | undefined): KeyObject {
  return readPrivateKey(readKeyInputFile(path), path, passphrase)
}

export function isKeyEncrypted(path: string): boolean {
  return existsSync(path) && readKeyInputFile(path).toString('utf8').includes('ENCRYPTED')
}

/** The reference to the DSC key in a PKCS#11 token, when the folder holds one; ERR_KEYS when dsc.key.pem is there too. */
export function keyReferenceIn(dir: string): KeyReference | undefined {
  const reference = readKeyReference(join(dir, KEY_FILES.dscKeyRef))
  // neither wins: signing with the other key than the one meant would go unnoticed
  if (reference && existsSync(join(dir, KEY_FILES.dscKey)))
    throw new DccError(
      'ERR_KEYS',
      `keys: ${dir} is ambiguous: it holds both ${KEY_FILES.dscKey} (a key on disk) and ${KEY_FILES.dscKeyRef} (a key in a PKCS#11 token); move the one not meant aside`,
    )
  return reference
}

/**
 * The folder's document signer: its key from dsc.key.pem (with `passphrase` when encrypted), or from
 * the PKCS#11 token dsc.pkcs11.json names (with `pin`, on a session of this thread's own).
 */
export function loadSigner(
  dir: string,
  passphrase: string | undefined,
  pin?: string,
  options: { pinTyped?: boolean } = {},
): Signer {
  const certPath = join(dir, KEY_FILES.dscCert)
  const der = readCertificateFile(certPath)
  const reference = keyReferenceIn(dir)
  if (reference) {
    if (pin === undefined)
      throw new DccError(
        'ERR_KEYS',
        `keys: the DSC key of ${dir} is in PKCS#11 token '${reference.token}'; give its PIN in ${PIN_ENV} (or at the prompt)`,
      )
    return createTokenSigner(reference, pin, der, certPath, options)
  }
  return createSigner(readKeyFile(join(dir, KEY_FILES.dscKey), passphrase), der, certPath)
}

/**
 * The folder's DSC for a dry run: its certificate only (see certificateOnlySigner); the key, in a
 * file or a token, is not read, so no passphrase or PIN is needed.
 */
export function loadDryRunSigner(dir: string): Signer {
  const certPath = join(dir, KEY_FILES.dscCert)
  const reference = keyReferenceIn(dir)
  return certificateOnlySigner(
    readCertificateFile(certPath),
    certPath,
    reference
      ? {
          kind: 'pkcs11',
          module: reference.module,
          token: reference.token,
          keyLabel: reference.keyLabel,
          keyId: reference.keyId,
        }
      : { kind: 'file' },
  )
}

export interface TrustListFile {
  certificates: Array<CertificateInfo & { certificateType: 'DSC'; rawData: string; thumbprint: string }>
}

/**
 * The folder's trust list as hcert wrote it, or an empty one when there is none. Throws ERR_KEYS,
 * without quoting the file, when it is not JSON or holds no `certificates` array of objects.
 */
export function readTrustListFile(dir: string): TrustListFile {
  const path = join(dir, KEY_FILES.trustList)
  if (!existsSync(path)) return { certificates: [] }
  let list: unknown
  try {
    list = JSON.parse(readKeyInputFile(path, MAX_KEY_TRUST_LIST_BYTES).toString('utf8'))
  } catch (cause) {
    if (cause instanceof DccError) throw cause
    list = undefined
  }
  const certificates = (list as { certificates?: unknown } | undefined)?.certificates
  if (!Array.isArray(certificates) || !certificates.every((c) => typeof c === 'object' && c !== null))
    throw new DccError(
      'ERR_KEYS',
      `keys: ${path} is not a trust list hcert wrote (JSON with a "certificates" array); move it aside and run again`,
    )
  return list as TrustListFile
}

/**
 * The folder's trust list with a DSC added, keeping the DSCs already there (old certificates must
 * still verify), as the text of trust-list.json: written by the caller (with the rest of a key set).
 */
export function trustListWith(dir: string, der: Uint8Array): string {
  const list = readTrustListFile(dir)
  const info = certificateInfo(parseTrustedCertificate(der, 'the new DSC'))
  list.certificates = list.certificates.filter((c) => c.thumbprint !== info.sha256)
  list.certificates.push({
    certificateType: 'DSC',
    ...info,
    thumbprint: info.sha256,
    rawData: Buffer.from(der).toString('base64'),
  })
  return `${JSON.stringify(list, null, 2)}\n`
}

/** Adds a DSC to the folder's trust list (trustListWith) and writes it alone. */
export function addToTrustList(dir: string, der: Uint8Array): void {
  writePublicFile(join(dir, KEY_FILES.trustList), trustListWith(dir, der))
}

/**
 * A key folder that existed before and others may list or enter (group or other mode bits), when
 * hcert is about to put private keys in it: closed to 0700 when it is the user's own folder (opened
 * without following a symbolic link, and changed through that handle); left as it is when another
 * user owns it, since it may be shared on purpose. The key files are 0600 either way. A symbolic
 * link there is refused (ERR_USAGE, as generateKeys refused one before: planted since). Returns the
 * warning to show, or undefined when the folder was closed already.
 */
export function closeKeyFolder(dir: string): string | undefined {
  const octal = (mode: number): string => `0${(mode & 0o777).toString(8)}`
  let fd: number
  try {
    fd = openSync(dir, constants.O_RDONLY | constants.O_DIRECTORY | constants.O_NOFOLLOW)
  } catch (cause) {
    refuseLinksAlong('--out', dir, true) // ELOOP: a link planted since the first look
    throw writeError(dir, cause)
  }
  try {
    const stat = fstatSync(fd)
    if ((stat.mode & 0o077) === 0) return undefined
    if (stat.uid !== process.getuid?.())
      return `--out: ${dir} is mode ${octal(stat.mode)} (others can list it) and not your folder, so it was not changed: its private key files are 0600, but make the folder 0700 unless it is shared on purpose`
    fchmodSync(fd, 0o700)
    return `--out: ${dir} was mode ${octal(stat.mode)} (others could list it); hcert changed it to 0700, as it now holds private keys`
  } finally {
    closeSync(fd)
  }
}

/** The key directory, created 0700 when it does not exist; a file at its path is refused. */
export function ensureDir(dir: string): void {
  const stat = statSync(dir, { throwIfNoEntry: false })
  if (stat?.isDirectory()) return
  if (stat) throw new DccError('ERR_KEYS', `keys: ${dir} is not a folder`)
  try {
    makeDirectories(dir, 0o700)
  } catch (cause) {
    throw writeError(dir, cause)
  }
}
