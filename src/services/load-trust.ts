/**
 * Loading the certificates a verifier trusts from what users have: a PEM or DER certificate, a
 * folder of them, the trust list JSON `hcert keys generate` writes, or the national-backend shapes
 * `[{kid, country, rawData}]` and `{"certificates": [...]}` (the German list's signature line, if
 * present before the JSON, is skipped; its signature is not checked here).
 */
import { readdirSync, statSync } from 'node:fs'
import { join } from 'node:path'
import { DccError } from '../errors.js'
import { NotReadableFile, readRegularFileSync } from '../fs/read-regular-file.js'
import { isDidDocument, readDidTrustList } from '../gdhcn/did-trust-list.js'
import { TrustList, type DidSource } from '../trust/trust-list.js'
import { parseTrustedCertificate, type TrustedCertificate } from '../trust/trusted-certificate.js'
import { jsonTooDeep, MAX_JSON_DEPTH } from '../codec/json-depth.js'

const CERT_FILE = /\.(pem|crt|cer|der|json)$/i

/**
 * Larger trust files are refused before they are read: the EU gateway's whole trust list (every
 * DSC of every country) is ~2 MB of JSON.
 */
export const MAX_TRUST_FILE_BYTES = 16 * 1024 * 1024
const PEM_BLOCK = /-----BEGIN CERTIFICATE-----([\s\S]*?)-----END CERTIFICATE-----/g

/**
 * Which certificates sign (README "Trust"): every certificate given as a trust source is a signer,
 * as the EU verifier apps and test harness treat the certificates they are given, even one marked
 * CA:TRUE (the Latvian and Spanish test DSCs are; verify then warns, naming the flag). A source
 * that holds both CA and non-CA certificates, such as a key directory with its CSCA, signs with
 * the non-CA ones only, lest an HCERT signed with a CSCA's own key verify. There is no chain
 * building. A certificate with a critical extension this tool does not recognise is refused
 * (RFC 5280 §4.2). A malformed or refused entry is passed over with a warning in
 * `TrustList.warnings` naming it; a source from which nothing loads is ERR_TRUST.
 */
export function loadTrustList(paths: readonly string[], options: TrustOptions = {}): TrustList {
  const trust = new TrustList()
  const context: LoadContext = { domains: options.domains, dids: trust.didSources }
  for (const path of paths) {
    const loaded = loadPath(path, context)
    const usable: TrustedCertificate[] = []
    for (const entry of loaded) {
      if ('problem' in entry) trust.warnings.push(`trust: ${entry.where}: ${entry.problem}; passed over`)
      else if (entry.cert.unknownCritical.length > 0)
        trust.warnings.push(`trust: ${entry.where}: ${criticalProblem(entry.cert)}; passed over`)
      else usable.push(entry.cert)
    }
    if (usable.length === 0) {
      const first = loaded[0]
      const problem =
        first === undefined
          ? 'it holds no document signer certificate'
          : 'problem' in first
            ? first.problem
            : criticalProblem(first.cert)
      const why = first === undefined || first.where === path ? problem : `${first.where}: ${problem}`
      const count = loaded.length > 1 ? ` (none of its ${loaded.length} entries loads)` : ''
      throw new DccError('ERR_TRUST', `trust: ${path} gives no usable certificate${count}: ${why}`)
    }
    const signers = usable.some((cert) => !cert.ca) ? usable.filter((cert) => !cert.ca) : usable
    for (const cert of signers) trust.add(cert)
  }
  return trust
}

export interface TrustOptions {
  /** GDHCN DID trust lists: keep the keys of these trust domains only (--trust-domain) */
  domains?: readonly string[]
}

interface LoadContext {
  domains: readonly string[] | undefined
  /** the DID trust lists read, for their proofs and the summary (TrustList.didSources) */
  dids: DidSource[]
}

const criticalProblem = (cert: TrustedCertificate): string =>
  `the certificate has a critical extension this tool does not recognise (${cert.unknownCritical.join(', ')}), so it is refused (RFC 5280 §4.2)`

/** One certificate found in a source, or why an entry gave none. */
type Loaded = { where: string; cert: TrustedCertificate } | { where: string; problem: string }

function attempt(where: string, parse: () => TrustedCertificate): Loaded {
  try {
    return { where, cert: parse() }
  } catch (err) {
    if (!(err instanceof DccError)) throw err
    const own = `trust: ${where} `
    return { where, problem: err.message.startsWith(own) ? err.message.slice(own.length) : err.message }
  }
}

function loadPath(path: string, context: LoadContext): Loaded[] {
  let info
  try {
    info = statSync(path)
  } catch {
    throw new DccError('ERR_TRUST', `trust: ${path} does not exist`)
  }
  if (!info.isDirectory() && !info.isFile())
    throw new DccError(
      'ERR_TRUST',
      `trust: ${path} is not a regular file or a folder (a pipe, a device or a socket); give a certificate, a trust list or a folder of them`,
    )
  if (info.isDirectory()) {
    const files = readdirSync(path)
      .filter((name) => CERT_FILE.test(name) && !KEY_REFERENCE_FILE.test(name))
      .sort()
    // a key directory holds private keys next to the certificates: in a folder, files without a
    // certificate are passed over (given by name, they are an error)
    // one unusable file (junk, a JSON of another shape) is passed over with a warning naming it;
    // the rest of the folder is still trusted
    const certs = files.flatMap((name) => loadFolderFile(join(path, name), context))
    if (certs.length === 0)
      throw new DccError(
        'ERR_TRUST',
        `trust: ${path} holds no certificate (.pem, .crt, .cer, .der or trust list .json)`,
      )
    return certs
  }
  return loadFile(path, context)
}

/** A file in a trust folder: what it gives, or why it gives nothing (never its bytes) */
function loadFolderFile(file: string, context: LoadContext): Loaded[] {
  try {
    return loadFile(file, context, { skipNonCertificates: true })
  } catch (err) {
    if (!(err instanceof DccError) || err.code !== 'ERR_TRUST') throw err
    const own = `trust: ${file} `
    return [
      { where: file, problem: err.message.startsWith(own) ? err.message.slice(own.length) : err.message },
    ]
  }
}

/**
 * A PKCS#11 key reference (dsc.pkcs11.json in a key directory: module, token, label, id): JSON, but
 * no certificate; in a folder it is passed over like dsc.key.pem.
 */
const KEY_REFERENCE_FILE = /\.pkcs11\.json$/i

function loadFile(
  path: string,
  context: LoadContext,
  options: { skipNonCertificates?: boolean } = {},
): Loaded[] {
  let bytes: Buffer
  try {
    bytes = readRegularFileSync(path, MAX_TRUST_FILE_BYTES)
  } catch (cause) {
    const why =
      cause instanceof NotReadableFile
        ? cause.reason === 'too-large'
          ? `is ${cause.size} bytes, more than the ${MAX_TRUST_FILE_BYTES} accepted for a trust file`
          : `is a ${cause.kind}, not a regular file`
        : `cannot be read (${(cause as NodeJS.ErrnoException).code ?? (cause as Error).message})`
    if (options.skipNonCertificates) return [{ where: path, problem: why }]
    throw new DccError('ERR_TRUST', `trust: ${path} ${why}`, { cause })
  }
  const text = bytes.toString('utf8')
  if (text.includes('-----BEGIN CERTIFICATE-----')) {
    return [...text.matchAll(PEM_BLOCK)].map((m, i) => {
      const where = `${path} (certificate ${i + 1})`
      return attempt(where, () =>
        parseTrustedCertificate(new Uint8Array(Buffer.from(m[1] ?? '', 'base64')), where),
      )
    })
  }
  const jsonStart = text.search(/[[{]/)
  if (bytes[0] !== 0x30 && jsonStart >= 0) return fromJson(text.slice(jsonStart), path, context)
  if (text.includes('-----BEGIN')) {
    if (options.skipNonCertificates) return []
    throw new DccError(
      'ERR_TRUST',
      `trust: ${path} holds a PEM block that is not a certificate (a private key? verifiers need the certificate)`,
    )
  }
  if (options.skipNonCertificates)
    return [attempt(path, () => parseTrustedCertificate(new Uint8Array(bytes), path))]
  return [{ where: path, cert: parseTrustedCertificate(new Uint8Array(bytes), path) }]
}

function fromJson(text: string, path: string, context: LoadContext): Loaded[] {
  let json: unknown
  try {
    json = JSON.parse(text)
  } catch (cause) {
    // V8's message quotes the text around the fault: only where it is, never the file's bytes
    throw new DccError('ERR_TRUST', `trust: ${path} is not valid JSON${jsonErrorPlace(cause)}`, { cause })
  }
  if (jsonTooDeep(json))
    throw new DccError('ERR_TRUST', `trust: ${path} nests JSON more than ${MAX_JSON_DEPTH} levels deep`)
  if (isDidDocument(json)) {
    const did = readDidTrustList(json, path, context.domains)
    context.dids.push({ path, document: json, list: did })
    return did.entries
  }
  const list = Array.isArray(json)
    ? json
    : typeof json === 'object' && json !== null
      ? (json as { certificates?: unknown }).certificates
      : undefined
  if (!Array.isArray(list))
    throw new DccError(
      'ERR_TRUST',
      `trust: ${path} is neither a list of certificates nor {"certificates": [...]}`,
    )
  const out: Loaded[] = []
  list.forEach((entry: unknown, i) => {
    const where = `${path} entry at index ${i}`
    if (typeof entry !== 'object' || entry === null || Array.isArray(entry)) {
      out.push({
        where,
        problem: `is ${entry === null ? 'null' : Array.isArray(entry) ? 'a list' : `a ${typeof entry}`}, not an object with rawData`,
      })
      return
    }
    const { kid, rawData, certificate, country, certificateType } = entry as Record<string, unknown>
    if (certificateType !== undefined && certificateType !== 'DSC') return // a CSCA or upload certificate in a gateway list
    const raw = rawData ?? certificate
    if (raw === null) return // a deleted DSC in a gateway delta
    if (typeof raw !== 'string') {
      out.push({ where, problem: 'has no rawData (a base64 DER certificate)' })
      return
    }
    if (kid !== undefined && typeof kid !== 'string') {
      out.push({ where, problem: 'has a kid that is not a string' })
      return
    }
    const der = raw.includes('-----BEGIN') ? raw.replace(/-----[A-Z ]+-----|\s/g, '') : raw
    const loaded = attempt(where, () =>
      parseTrustedCertificate(new Uint8Array(Buffer.from(der, 'base64')), where, kid),
    )
    if ('cert' in loaded && typeof country === 'string' && !loaded.cert.country) loaded.cert.country = country
    out.push(loaded)
  })
  return out
}

/** ' (at position 12)' when V8 names the position of a JSON syntax error, else '' */
function jsonErrorPlace(cause: unknown): string {
  const position = /at position (\d+)/.exec(cause instanceof Error ? cause.message : '')?.[1]
  return position === undefined ? '' : ` (at position ${position})`
}
