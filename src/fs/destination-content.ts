/**
 * What is in a file an output flag names, from its first bytes only (issue 11: files hcert writes
 * never destroy what they must not). An output replaces only an empty file or a file hcert wrote of
 * its own kind: `--out` (issue, renew, export) a JSON Lines file of certificates (a first line
 * `{…, "uvci": …, "hc1": …}`), `--rejects` a rejects file (a CSV header with a `reason` column, a
 * JSON Lines or JSON array row with a `reason` key). Anything else is refused, saying what it looks
 * like: an SQLite database (a ledger, anyone's), a key or certificate (PEM, or DER: one ASN.1
 * SEQUENCE the size of the file), a trust list or other JSON, a CSV file (a batch's input), a file
 * of HC1 text. Nothing of the file is quoted: it may hold personal data.
 */
import { closeSync, openSync, readSync, constants } from 'node:fs'
import { DccError } from '../errors.js'

/** how much of the file is looked at: a rejects row is at most ~64 Ki characters (read-records.ts) */
const LOOK_AT = 256 * 1024

/** SQLite's 16-byte file header (sqlite.org/fileformat.html §1.3.1) */
const SQLITE_HEADER = Buffer.from('SQLite format 3\0', 'latin1')

export type DestinationKind =
  'empty' | 'sqlite' | 'pem' | 'der' | 'rejects' | 'certificates' | 'trust' | 'json' | 'csv' | 'hc1' | 'other'

/** What an output flag may replace besides an empty file. */
export type OutputKind = 'rejects' | 'certificates'

/** The first LOOK_AT bytes of `path` and its size, or undefined when there is no such file. */
function firstBytes(path: string): { bytes: Buffer; size: number } | undefined {
  let fd: number
  try {
    // a link is refused before this (refuseOddTarget); O_NOFOLLOW keeps one planted since out
    fd = openSync(path, constants.O_RDONLY | (constants.O_NOFOLLOW ?? 0) | (constants.O_NONBLOCK ?? 0))
  } catch (cause) {
    if ((cause as { code?: string }).code === 'ENOENT') return undefined
    return undefined // unreadable: AtomicFile reports what stops the write
  }
  try {
    const buffer = Buffer.alloc(LOOK_AT)
    const n = readSync(fd, buffer, 0, LOOK_AT, 0)
    const size = n < LOOK_AT ? n : Number.MAX_SAFE_INTEGER
    return { bytes: buffer.subarray(0, n), size }
  } catch {
    return undefined
  } finally {
    closeSync(fd)
  }
}

/** Whether `bytes` (of a file of `size` bytes) are one DER SEQUENCE that is the whole file (X.690 §8.1.3). */
function isDer(bytes: Buffer, size: number): boolean {
  if (bytes.length < 2 || bytes[0] !== 0x30) return false
  const first = bytes[1] as number
  if (first < 0x80) return 2 + first === size
  const n = first & 0x7f
  if (n < 1 || n > 4 || bytes.length < 2 + n) return false
  let length = 0
  for (let i = 0; i < n; i++) length = length * 256 + (bytes[2 + i] as number)
  return 2 + n + length === size
}

/** The first line of `text` that is not blank (without its line end). */
function firstLineOf(text: string, skip = 0): string | undefined {
  const lines = text.split('\n')
  let seen = 0
  for (const line of lines) {
    if (line.trim() === '') continue
    if (seen++ === skip) return line.replace(/\r$/, '')
  }
  return undefined
}

/** A JSON row (`{…}`, maybe ending with the array's comma) as an object, else undefined. */
function jsonRow(line: string | undefined): Record<string, unknown> | undefined {
  if (line === undefined) return undefined
  try {
    const value = JSON.parse(line.trim().replace(/,$/, '')) as unknown
    return value && typeof value === 'object' && !Array.isArray(value)
      ? (value as Record<string, unknown>)
      : undefined
  } catch {
    return undefined
  }
}

/** Whether a JSON row has a `reason` key. */
function jsonRowHasReason(line: string | undefined): boolean {
  const row = jsonRow(line)
  return !!row && 'reason' in row
}

/** Whether a JSON row is a certificate line of issue, renew or export: `{…, uvci, hc1}`. */
function isCertificateLine(line: string | undefined): boolean {
  const row = jsonRow(line)
  return !!row && typeof row.uvci === 'string' && typeof row.hc1 === 'string'
}

/** A trust list's marks (load-trust.ts: hcert's, the national backends', a DID document). */
const TRUST_MARK = /"(certificates|rawData|certificateType|verificationMethod|publicKeyJwk)"\s*:/

/** Whether a CSV header line names a `reason` column (hcert writes no quotes around column names it reads). */
function csvHeaderHasReason(line: string | undefined): boolean {
  if (line === undefined) return false
  return line.split(',').some((cell) => cell.replace(/^"|"$/g, '').trim().toLowerCase() === 'reason')
}

/** What the file at `path` is, from its first bytes (no file: `empty`). */
export function destinationKind(path: string): DestinationKind {
  const start = firstBytes(path)
  if (!start || start.bytes.length === 0) return 'empty'
  const { bytes, size } = start
  if (bytes.subarray(0, SQLITE_HEADER.length).equals(SQLITE_HEADER)) return 'sqlite'
  if (isDer(bytes, size)) return 'der'
  const text = bytes.toString('utf8').replace(/^\uFEFF/, '')
  if (/^\s*-----BEGIN [A-Z0-9 ]+-----/.test(text)) return 'pem'
  if (text.trim() === '') return 'empty'
  const trimmed = text.trimStart()
  if (trimmed.startsWith('[')) {
    // hcert's JSON rejects: `[` alone on the first line, a row a line after it
    const second = firstLineOf(trimmed.slice(1))
    if (second === undefined || second.trim() === ']' || jsonRowHasReason(second)) return 'rejects'
    return TRUST_MARK.test(trimmed) ? 'trust' : 'json'
  }
  if (trimmed.startsWith('{')) {
    const first = firstLineOf(trimmed)
    if (jsonRowHasReason(first)) return 'rejects'
    if (isCertificateLine(first)) return 'certificates'
    return TRUST_MARK.test(trimmed) ? 'trust' : 'json'
  }
  const first = firstLineOf(text) ?? ''
  if (csvHeaderHasReason(first)) return 'rejects'
  if (/^\s*(HC1:|shc:\/)/i.test(first)) return 'hc1'
  if (/[,;\t]/.test(first)) return 'csv'
  return 'other'
}

/** What the file is, in words (never its content). */
const WHAT: Record<Exclude<DestinationKind, 'empty'>, string> = {
  sqlite: 'an SQLite database (a ledger?)',
  pem: 'a PEM file (a key or a certificate)',
  der: 'a DER file (a key or a certificate)',
  rejects: 'a rejects file hcert wrote',
  certificates: 'a JSON Lines file of certificates hcert wrote (an --out of issue, renew or export)',
  trust: 'a trust list (JSON)',
  json: 'a JSON file (a record, a payload or a list?)',
  csv: "a CSV file (a batch's input?)",
  hc1: 'a file of HC1 certificates (an input of verify or renew?)',
  other: 'a file hcert did not write',
}

/** What each output may replace, in words. */
const EXPECTED: Record<OutputKind, string> = {
  rejects: 'a rejects file hcert wrote',
  certificates: 'a file of certificates hcert wrote',
}

/**
 * Throws ERR_USAGE when the file at `path`, which `flag` would replace, is neither empty nor a file
 * hcert wrote of the kind `flag` writes (`expect`). A missing file passes.
 */
export function refuseForeignDestination(flag: string, path: string, expect: OutputKind): void {
  const kind = destinationKind(path)
  if (kind === 'empty' || kind === expect) return
  if (kind === 'sqlite' || kind === 'pem' || kind === 'der')
    throw new DccError(
      'ERR_USAGE',
      `${flag} ${path} is ${WHAT[kind]}: hcert does not replace it; give another path`,
    )
  const why =
    kind === 'csv' && expect === 'rejects'
      ? "a CSV file without a 'reason' column (a batch's input?)"
      : WHAT[kind]
  throw new DccError(
    'ERR_USAGE',
    `${flag} ${path} is not ${EXPECTED[expect]}: it is ${why}; hcert does not replace it; give another path (or remove the file yourself)`,
  )
}
