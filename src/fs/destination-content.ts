/**
 * What is in a file an output flag names, from its first bytes only (issue 11: files hcert writes
 * never destroy what they must not). An output replaces only an empty file or a file hcert wrote of
 * its own kind: `--out` (issue, renew, export) a JSON Lines file of certificates (a first line
 * `{…, "uvci": …, "hc1": …}`), `--rejects` a rejects file (a CSV header with a `reason` column, a
 * JSON Lines or JSON array row with a `reason` key). Anything else is refused, saying what it looks
 * like: an SQLite database (a ledger, anyone's), a key or certificate (PEM, or DER: one ASN.1
 * SEQUENCE the size of the file), a trust list or other JSON, a CSV file (a batch's input), a file
 * of HC1 text. A rejects file a spreadsheet saved back in its own way (semicolons, a legacy code
 * page, UTF-16: spreadsheet-save.ts) is refused saying how, and what to save it as; one that is its
 * header row only holds no record to lose, and is replaced as an empty file. Nothing of the file
 * is quoted: it may hold personal data.
 */
import { closeSync, openSync, readSync, constants } from 'node:fs'
import { DccError } from '../errors.js'
import {
  encodingOf,
  saveWords,
  separatorNaming,
  textOf,
  SAVE_AS_ADVICE,
  type SpreadsheetSave,
} from './spreadsheet-save.js'

/** how much of the file is looked at: a rejects row is at most ~64 Ki characters (read-records.ts) */
const LOOK_AT = 256 * 1024

/** SQLite's 16-byte file header (sqlite.org/fileformat.html §1.3.1) */
const SQLITE_HEADER = Buffer.from('SQLite format 3\0', 'latin1')

export type DestinationKind =
  | 'empty'
  | 'sqlite'
  | 'pem'
  | 'der'
  | 'rejects'
  | 'resaved-rejects'
  | 'certificates'
  | 'trust'
  | 'json'
  | 'csv'
  | 'hc1'
  | 'other'

/**
 * What the file at a path is (`kind`); for a rejects file a spreadsheet saved back in its own way
 * (`resaved-rejects`: another separator or encoding than hcert writes), how (`save`); and for a
 * CSV rejects file, whether it is its header row only (`headerOnly`: no record to lose).
 */
export interface Destination {
  kind: DestinationKind
  save?: SpreadsheetSave
  headerOnly?: boolean
}

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

/**
 * Whether the text after a CSV header holds no record: blank lines, or rows of separators only (a
 * spreadsheet's empty rows), within the bytes looked at (`whole`: all of the file).
 */
function noRowAfterHeader(text: string, whole: boolean): boolean {
  if (!whole) return false
  const lines = text.split('\n')
  const start = lines.findIndex((line) => line.trim() !== '')
  return lines.slice(start + 1).every((line) => /^[\s,;"]*$/.test(line))
}

/** What the file at `path` is, from its first bytes (no file: `empty`). */
export function destinationKind(path: string): DestinationKind {
  return describeDestination(path).kind
}

/** What the file at `path` is, from its first bytes, and how a spreadsheet saved it (see Destination). */
export function describeDestination(path: string): Destination {
  const start = firstBytes(path)
  if (!start || start.bytes.length === 0) return { kind: 'empty' }
  const { bytes, size } = start
  if (bytes.subarray(0, SQLITE_HEADER.length).equals(SQLITE_HEADER)) return { kind: 'sqlite' }
  if (isDer(bytes, size)) return { kind: 'der' }
  const whole = size !== Number.MAX_SAFE_INTEGER
  const encoding = encodingOf(bytes, whole)
  const text = textOf(bytes, encoding)
  if (/^\s*-----BEGIN [A-Z0-9 ]+-----/.test(text)) return { kind: 'pem' }
  if (text.trim() === '') return { kind: 'empty' }
  const trimmed = text.trimStart()
  if (trimmed.startsWith('[')) {
    // hcert's JSON rejects: `[` alone on the first line, a row a line after it
    const second = firstLineOf(trimmed.slice(1))
    if (second === undefined || second.trim() === ']' || jsonRowHasReason(second)) return { kind: 'rejects' }
    return { kind: TRUST_MARK.test(trimmed) ? 'trust' : 'json' }
  }
  if (trimmed.startsWith('{')) {
    const first = firstLineOf(trimmed)
    if (jsonRowHasReason(first)) return { kind: 'rejects' }
    if (isCertificateLine(first)) return { kind: 'certificates' }
    return { kind: TRUST_MARK.test(trimmed) ? 'trust' : 'json' }
  }
  const first = firstLineOf(text) ?? ''
  // a CSV header with a `reason` column, by any separator a spreadsheet writes, in any encoding
  const separator = separatorNaming(first, 'reason')
  if (separator !== undefined) {
    // its header row only: no record to lose, whatever saved it
    if (noRowAfterHeader(text, whole)) return { kind: 'rejects', headerOnly: true }
    const save: SpreadsheetSave = {
      ...(separator !== ',' ? { separator } : {}),
      ...(encoding !== 'utf-8' ? { encoding } : {}),
    }
    return save.separator || save.encoding ? { kind: 'resaved-rejects', save } : { kind: 'rejects' }
  }
  if (/^\s*(HC1:|shc:\/)/i.test(first)) return { kind: 'hc1' }
  if (/[,;\t]/.test(first)) return { kind: 'csv' }
  return { kind: 'other' }
}

/** What the file is, in words (never its content). */
const WHAT: Record<Exclude<DestinationKind, 'empty'>, string> = {
  sqlite: 'an SQLite database (a ledger?)',
  pem: 'a PEM file (a key or a certificate)',
  der: 'a DER file (a key or a certificate)',
  rejects: 'a rejects file hcert wrote',
  'resaved-rejects': 'a rejects file hcert wrote, saved again by a spreadsheet',
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
  const { kind, save } = describeDestination(path)
  if (kind === 'empty' || kind === expect) return
  // a site's fixes, saved back by a spreadsheet in its own way: said how, and what to do
  if (kind === 'resaved-rejects' && expect === 'rejects' && save)
    throw new DccError(
      'ERR_USAGE',
      `${flag} ${path} is a rejects file saved again by a spreadsheet: it is ${saveWords(save)}; hcert reads and writes comma-separated UTF-8, so it cannot carry that file's records into the one it writes, and replacing it could lose them: ${SAVE_AS_ADVICE} and run again, or give another path`,
    )
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
