/** `hcert keys generate`: a CSCA (new or reused) and a DSC signed by it, written to a key directory. */
import { lstatSync, rmSync, statSync } from 'node:fs'
import { refuseLinksAlong } from '../fs/links-along.js'
import { tryLock } from '../fs/lock-file.js'
import { writeError } from '../fs/write-error.js'
import { writeFileSet, type SetFile } from '../fs/file-set.js'
import { keepFromCleanup } from '../fs/atomic-file.js'
import { join } from 'node:path'
import type { SupportedAlg } from '../cose/algorithms.js'
import type { CertificateType } from '../dcc/types.js'
import { countryFlag } from '../dcc/country.js'
import { DccError } from '../errors.js'
import { certificateInfo, organisationOf, type CertificateInfo } from '../keys/certificate-info.js'
import {
  createCscaCertificate,
  createDscCertificate,
  generateKeyPair,
  keyPairFrom,
  type KeyPair,
} from '../keys/generate-certificates.js'
import { keyReferenceJson, type KeyReference } from '../keys/pkcs11/key-reference.js'
import { openToken } from '../keys/pkcs11/token.js'
import { generateTokenKey } from '../keys/pkcs11/token-key.js'
import { readKeyInputFile } from '../keys/read-key-file.js'
import { algFor, readPrivateKey, type KeyLocation } from '../keys/signer.js'
import { forbiddenCharacter } from '../issue/clean-text.js'
import { addDuration, type Duration } from '../time/duration.js'
import { parseTrustedCertificate } from '../trust/trusted-certificate.js'
import {
  readTrustListFile,
  closeKeyFolder,
  ensureDir,
  KEY_FILES,
  keyFolderCertificate,
  privateKeyPem,
  readCertificateFile,
  readKeyFile,
  toPem,
  PRIVATE_KEY_MODE,
  PUBLIC_FILE_MODE,
  trustListWith,
} from './key-dir.js'

export interface GenerateKeysOptions {
  out: string
  alg: SupportedAlg
  rsaBits: 2048 | 3072
  usage: CertificateType[]
  /** C of the subjects; default the reused CSCA's (`cscaDir`), else DEFAULT_COUNTRY */
  country?: string
  /** O of the subjects; default the reused CSCA's (`cscaDir`), else DEFAULT_ORGANISATION */
  organisation?: string
  cscaValidity: Duration
  dscValidity: Duration
  now: Date
  /** reuse the CSCA in this key directory instead of creating one */
  cscaDir?: string
  /** import this private key (PEM or DER) as the DSC key instead of generating one */
  dscKeyFile?: string
  passphrase?: string
  /** generate the DSC key pair inside this PKCS#11 token instead of on disk */
  pkcs11?: { module: string; token: string; keyLabel?: string; pin: string; pinTyped?: boolean }
  force: boolean
}

export interface GenerateKeysResult {
  out: string
  csca: CertificateInfo
  dsc: CertificateInfo
  encrypted: boolean
  /** where the DSC private key lives: dsc.key.pem, or a PKCS#11 token (dsc.pkcs11.json refers to it) */
  dscKey: KeyLocation & { file: string }
  files: string[]
  warnings: string[]
}

/** X.509's upper bound for an organisation name (RFC 5280 Appendix A, ub-organization-name) */
export const MAX_ORGANISATION_LENGTH = 64

/**
 * `--org` as the certificates will hold it: 1 to 64 characters (code points), none of them a control
 * character (a line break made an empty O= and CN=). ERR_USAGE otherwise; the value is not quoted.
 */
export function checkOrganisation(organisation: string): void {
  const length = [...organisation].length
  if (organisation.trim() === '')
    throw new DccError('ERR_USAGE', '--org must name the organisation (it is empty)')
  if (length > MAX_ORGANISATION_LENGTH)
    throw new DccError(
      'ERR_USAGE',
      `--org is ${length} characters long; X.509 allows at most ${MAX_ORGANISATION_LENGTH} for an organisation name`,
    )
  const problem = forbiddenCharacter(organisation)
  if (problem)
    throw new DccError(
      'ERR_USAGE',
      `--org must not contain control characters (line breaks, tabs…), bidirectional controls or invisible characters: it ${problem}`,
    )
}

export const DEFAULT_COUNTRY = 'VN'
export const DEFAULT_ORGANISATION = 'Example Ministry of Health'

/**
 * The subject of the new certificates: the flags, else, when a DSC is rolled under an existing
 * CSCA, that CSCA's country and organisation (a DSC's C must be its CSCA's: HCERT §5, the
 * verifier matches them), else the defaults.
 */
function subjectOf(
  options: GenerateKeysOptions,
  cscaDer: Uint8Array | undefined,
): { country: string; organisation: string } {
  const csca = cscaDer ? keyFolderCertificate(cscaDer, 'the CSCA certificate') : undefined
  return {
    country: options.country ?? csca?.country ?? DEFAULT_COUNTRY,
    organisation:
      options.organisation ??
      (cscaDer ? organisationOf(cscaDer)?.normalize('NFC') : undefined) ??
      DEFAULT_ORGANISATION,
  }
}

/** The assigned ISO 3166-1 alpha-2 code (upper-cased); ERR_USAGE, never quoting the value, otherwise. */
function checkCountry(country: string): string {
  return countryFlag(country)
}

/** ERR_USAGE when --out names a file (or a path through one): the keys go into a folder. */
function refuseNonFolder(out: string): void {
  let stat: ReturnType<typeof statSync> | undefined
  try {
    stat = statSync(out, { throwIfNoEntry: false })
  } catch (cause) {
    if ((cause as NodeJS.ErrnoException).code === 'ENOTDIR')
      throw new DccError(
        'ERR_USAGE',
        `--out: part of the path ${out} is a file, not a folder; give a folder for the keys (it is created if it does not exist)`,
        { cause },
      )
    return // EACCES and the like: said where the folder is used
  }
  if (stat && !stat.isDirectory())
    throw new DccError(
      'ERR_USAGE',
      `--out: ${out} is a file, not a folder; give a folder for the keys (it is created if it does not exist)`,
    )
}

export async function generateKeys(given: GenerateKeysOptions): Promise<GenerateKeysResult> {
  // --org in NFC: the DSC's O becomes the `is` of every payload, whose strings are NFC
  const normalised =
    given.organisation === undefined ? given : { ...given, organisation: given.organisation.normalize('NFC') }
  const options =
    normalised.country === undefined
      ? normalised
      : { ...normalised, country: checkCountry(normalised.country) }
  if (options.organisation !== undefined) checkOrganisation(options.organisation)
  const out = options.out
  refuseNonFolder(out)
  // private keys are never written through a link, at the folder or on its way
  refuseLinksAlong('--out', out, true)
  const reuseCsca = options.cscaDir !== undefined
  const writes = [
    KEY_FILES.dscKey,
    KEY_FILES.dscKeyRef,
    KEY_FILES.dscCert,
    ...(reuseCsca ? [] : [KEY_FILES.cscaKey, KEY_FILES.cscaCert]),
  ]
  refuseExisting(out, writes, options.force)
  // what the folder holds now: another run that writes it before this one does (--force lets it
  // past refuseExisting) is seen under the lock, and this run is refused rather than replace its keys
  const seen = keyFolderState(out, writes)
  // an existing trust list must be one hcert can extend: checked before any key file is written
  readTrustListFile(out)
  // X.509 writes dates up to 9999-12-31 (RFC 5280 §4.1.2.5); beyond, or before 1950, is a typing mistake
  for (const [flag, date] of [
    ['--valid-from', options.now],
    ['--valid-from with --csca-validity', addDuration(options.now, options.cscaValidity)],
    ['--valid-from with --dsc-validity', addDuration(options.now, options.dscValidity)],
  ] as const) {
    const year = date.getUTCFullYear()
    if (!Number.isFinite(date.getTime()) || year < 1950 || year > 9999)
      throw new DccError(
        'ERR_USAGE',
        `${flag}: the certificates would be valid ${Number.isFinite(date.getTime()) ? `in ${year}` : 'at a time no date holds'}; X.509 certificates take dates from 1950 to 9999`,
      )
  }
  const warnings: string[] = []

  let csca: { keys: KeyPair; certificate: Uint8Array }
  let subject: { country: string; organisation: string }
  if (options.cscaDir) {
    csca = {
      keys: keyPairFrom(readKeyFile(join(options.cscaDir, KEY_FILES.cscaKey), options.passphrase)),
      certificate: readCertificateFile(join(options.cscaDir, KEY_FILES.cscaCert)),
    }
    subject = subjectOf(options, csca.certificate)
    // what a CSCA made elsewhere holds is checked as a flag would be
    checkCountry(subject.country)
    checkOrganisation(subject.organisation)
  } else {
    subject = subjectOf(options, undefined)
    const keys = generateKeyPair(options.alg, options.rsaBits)
    const certificate = await createCscaCertificate({
      keys,
      subject,
      notBefore: options.now,
      notAfter: addDuration(options.now, options.cscaValidity),
    })
    csca = { keys, certificate }
  }
  const cscaInfo = certificateInfo(keyFolderCertificate(csca.certificate, 'the CSCA certificate'))
  const cscaNotAfter = new Date(cscaInfo.notAfter)
  if (cscaNotAfter <= options.now)
    throw new DccError('ERR_KEYS', `keys: the CSCA expired on ${cscaInfo.notAfter}; it cannot sign a new DSC`)

  let dscKeys: { privateKey?: KeyPair['privateKey']; publicKey: KeyPair['publicKey'] }
  let reference: KeyReference | undefined
  if (options.pkcs11) {
    const { module, token, pin } = options.pkcs11
    const keyLabel =
      options.pkcs11.keyLabel ?? `hcert-dsc-${new Date().toISOString().replace(/[-:]|\.\d+/g, '')}`
    const key = generateTokenKey(
      openToken(module, token, pin, { pinTyped: options.pkcs11.pinTyped ?? false }),
      options.alg,
      options.rsaBits,
      keyLabel,
    )
    reference = { module, token, keyLabel, keyId: key.id }
    dscKeys = { publicKey: key.publicKey }
  } else if (options.dscKeyFile) {
    const key = readPrivateKey(readKeyInputFile(options.dscKeyFile), options.dscKeyFile, options.passphrase)
    if (algFor(key) !== options.alg)
      throw new DccError(
        'ERR_KEYS',
        `keys: ${options.dscKeyFile} is a ${algFor(key)} key, not ${options.alg}`,
      )
    dscKeys = keyPairFrom(key)
  } else dscKeys = generateKeyPair(options.alg, options.rsaBits)

  let dscNotAfter = addDuration(options.now, options.dscValidity)
  if (dscNotAfter > cscaNotAfter) {
    warnings.push(`the DSC validity was shortened to end with the CSCA's, on ${cscaInfo.notAfter}`)
    dscNotAfter = cscaNotAfter
  }
  const dscDer = await createDscCertificate({
    keys: dscKeys,
    csca,
    subject,
    usage: options.usage,
    notBefore: options.now,
    notAfter: dscNotAfter,
  })

  ensureDir(out)
  refuseLinksAlong('--out', out, true) // none planted while the keys were made
  // the files read are never taken for a killed run's temporary files when the set is written
  keepFromCleanup([
    ...(options.dscKeyFile ? [options.dscKeyFile] : []),
    ...(options.cscaDir
      ? [KEY_FILES.cscaKey, KEY_FILES.cscaCert].map((n) => join(options.cscaDir ?? '', n))
      : []),
  ])
  // one run writes the folder at a time: two started together would each write part of the set
  const release = lockKeyFolder(out)
  try {
    // checked again under the lock: another run may have written the folder while the keys were made
    refuseExisting(out, writes, options.force)
    if (keyFolderState(out, writes) !== seen)
      throw new DccError(
        'ERR_KEYS',
        `keys: another hcert keys generate is writing ${out} (it wrote its keys there while this run made its own); nothing was written by this run: look at what it wrote, and run again only to replace it`,
      )
    // a folder that held no keys may be open to others: it is about to hold private keys (a
    // PKCS#11 DSC under an existing CSCA puts none in it, only a reference to the token's key)
    if (!reuseCsca || !reference) {
      const opened = closeKeyFolder(out)
      if (opened) warnings.push(opened)
    }
    return writeKeyFolder(out, options, { reuseCsca, csca, cscaInfo, dscKeys, reference, dscDer, warnings })
  } finally {
    release()
  }
}

/**
 * The key files of `out` as they are (device, inode, size, change time of each of `names` and of
 * the trust list; `-` for one absent): two equal states mean no run wrote the folder in between.
 */
function keyFolderState(out: string, names: readonly string[]): string {
  return [...names, KEY_FILES.trustList]
    .map((name) => {
      const stat = lstatSync(join(out, name), { throwIfNoEntry: false, bigint: true })
      return stat ? `${stat.dev}:${stat.ino}:${stat.size}:${stat.ctimeNs}` : '-'
    })
    .join('/')
}

/** ERR_KEYS when a key file is at one of `names` in `out` and not `force` (a symbolic link counts). */
function refuseExisting(out: string, names: readonly string[], force: boolean | undefined): void {
  // anything at a key file's name counts, a symbolic link included (it is replaced, never followed)
  const existing = names.filter((name) => lstatSync(join(out, name), { throwIfNoEntry: false }))
  if (existing.length > 0 && !force)
    throw new DccError(
      'ERR_KEYS',
      `keys: ${out} already holds ${existing.join(', ')}; refusing to overwrite keys without --force`,
    )
}

/** the lock file of a key folder while `keys generate` writes it (fs/lock-file.ts) */
export const KEY_FOLDER_LOCK = '.hcert-keys.lock'

/** Takes the key folder's lock; ERR_KEYS when another run holds it. Returns its release. */
function lockKeyFolder(out: string): () => void {
  const path = join(out, KEY_FOLDER_LOCK)
  let release: (() => void) | undefined
  try {
    release = tryLock(path)
  } catch (cause) {
    throw writeError(path, cause)
  }
  if (!release)
    throw new DccError(
      'ERR_KEYS',
      `keys: another hcert keys generate is writing ${out} (it holds ${path}); wait for it to end and look at what it wrote (remove that file only if no such run is left)`,
    )
  return release
}

interface MadeKeys {
  reuseCsca: boolean
  csca: { keys: KeyPair; certificate: Uint8Array }
  cscaInfo: CertificateInfo
  dscKeys: { privateKey?: KeyPair['privateKey']; publicKey: KeyPair['publicKey'] }
  reference: KeyReference | undefined
  dscDer: Uint8Array
  warnings: string[]
}

/**
 * Writes the keys made into `out` (under its lock) as one set (fs/file-set.ts: every file, or none
 * when the disk fills or a size limit is reached) and describes them.
 */
function writeKeyFolder(out: string, options: GenerateKeysOptions, made: MadeKeys): GenerateKeysResult {
  const { reuseCsca, csca, cscaInfo, dscKeys, reference, dscDer, warnings } = made
  const set: SetFile[] = []
  const add = (name: string, content: string, secret = false): void => {
    set.push({ path: join(out, name), content, mode: secret ? PRIVATE_KEY_MODE : PUBLIC_FILE_MODE })
  }
  if (!reuseCsca) add(KEY_FILES.cscaKey, privateKeyPem(csca.keys.privateKey, options.passphrase), true)
  add(KEY_FILES.cscaCert, toPem(csca.certificate, 'CERTIFICATE'))
  if (reference) add(KEY_FILES.dscKeyRef, keyReferenceJson(reference), true)
  else
    add(
      KEY_FILES.dscKey,
      privateKeyPem(dscKeys.privateKey as KeyPair['privateKey'], options.passphrase),
      true,
    )
  add(KEY_FILES.dscCert, toPem(dscDer, 'CERTIFICATE'))
  add(KEY_FILES.trustList, trustListWith(out, dscDer))
  try {
    writeFileSet(set)
  } catch (cause) {
    if (!(cause instanceof DccError)) throw cause
    throw new DccError(
      cause.code,
      `${cause.message}; run the same command again once that is fixed${reference ? ` (the key pair made in the token, labelled '${reference.keyLabel}', stays there unused)` : ''}`,
      { cause },
    )
  }
  // the DSC key is in one place only: a key file of the other kind left by an earlier run goes (--force)
  rmSync(join(out, reference ? KEY_FILES.dscKey : KEY_FILES.dscKeyRef), { force: true })
  const files = set.map((file) => file.path)
  return {
    out,
    csca: cscaInfo,
    dsc: certificateInfo(parseTrustedCertificate(dscDer, 'the new DSC')),
    encrypted: options.passphrase !== undefined,
    dscKey: reference
      ? { kind: 'pkcs11', ...reference, file: join(out, KEY_FILES.dscKeyRef) }
      : { kind: 'file', file: join(out, KEY_FILES.dscKey) },
    files,
    warnings,
  }
}
