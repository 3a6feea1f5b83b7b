/**
 * Input records for `hcert issue`, streamed: CSV (header row), JSON Lines, a JSON array or one JSON
 * object, from a file or stdin. The format comes from the file extension, else from the first bytes.
 */
import { closeSync, constants, createReadStream, openSync, statSync, writeSync } from 'node:fs'
import { addAbortSignal } from 'node:stream'
import { extname } from 'node:path'
import { DccError } from '../errors.js'
import { duplicateKeys, mayHoldDuplicateKeys, type DuplicateKey } from '../codec/json-duplicate-key.js'
import { isDccFieldName } from './build-dcc.js'
import { ICVP_READ_COLUMNS } from './icvp-columns.js'
import type { IssueKind } from './issue-types.js'
import { otherKindError, otherKindOf } from './other-kind.js'
import { CsvParser, unneutralise, type CsvRow } from './csv.js'
import { INPUT_COLUMNS } from './input-columns.js'
import { describeJsonError } from './json-error.js'
import { MAX_RECORD_DEPTH, tooDeep } from './record-depth.js'
import { binaryFileKind, binaryFileMessage } from './file-kind.js'
import { EXCEL_CSV_UTF8, looksLikeUtf16, otherSeparatorOf, saveWords } from '../fs/spreadsheet-save.js'

export { EXCEL_CSV_UTF8, looksLikeUtf16 } from '../fs/spreadsheet-save.js'

export type InputFormat = 'csv' | 'jsonl' | 'json'

export interface InputRecord {
  /** 1-based position of the record in the input */
  index: number
  /** the line the record starts on (for a JSON array, the line its element starts on) */
  line: number
  /** for an element of a JSON array: its 0-based index in the array */
  element?: number
  raw: Record<string, unknown>
  /**
   * Set when the record itself could not be read (bad JSON line, wrong column count): its position
   * and the kind of problem, never the text.
   */
  error?: string
  /** the column (CSV) the `error` is in, when it is in one; else the rejection's field is `record` */
  errorField?: string
  /** the text of a JSON Lines row that did not parse, kept for the rejects file (never for a message) */
  text?: string
  /**
   * The record as it was read, for the rejects file (never for a message). JSON: its text (a JSON
   * Lines line, an array's element, the text of a resent `unparsed`). CSV: `cells`, each cell's
   * value as typed (the `closed` problem cell as its raw text, `rawCell`), under `header`, the
   * header row's cells as typed.
   */
  source?: string
  cells?: string[]
  header?: readonly string[]
  /** the index in `cells` of a cell to write back as raw CSV text (a quote closed inside it) */
  rawCell?: number
  /** the reason a resent rejects file gave the record (not data: kept to carry it unchanged) */
  resentReason?: string
  /** set when the input is this one JSON object, not a batch (a file of rows, lines or a list) */
  alone?: true
}

/**
 * The column a rejects file adds. Read back, it is not data: a resent rejects file issues the
 * fixed records as if the column were not there (the same idempotency key, the same payload).
 */
export const REASON_COLUMN = 'reason'

/**
 * A JSON Lines rejects row for a line that did not parse: `{"unparsed": "<the line>", "reason": …}`.
 * Read back, the text is parsed again, so fixing it inside the string (or replacing the whole line
 * with the fixed record) and resending issues it.
 */
export const UNPARSED_KEY = 'unparsed'

export interface ReadOptions {
  /** called once per batch for what is read but not used (unknown columns) */
  onWarning?: (warning: string) => void
  /** the input columns (default INPUT_COLUMNS, the DCC's; an ICVP batch has its own) */
  columns?: ReadonlySet<string>
  /**
   * the batch's kind: a file whose CSV header, or first JSON record's keys, clearly name the other
   * kind's columns is refused before any record is read (other-kind.ts, ERR_USAGE)
   */
  kind?: IssueKind
  /**
   * aborted by an interrupt (SIGINT, SIGTERM): reading stops at once, even in a line that never
   * ends or on a stream that sends nothing, and the records end there
   */
  signal?: AbortSignal
}

export function formatFromName(path: string): InputFormat | undefined {
  const ext = extname(path).toLowerCase()
  if (ext === '.csv') return 'csv'
  if (ext === '.jsonl' || ext === '.ndjson') return 'jsonl'
  if (ext === '.json') return 'json'
  return undefined
}

/**
 * The offset of the first byte in `bytes` that is not part of a well-formed UTF-8 sequence
 * (RFC 3629 §4: no overlong forms, no surrogates, nothing past U+10FFFF), or -1. A sequence cut
 * off by the end of `bytes` is not a fault (the next chunk completes it).
 */
export function firstNonUtf8(bytes: Uint8Array): number {
  let i = 0
  while (i < bytes.length) {
    const b = bytes[i] as number
    if (b < 0x80) {
      i++
      continue
    }
    let n: number
    let lo = 0x80
    let hi = 0xbf
    if (b >= 0xc2 && b <= 0xdf) n = 1
    else if (b >= 0xe0 && b <= 0xef) {
      n = 2
      if (b === 0xe0) lo = 0xa0
      if (b === 0xed) hi = 0x9f
    } else if (b >= 0xf0 && b <= 0xf4) {
      n = 3
      if (b === 0xf0) lo = 0x90
      if (b === 0xf4) hi = 0x8f
    } else return i
    for (let k = 1; k <= n; k++) {
      if (i + k >= bytes.length) return -1
      const c = bytes[i + k] as number
      if (c < (k === 1 ? lo : 0x80) || c > (k === 1 ? hi : 0xbf)) return i
    }
    i += n + 1
  }
  return -1
}

/** The number of line feeds in `bytes` before `end`. */
function lineFeeds(bytes: Uint8Array, end = bytes.length): number {
  let count = 0
  for (let i = bytes.indexOf(0x0a); i >= 0 && i < end; i = bytes.indexOf(0x0a, i + 1)) count++
  return count
}

/** The bytes at the end of `bytes` that start a UTF-8 sequence it does not complete (none: empty). */
function cutOff(bytes: Uint8Array): Uint8Array {
  for (let p = bytes.length - 1; p >= Math.max(0, bytes.length - 3); p--) {
    const b = bytes[p] as number
    if (b < 0x80) break
    if (b >= 0xc0) {
      const length = b >= 0xf0 ? 4 : b >= 0xe0 ? 3 : 2
      return length > bytes.length - p ? bytes.subarray(p) : new Uint8Array(0)
    }
  }
  return new Uint8Array(0)
}

/**
 * ERR_INPUT for text that is not UTF-8, at its line (1-based), with what to do. `firstLine`: the
 * file's first line (as Latin-1), whose separator is named too when it is not the comma (Excel's
 * plain "CSV" in a locale with a decimal comma: both at once, which one save as fixes).
 */
function notUtf8(line: number, cause: unknown, firstLine?: string): DccError {
  const separator = firstLine === undefined ? undefined : otherSeparatorOf(firstLine)
  const also = separator ? `, and the file is ${saveWords({ separator }, 'reads')}` : ''
  return new DccError(
    'ERR_INPUT',
    `input: line ${line} is not UTF-8 text (it has a byte no UTF-8 character has: the file is likely Latin-1 or Windows-125x, as older spreadsheets save "CSV")${also}; hcert reads comma-separated UTF-8: save it as ${EXCEL_CSV_UTF8} (or re-encode it as UTF-8)`,
    { cause },
  )
}

/**
 * ERR_INPUT for a NUL byte (zero) at `line`: no text file of records has one (a UTF-16 file, whose
 * ASCII has them, is named as such before); reading /dev/zero or a damaged file stops at once
 * instead of scanning zeros for a line end that never comes.
 */
function nulByte(line: number): DccError {
  return new DccError(
    'ERR_INPUT',
    `input: line ${line} holds a NUL byte (a zero byte, which no text has): the input is not a file of records, or is damaged; hcert reads UTF-8 CSV, JSON Lines or JSON`,
  )
}

/**
 * Thrown through the readers when an interrupt stops the reading: the records end where they were,
 * and the text read so far is not finished as if the input had ended (no last row, no header check).
 */
const STOPPED = Symbol('reading stopped by an interrupt')

async function* chunks(stream: NodeJS.ReadableStream, signal?: AbortSignal): AsyncGenerator<string> {
  const decoder = new TextDecoder('utf-8', { fatal: true })
  let first = true
  /** line feeds in the chunks decoded so far */
  let lines = 0
  /** the previous chunk's last bytes that start a sequence it does not complete */
  let tail: Uint8Array = new Uint8Array(0)
  /** the file's first line, as Latin-1 (its separator, for a message) */
  let firstLine: string | undefined
  const iterator = (stream as AsyncIterable<Buffer>)[Symbol.asyncIterator]()
  try {
    // an interrupt ends the reading now: a read of a FIFO or a device that sends nothing (or
    // whose end never comes) may block until a writer acts, and destroying the stream waits for it
    const stopped = new Promise<IteratorResult<Buffer>>((resolve) => {
      const stop = (): void => resolve({ done: true, value: undefined })
      if (signal?.aborted) stop()
      else signal?.addEventListener('abort', stop, { once: true })
    })
    for (;;) {
      const read = iterator.next()
      read.catch(() => undefined) // when the interrupt wins the race, the read fails unheard
      const step = signal ? await Promise.race([read, stopped]) : await read
      if (signal?.aborted) throw STOPPED
      if (step.done) break
      const bytes = step.value
      const binary = first ? binaryFileKind(bytes) : undefined
      if (binary) throw new DccError('ERR_INPUT', binaryFileMessage(binary))
      if (first && looksLikeUtf16(bytes))
        throw new DccError(
          'ERR_INPUT',
          `input: the file is UTF-16 text (a spreadsheet's "Unicode text"); hcert reads UTF-8: save it as ${EXCEL_CSV_UTF8}`,
        )
      if (first) firstLine = Buffer.from(bytes).toString('latin1').split('\n', 1)[0]
      first = false
      const nul = bytes.indexOf(0)
      if (nul >= 0) throw nulByte(lines + 1 + lineFeeds(bytes, nul))
      let text: string
      try {
        text = decoder.decode(bytes, { stream: true })
      } catch (cause) {
        if (!(cause instanceof TypeError)) throw cause
        // where: the bytes cut off at the previous chunk's end, then this chunk
        const joined = Buffer.concat([tail, bytes])
        const at = firstNonUtf8(joined)
        throw notUtf8(lines + 1 + lineFeeds(joined, at < 0 ? joined.length : at), cause, firstLine)
      }
      lines += lineFeeds(bytes)
      tail = cutOff(bytes)
      yield text
    }
    try {
      yield decoder.decode()
    } catch (cause) {
      if (!(cause instanceof TypeError)) throw cause
      // a sequence cut off by the end of the file: on the last line
      throw notUtf8(lines + 1, cause, firstLine)
    }
  } catch (cause) {
    // an interrupt destroyed the stream (readRecords): the records end here
    if (signal?.aborted) throw STOPPED
    if ((cause as { code?: string }).code === 'ENOENT' || (cause as { code?: string }).code === 'EISDIR') {
      throw new DccError('ERR_INPUT', `input: ${(cause as Error).message}`, { cause })
    }
    throw cause
  } finally {
    // as for await would: the stream is closed when reading ends early (a refused input)
    iterator.return?.().catch(() => undefined)
  }
}

/**
 * Node reads a named pipe (FIFO) on its thread pool, and a read that waits for a writer that sends
 * nothing can be neither cancelled nor left behind: the process cannot even exit until it returns.
 * On an interrupt, one line feed written into the FIFO ends that read (this process is its only
 * reader, so nothing else sees it; a FIFO with no writer yet is opened and closed, which ends its
 * open with the end of input). Best effort: a FIFO that cannot be opened for writing is left.
 */
function wakeFifoReader(path: string): void {
  try {
    const fd = openSync(path, constants.O_WRONLY | constants.O_NONBLOCK)
    try {
      writeSync(fd, '\n')
    } finally {
      closeSync(fd)
    }
  } catch {
    // nothing to wake, or no right to write: the read ends when its writer acts
  }
}

/**
 * Checks that `source` is a file of records (or `-`), before anything else is created (a ledger,
 * an output): ERR_INPUT for a path that does not exist or is a folder.
 */
export function checkInputSource(source: string): void {
  if (source === '-') return
  const stat = statSync(source, { throwIfNoEntry: false })
  if (!stat) throw new DccError('ERR_INPUT', `input: ${source} does not exist`)
  if (stat.isDirectory())
    throw new DccError(
      'ERR_INPUT',
      `input: ${source} is a folder, not a file of records (.csv, .json or .jsonl)`,
    )
}

export async function* readRecords(
  source: string,
  format?: InputFormat,
  options: ReadOptions = {},
): AsyncGenerator<InputRecord> {
  checkInputSource(source)
  const stream = source === '-' ? process.stdin : createReadStream(source, { highWaterMark: 256 * 1024 })
  if (options.signal) {
    addAbortSignal(options.signal, stream)
    if (source !== '-' && statSync(source).isFIFO())
      options.signal.addEventListener('abort', () => wakeFifoReader(source), { once: true })
  }
  const text = chunks(stream, options.signal)
  let first = ''
  let next: IteratorResult<string>
  try {
    next = await text.next()
    // blank lines before the first record: enough to tell the format, never more (an endless
    // stream of line feeds is read on by the format's reader, in bounded memory)
    while (!next.done && first.trim() === '' && first.length <= MAX_RECORD_LENGTH) {
      first += next.value
      next = await text.next()
    }
  } catch (cause) {
    if (cause === STOPPED) return
    throw cause
  }
  const rest = (async function* () {
    yield first.replace(/^\uFEFF/, '')
    while (!next.done) {
      yield next.value
      next = await text.next()
    }
  })()
  const detected = format ?? (source !== '-' ? formatFromName(source) : undefined) ?? sniff(first)
  const mismatch = formatMismatch(detected, first.replace(/^\uFEFF/, ''))
  if (mismatch) throw mismatch
  const known = options.columns ?? INPUT_COLUMNS
  const columns = new UnknownColumns(options.onWarning, known)
  try {
    if (detected === 'csv') yield* readCsv(endedLines(rest), options.onWarning, known, options.kind)
    else if (detected === 'jsonl') yield* columns.watch(ofKind(readJsonLines(endedLines(rest)), options.kind))
    else yield* columns.watch(ofKind(readJson(rest), options.kind))
  } catch (cause) {
    if (cause === STOPPED) return
    throw cause
  }
}

/**
 * JSON records, the first one read (not rejected) checked for keys of the other kind than `kind`'s,
 * as a CSV header is: such a file is refused before any record is yielded.
 */
async function* ofKind(
  records: AsyncIterable<InputRecord>,
  kind: IssueKind | undefined,
): AsyncGenerator<InputRecord> {
  let checked = kind === undefined
  for await (const record of records) {
    if (!checked && !record.error && Object.keys(record.raw).length > 0) {
      checked = true
      const other = otherKindOf(Object.keys(record.raw), kind as IssueKind)
      if (other) throw otherKindError(kind as IssueKind, other, "the first record's keys")
    }
    yield record
  }
}

/**
 * Keys of flat JSON records that are no input column, named once each (at most 20 names): a
 * misspelt column (`vacine`) is otherwise silently empty. DCC payloads (with `nam`) are checked by
 * the schema instead.
 */
class UnknownColumns {
  private readonly seen = new Set<string>()
  constructor(
    private readonly onWarning: ((warning: string) => void) | undefined,
    private readonly known: ReadonlySet<string> = INPUT_COLUMNS,
  ) {}

  async *watch(records: AsyncIterable<InputRecord>): AsyncGenerator<InputRecord> {
    for await (const record of records) {
      if (this.onWarning && !record.error && !('nam' in record.raw)) {
        const keys = Object.keys(record.raw)
        const unknown = keys.filter((k) => !this.known.has(k) && k !== REASON_COLUMN && !this.seen.has(k))
        if (unknown.length > 0 && this.seen.size < 20) {
          for (const k of unknown) this.seen.add(k)
          // named by position: an unknown key may be a holder's data (a shifted export)
          this.onWarning(
            unknownColumnsWarning(
              unknown.map((k) => `<key ${keys.indexOf(k) + 1}>`),
              `record ${record.index}`,
            ),
          )
        }
      }
      yield record
    }
  }
}

function unknownColumnsWarning(names: string[], where: string): string {
  const list = names.slice(0, 20)
  return `${where}: ${names.length === 1 ? 'column' : 'columns'} ${list.join(', ')} ${names.length === 1 ? 'is' : 'are'} not an input column and ${names.length === 1 ? 'is' : 'are'} ignored (README "Input columns")`
}

/** The REASON_COLUMN of a resent rejects file, and an unparsed row's text parsed again. */
function asResent(record: InputRecord): InputRecord {
  const raw = record.raw
  if (REASON_COLUMN in raw) {
    if (typeof raw[REASON_COLUMN] === 'string') record.resentReason = raw[REASON_COLUMN]
    delete raw[REASON_COLUMN]
  }
  const unparsed = raw[UNPARSED_KEY]
  if (typeof unparsed === 'string' && Object.keys(raw).length === 1) {
    const again = parseObject(unparsed)
    const at = {
      index: record.index,
      line: record.line,
      ...(record.element === undefined ? {} : { element: record.element }),
      ...(record.resentReason === undefined ? {} : { resentReason: record.resentReason }),
      source: unparsed,
    }
    if (again.error)
      return {
        ...at,
        raw: {},
        error: again.error,
        text: unparsed,
        ...(again.errorField ? { errorField: again.errorField } : {}),
      }
    // the text as the site fixed it may still hold the reason it was sent back with
    if (REASON_COLUMN in again.raw) delete again.raw[REASON_COLUMN]
    return { ...at, raw: again.raw }
  }
  return record
}

function parseObject(content: string): { raw: Record<string, unknown>; error?: string; errorField?: string } {
  if (content.startsWith(BOM)) return { raw: {}, error: LATER_BOM }
  let value: unknown
  try {
    value = JSON.parse(content) as unknown
  } catch {
    return { raw: {}, error: `is not valid JSON (${describeJsonError(content)})` }
  }
  const object = asObject(value)
  if (object.error || !mayHoldDuplicateKeys(content, value)) return object
  const twice = duplicateKeys(content)[0]
  return twice ? { raw: {}, ...duplicateKeyRejection(twice, content) } : object
}

/** A key known to hcert (an input column, or a DCC payload field), which a reason may name. */
function knownKey(key: string): boolean {
  return INPUT_COLUMNS.has(key) || ICVP_READ_COLUMNS.has(key) || isDccFieldName(key)
}

/**
 * Why a record giving a key twice is refused: the key when hcert knows it (else its position among
 * its object's keys, `<key 3>`: an unknown key may be a holder's data), where in `text` its second
 * occurrence is, never the values.
 */
function duplicateKeyRejection(twice: DuplicateKey, text: string): { error: string; errorField: string } {
  const name = knownKey(twice.key) ? twice.key : `<key ${twice.position}>`
  const lineStart = text.lastIndexOf('\n', twice.offset - 1) + 1
  const column = `column ${twice.offset - lineStart + 1}`
  const where = text.includes('\n') ? `line ${countLines(text, twice.offset)}, ${column}` : column
  return {
    error: `gives the key ${name} twice (the second at ${where}); keep one, so that it is clear which value counts`,
    errorField: knownKey(twice.key) ? twice.key : 'record',
  }
}

/** A parsed record: a JSON object, nested no deeper than MAX_RECORD_DEPTH. */
function asObject(value: unknown): { raw: Record<string, unknown>; error?: string } {
  if (!value || typeof value !== 'object' || Array.isArray(value))
    return { raw: {}, error: 'is not a JSON object' }
  if (tooDeep(value, MAX_RECORD_DEPTH))
    return {
      raw: {},
      error: `is nested more than ${MAX_RECORD_DEPTH} levels deep (a DCC payload has 4: payload, entries, entry, value)`,
    }
  return { raw: value as Record<string, unknown> }
}

/**
 * The longest record hcert reads (a CSV row, quoted line breaks included, or a JSON Lines line), in
 * UTF-16 units: far beyond any record a QR code can hold (2,420 characters), small enough that a
 * file with one giant cell fails at once with its line number instead of filling the memory.
 */
export const MAX_RECORD_LENGTH = 64 * 1024

/**
 * The longest line without a line end that CSV or JSON Lines input may have before reading stops:
 * 64 Mi UTF-16 units, as for a JSON document read whole. A line past MAX_RECORD_LENGTH is rejected
 * as a record and skipped up to its end (a 48 MB cell is one rejection, and the records after it are
 * read), but past this there is no end to wait for (a stream with no line breaks, such as
 * `yes | tr -d '\n'`), so the input is refused rather than read forever.
 */
export const MAX_LINE_WITHOUT_END = 64 * 1024 * 1024

/** The text of CSV or JSON Lines input, refused (ERR_INPUT) at a line past MAX_LINE_WITHOUT_END. */
async function* endedLines(text: AsyncIterable<string>): AsyncGenerator<string> {
  let line = 1
  /** characters since the last line feed */
  let open = 0
  for await (const chunk of text) {
    let last = -1
    for (let i = chunk.indexOf('\n'); i >= 0; i = chunk.indexOf('\n', i + 1)) {
      line++
      last = i
    }
    open = last < 0 ? open + chunk.length : chunk.length - last - 1
    if (open > MAX_LINE_WITHOUT_END)
      throw new DccError(
        'ERR_INPUT',
        `input: line ${line} runs past ${MAX_LINE_WITHOUT_END.toLocaleString('en')} characters without a line end (a record is at most ${MAX_RECORD_LENGTH.toLocaleString('en')}): the input is not a file of records, or is damaged`,
      )
    yield chunk
  }
}

/** A JSON array or object is read whole, up to this many UTF-16 units (64 Mi): beyond, CSV or JSON Lines. */
export const MAX_JSON_DOCUMENT_LENGTH = 64 * 1024 * 1024

const BOM = '\uFEFF'

/**
 * A byte-order mark (U+FEFF, invisible in editors) that starts a line other than the file's first:
 * what joining two exports (`cat a.csv b.csv`) leaves where the second file began.
 */
const LATER_BOM =
  "starts with an invisible byte-order mark (U+FEFF), which only a file's first line has: files were probably joined (cat a b); remove the mark at the start of this line, or save each file as UTF-8 without a BOM (signature) before joining them"

/** A CSV row that is the header again: the second file's header row, after joining two exports. */
const HEADER_AGAIN = 'repeats the header row: files were probably joined (cat a.csv b.csv); remove this line'

/** A CSV row of column names other than the header's: a joined export with other columns. */
const OTHER_HEADER =
  "is a header row (its cells are column names, not as the file's first line has them): files with other columns were probably joined (cat a.csv b.csv); remove this line, and put the rows after it in the first line's columns"

/** What a header row that starts with a byte-order mark adds to its reason: where the mark came from. */
const HEADER_BOM =
  'it starts with an invisible byte-order mark (U+FEFF), as each file saved with one does: remove this line, or save each file as UTF-8 without a BOM (signature) before joining them'

/** HEADER_AGAIN, for a row that starts with a byte-order mark too (each joined file had one). */
const HEADER_AGAIN_BOM = `repeats the header row: files were probably joined (cat a.csv b.csv), and ${HEADER_BOM}`

/** OTHER_HEADER, for a row that starts with a byte-order mark too. */
const OTHER_HEADER_BOM = `is a header row (its cells are column names, not as the file's first line has them): files with other columns were probably joined (cat a.csv b.csv), and ${HEADER_BOM}; put the rows after it in the first line's columns`

const LONG_LINE = `is longer than ${MAX_RECORD_LENGTH.toLocaleString('en')} characters, more than any certificate holds (the line was not kept)`

/** The reason for a CSV row the parser could not read whole (csv.ts), in words; never its text. */
const CSV_PROBLEMS: Readonly<Record<NonNullable<CsvRow['problem']>, string>> = {
  long: `makes the record longer than ${MAX_RECORD_LENGTH.toLocaleString('en')} characters, more than any certificate holds (the rest of the row was not kept)`,
  quote:
    'opens a quote (") that is never closed on its line; the lines after it were read as records of their own',
  closed:
    'has text after its closing quote (a quote closed in the middle of the cell, like "Tran"x), so what it holds is unclear; quote the whole cell and double each quote inside it ("Tr""an")',
}

/**
 * The format of the records on stdin, from its first bytes (as readRecords detects it), without
 * consuming them: they are put back for readRecords. For a rejects file of the input's format
 * when neither --format nor a file name says it.
 */
export async function sniffStdin(): Promise<InputFormat> {
  const stdin = process.stdin
  const chunk = await new Promise<Buffer | null>((resolve, reject) => {
    const finish = (): void => {
      stdin.off('readable', onReadable)
      stdin.off('end', onEnd)
      stdin.off('error', onError)
    }
    const onReadable = (): void => {
      const read = stdin.read() as Buffer | null
      if (read === null) return
      finish()
      resolve(read)
    }
    const onEnd = (): void => {
      finish()
      resolve(null)
    }
    const onError = (err: Error): void => {
      finish()
      reject(err)
    }
    stdin.on('readable', onReadable)
    stdin.once('end', onEnd)
    stdin.once('error', onError)
  })
  if (chunk === null) return 'csv'
  stdin.unshift(chunk)
  return sniff(
    chunk
      .subarray(0, 64 * 1024)
      .toString('utf8')
      .replace(/^\uFEFF/, ''),
  )
}

const FORMAT_NAMES: Readonly<Record<InputFormat, string>> = { csv: 'CSV', jsonl: 'JSON Lines', json: 'JSON' }

/**
 * ERR_INPUT when a file read as `format` (by --format or its name) plainly is not that format, from
 * its first text: JSON Lines whose first non-blank line is no JSON object, JSON that starts with
 * neither `[` nor `{`, CSV that starts with `[` or `{`. One error for the file, rather than a
 * rejection for each of its rows; it names the formats, never the text.
 */
export function formatMismatch(format: InputFormat, start: string): DccError | undefined {
  const text = start.trimStart()
  if (text === '') return undefined
  const json = text.startsWith('{') || text.startsWith('[')
  const plainlyNot =
    (format === 'jsonl' && !text.startsWith('{')) ||
    (format === 'json' && !json) ||
    (format === 'csv' && json)
  if (!plainlyNot) return undefined
  const looks = sniff(text)
  const what =
    format === 'jsonl'
      ? 'its first line is not a JSON object ({…})'
      : format === 'json'
        ? 'it starts with neither [ nor {'
        : 'it starts with { or [, as JSON does'
  return new DccError(
    'ERR_INPUT',
    `input: the file does not look like ${FORMAT_NAMES[format]}, the format it is read as (--format, or its name's extension): ${what}; it looks like ${FORMAT_NAMES[looks]}: give --format ${looks} (or a name ending .${looks}), or export the file as ${FORMAT_NAMES[format]}`,
  )
}

function sniff(start: string): InputFormat {
  const trimmed = start.trimStart()
  if (trimmed.startsWith('[')) return 'json'
  if (trimmed.startsWith('{')) {
    const firstLine = trimmed.split('\n', 1)[0] ?? ''
    try {
      JSON.parse(firstLine)
      return 'jsonl'
    } catch {
      return 'json'
    }
  }
  return 'csv'
}

/**
 * The header row, checked: a file separated by semicolons (as spreadsheets write CSV in locales
 * with a decimal comma) or without a header row is a usage error, not a batch of rejections.
 * Column names are not personal data; a header that names no input column may be a record, so its
 * text is never quoted.
 */
function readHeader(
  fields: string[],
  onWarning: ((warning: string) => void) | undefined,
  INPUT_COLUMNS: ReadonlySet<string>,
  kind: IssueKind | undefined,
): string[] {
  const header = fields.map((h) => unneutralise(h).trim().toLowerCase())
  // a file of the other kind (an ICVP export issued as EU DCCs, or the reverse): refused whole
  const other = kind && otherKindOf(header, kind)
  if (kind && other) throw otherKindError(kind, other, 'the CSV header')
  const known = header.filter((h) => INPUT_COLUMNS.has(h))
  if (known.length === 0) {
    const by = (separator: string): boolean =>
      fields.length === 1 &&
      (fields[0] ?? '').split(separator).some((h) => INPUT_COLUMNS.has(h.trim().toLowerCase()))
    if (by(';')) throw otherSeparator(';')
    if (by('\t')) throw otherSeparator('\t')
    throw new DccError(
      'ERR_INPUT',
      `input: the first line of the CSV names no input column (${INPUT_COLUMNS.has('product') ? 'name, dob, product, date' : 'type, fn, gn, dob'}…); a CSV needs a header row (README "Input columns")`,
    )
  }
  // a column given twice: which cell counts is a guess (the last one won), so the file is refused
  const positions = new Map<string, number[]>()
  header.forEach((h, i) => {
    if (INPUT_COLUMNS.has(h) || h === REASON_COLUMN) positions.set(h, [...(positions.get(h) ?? []), i + 1])
  })
  for (const [name, at] of positions)
    if (at.length > 1)
      throw new DccError(
        'ERR_INPUT',
        `input: the CSV header has the column "${name}" ${at.length} times (columns ${at.join(', ')}); keep one, so that it is clear which value counts`,
      )
  // named by position: an unknown header cell may be a holder's data (a file without its header row)
  const unknown = header.flatMap((h, i) =>
    h !== '' && !INPUT_COLUMNS.has(h) && h !== REASON_COLUMN ? [`<column ${i + 1}>`] : [],
  )
  if (unknown.length > 0) onWarning?.(unknownColumnsWarning(unknown, 'the CSV header'))
  return header
}

/**
 * Whether a row's cells are all column names (or empty), two at least: a header row of another
 * export than the first line's, joined below it.
 */
function namesColumnsOnly(fields: readonly string[], columns: ReadonlySet<string>): boolean {
  const cells = rowKey(fields)
    .split(',')
    .filter((c) => c !== '')
  return cells.length >= 2 && cells.every((c) => columns.has(c) || c === REASON_COLUMN)
}

/** A row's cells as readHeader reads a header (a byte-order mark at its start dropped). */
function rowKey(fields: readonly string[]): string {
  return fields
    .map((f, i) =>
      unneutralise(i === 0 ? f.replace(/^\uFEFF/, '') : f)
        .trim()
        .toLowerCase(),
    )
    .join(',')
}

/**
 * The warning for columns without a name in the header (0-based `positions`) first seen holding
 * data in record `index`: their cells are ignored, which may hide a shifted export. By number:
 * never a cell.
 */
function unnamedColumnsWarning(positions: number[], index: number): string {
  const one = positions.length === 1
  const list = positions.map((i) => `<column ${i + 1}>`).join(', ')
  return `record ${index}: ${one ? 'column' : 'columns'} ${list} ${one ? 'has' : 'have'} no name in the CSV header but ${one ? 'holds' : 'hold'} data, which is ignored; check that the columns are not shifted, and name the column or remove it (README "Input columns")`
}

/**
 * ERR_INPUT for a CSV separated by another character than the comma, found in the header or in the
 * `sep=` line Excel writes first (`hinted`). Excel's plain "CSV" uses the locale's list separator
 * (a semicolon where the decimal mark is a comma); its "CSV UTF-8 (Comma delimited)" always commas.
 */
function otherSeparator(separator: string, hinted = false): DccError {
  const name =
    separator === ';'
      ? 'semicolons'
      : separator === '\t'
        ? 'tabs'
        : `the character ${JSON.stringify(separator)}`
  const what = hinted
    ? `the file's first line (sep=) says it is separated by ${name}`
    : separator === '\t'
      ? 'the file is tab-separated'
      : `the CSV header is separated by ${name}`
  const advice =
    separator === '\t'
      ? `use commas (in Excel, save the file as ${EXCEL_CSV_UTF8})`
      : `in Excel, save the file as ${EXCEL_CSV_UTF8} (its plain "CSV" uses semicolons where the decimal mark is a comma), or replace the separators`
  return new DccError('ERR_INPUT', `input: ${what}; hcert reads comma-separated CSV (RFC 4180): ${advice}`)
}

/**
 * Excel's separator line, `sep=,` (or `sep=;`), which it writes first and reads as a hint, not a
 * row: the separator, or undefined when `fields` (the first row) is no such line.
 */
function separatorHint(fields: readonly string[]): string | undefined {
  const match = /^sep=(.)$/is.exec(fields.join(','))
  return match ? match[1] : undefined
}

/**
 * Whether a row of `count` cells fits `header` but for the empty-named columns at its end
 * (`id,…,date,`: a spreadsheet's trailing separator), which it may leave out.
 */
/** a rejects row's reason that it had a wrong cell count (the first such, as written) */
const COUNT_REASON = /has \d+ fields; the header has \d+/
/** the advice given when such a row is resent with that reason still in its reason cell */
const COUNT_AGAIN =
  ' (its cells are as typed, from the first column: put each under its column, then empty its reason cell)'

function fitsBarTrailingUnnamed(count: number, header: readonly string[]): boolean {
  let named = header.length
  while (named > 0 && header[named - 1] === '') named--
  return count >= named && count < header.length
}

async function* readCsv(
  text: AsyncIterable<string>,
  onWarning: ((warning: string) => void) | undefined,
  columns: ReadonlySet<string>,
  kind?: IssueKind,
): AsyncGenerator<InputRecord> {
  const parser = new CsvParser(MAX_RECORD_LENGTH)
  let header: string[] | undefined
  let headerCells: readonly string[] = []
  let index = 0
  /** the first row was Excel's `sep=` line */
  let sawHint = false
  /** the header row as compared with later rows (a repeated header) */
  let headerKey = ''
  /** the 0-based positions of empty-named columns not yet seen holding data */
  let unnamed: number[] = []
  const toRecords = function* (rows: ReturnType<CsvParser['push']>): Generator<InputRecord> {
    for (const row of rows) {
      if (!header) {
        const hint = index === 0 && !sawHint ? separatorHint(row.fields) : undefined
        if (hint !== undefined) {
          sawHint = true
          if (hint === ',') continue // Excel's hint, as Excel reads it: not a row
          throw otherSeparator(hint, true)
        }
        header = readHeader(row.fields, onWarning, columns, kind)
        headerCells = row.fields.map(unneutralise)
        headerKey = header.join(',')
        unnamed = header.flatMap((h, i) => (h === '' ? [i] : []))
        continue
      }
      index++
      const holding = unnamed.filter((i) => (row.fields[i] ?? '').trim() !== '')
      if (holding.length > 0) {
        unnamed = unnamed.filter((i) => !holding.includes(i))
        onWarning?.(unnamedColumnsWarning(holding, index))
      }
      const raw: Record<string, unknown> = {}
      header.forEach((name, i) => {
        // a resent rejects file's reason is not data
        if (name !== '' && name !== REASON_COLUMN) raw[name] = unneutralise(row.fields[i] ?? '')
      })
      const cells = row.fields.map(unneutralise)
      const record: InputRecord = { index, line: row.line, raw, cells, header: headerCells }
      const reasonAt = header.indexOf(REASON_COLUMN)
      if (reasonAt >= 0) record.resentReason = row.fields[reasonAt] ?? ''
      if (row.problemText !== undefined && row.problemField !== undefined) {
        cells[row.problemField] = row.problemText
        if (row.problem === 'closed') record.rawCell = row.problemField
      }
      if (row.problem) {
        record.error = CSV_PROBLEMS[row.problem]
        record.errorField = header[row.problemField ?? -1] || `column ${(row.problemField ?? 0) + 1}`
      } else if (row.fields.length !== header.length && !fitsBarTrailingUnnamed(row.fields.length, header))
        record.error = `has ${row.fields.length} fields; the header has ${header.length}`
      // a rejects row refused for its cell count was written with its cells as typed from the first
      // column, a short one padded: which cell was missing (or extra) is not known, so resent with
      // that reason still in its reason cell it is refused again, never signed from shifted cells
      else if (reasonAt >= 0) {
        const count = COUNT_REASON.exec(record.resentReason ?? '')
        if (count) record.error = `${count[0]}${COUNT_AGAIN}`
      }
      // a resent rejects file's row carries its reason, which is no column name
      const named =
        reasonAt >= 0 ? row.fields.map((f, i) => (i === reasonAt ? REASON_COLUMN : f)) : row.fields
      // a header row of the second file keeps that file's byte-order mark: one reason says both
      const marked = (row.fields[0] ?? '').startsWith(BOM)
      if (!record.error && rowKey(named) === headerKey)
        record.error = marked ? HEADER_AGAIN_BOM : HEADER_AGAIN
      else if (!record.error && namesColumnsOnly(named, columns))
        record.error = marked ? OTHER_HEADER_BOM : OTHER_HEADER
      else if (!record.error && marked) record.error = LATER_BOM
      yield record
    }
  }
  for await (const chunk of text) yield* toRecords(parser.push(chunk))
  yield* toRecords(parser.end())
}

async function* readJsonLines(text: AsyncIterable<string>): AsyncGenerator<InputRecord> {
  let pending = ''
  let line = 0
  let index = 0
  /** set while the rest of a line past MAX_RECORD_LENGTH is skipped */
  let overlong = false
  const parse = (content: string): InputRecord | undefined => {
    line++
    if (content.trim() === '') return undefined
    index++
    const text = content.endsWith('\r') ? content.slice(0, -1) : content
    const { raw, error, errorField } = parseObject(text)
    if (errorField) return { index, line, raw, error, errorField, text, source: text }
    return asResent(
      error ? { index, line, raw, error, text, source: text } : { index, line, raw, source: text },
    )
  }
  // a line past the limit is one rejected record (its text is not kept), and reading goes on
  const long = (): InputRecord => ({ index: ++index, line: ++line, raw: {}, error: LONG_LINE })
  for await (const chunk of text) {
    let rest = chunk
    if (overlong) {
      const end = rest.indexOf('\n')
      if (end < 0) continue
      rest = rest.slice(end + 1)
      overlong = false
      yield long()
    }
    pending += rest
    const lines = pending.split('\n')
    pending = lines.pop() ?? ''
    for (const content of lines) {
      const record = content.length > MAX_RECORD_LENGTH ? long() : parse(content)
      if (record) yield record
    }
    // a line without its end yet: bounded, so that a giant line costs neither the memory nor
    // quadratic time (each chunk would split it again)
    if (pending.length > MAX_RECORD_LENGTH) {
      pending = ''
      overlong = true
    }
  }
  const record = overlong ? long() : parse(pending)
  if (record) yield record
}

/** A JSON array or object is read whole: use CSV or JSON Lines for very large batches. */
async function* readJson(text: AsyncIterable<string>): AsyncGenerator<InputRecord> {
  let all = ''
  for await (const chunk of text) {
    all += chunk
    if (all.length > MAX_JSON_DOCUMENT_LENGTH)
      throw new DccError(
        'ERR_INPUT',
        `input: a JSON array or object is read whole, and this one is longer than ${MAX_JSON_DOCUMENT_LENGTH / 1024 / 1024} Mi characters: give large batches as CSV or JSON Lines (one record a line), which are streamed`,
      )
  }
  let value: unknown
  try {
    value = JSON.parse(all)
  } catch {
    // the parser's own message quotes the text around the error: position and kind only
    throw new DccError('ERR_INPUT', `input: the records are not valid JSON (${describeJsonError(all)})`)
  }
  const alone = !Array.isArray(value)
  const list = Array.isArray(value) ? value : [value]
  const spans = alone ? [] : elementSpans(all)
  const lines = alone ? [firstLine(all)] : spans.map((span) => span.line)
  const sourceOf = (i: number): string => {
    const span = spans[i]
    return alone ? all.trim() : span ? all.slice(span.start, span.end) : ''
  }
  /** the first key given twice in each element (by element index) */
  const twice = new Map<number, DuplicateKey>()
  if (mayHoldDuplicateKeys(all, value))
    for (const d of duplicateKeys(all)) if (!twice.has(d.element)) twice.set(d.element, d)
  let index = 0
  for (const item of list) {
    const line = lines[index] ?? 1
    const at = alone ? { index: index + 1, line } : { index: index + 1, line, element: index }
    const duplicate = twice.get(index)
    const source = sourceOf(index)
    index++
    if (duplicate) {
      const record: InputRecord = { ...at, raw: {}, ...duplicateKeyRejection(duplicate, all), source }
      yield alone ? { ...record, alone: true } : record
      continue
    }
    const { raw, error } = asObject(item)
    const record: InputRecord = error ? { ...at, raw, error, source } : asResent({ ...at, raw, source })
    yield alone ? { ...record, alone: true } : record
  }
}

/** The line the first non-blank character of `text` is on (1-based). */
function firstLine(text: string): number {
  const start = text.search(/\S/)
  return start < 0 ? 1 : countLines(text, start)
}

function countLines(text: string, end: number): number {
  let line = 1
  for (let i = text.indexOf('\n'); i >= 0 && i < end; i = text.indexOf('\n', i + 1)) line++
  return line
}

/**
 * Where each element of a top-level JSON array is in `text` (a text JSON.parse read as an array):
 * the line it starts on (1-based; a one-line array gives line 1 for every element, so positions in
 * it are the element index, never a line number), and its text's start and end offsets.
 */
function elementSpans(text: string): Array<{ line: number; start: number; end: number }> {
  const spans: Array<{ line: number; start: number; end: number }> = []
  let line = 1
  let depth = 0
  let inString = false
  let expectValue = false
  /** the offset after the last character of the open element that is not white space */
  let last = 0
  for (let i = 0; i < text.length; i++) {
    const ch = text[i]
    if (ch === '\n') line++
    if (inString) {
      if (ch === '\\') i++
      else if (ch === '"') inString = false
      last = i + 1
      continue
    }
    if (ch === ' ' || ch === '\t' || ch === '\r' || ch === '\n') continue
    if (depth === 1 && expectValue && ch !== ']') {
      spans.push({ line, start: i, end: i })
      expectValue = false
    }
    if (ch === '"') inString = true
    else if (ch === '[' || ch === '{') {
      depth++
      if (depth === 1) expectValue = true
    } else if (ch === ']' || ch === '}') depth--
    else if (ch === ',' && depth === 1) {
      const open = spans[spans.length - 1]
      if (open) open.end = last
      expectValue = true
      continue
    }
    if (depth >= 1) last = i + 1
    else if (depth === 0 && ch === ']') {
      const open = spans[spans.length - 1]
      if (open && open.end === open.start) open.end = last
    }
  }
  return spans
}
