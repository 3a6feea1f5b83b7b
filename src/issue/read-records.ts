/**
 * Input records for `hcert issue`, streamed: CSV (header row), JSON Lines, a JSON array or one JSON
 * object, from a file or stdin. The format comes from the file extension, else from the first bytes.
 */
import { createReadStream, existsSync } from 'node:fs'
import { extname } from 'node:path'
import { DccError } from '../errors.js'
import { CsvParser } from './csv.js'

export type InputFormat = 'csv' | 'jsonl' | 'json'

export interface InputRecord {
  /** 1-based position of the record in the input */
  index: number
  /** the line the record starts on (for a JSON array, its position in the array) */
  line: number
  raw: Record<string, unknown>
  /** set when the record itself could not be read (bad JSON line, wrong column count) */
  error?: string
}

export function formatFromName(path: string): InputFormat | undefined {
  const ext = extname(path).toLowerCase()
  if (ext === '.csv') return 'csv'
  if (ext === '.jsonl' || ext === '.ndjson') return 'jsonl'
  if (ext === '.json') return 'json'
  return undefined
}

async function* chunks(stream: NodeJS.ReadableStream): AsyncGenerator<string> {
  const decoder = new TextDecoder('utf-8', { fatal: true })
  try {
    for await (const chunk of stream) yield decoder.decode(chunk as Buffer, { stream: true })
    yield decoder.decode()
  } catch (cause) {
    if ((cause as { code?: string }).code === 'ENOENT' || (cause as { code?: string }).code === 'EISDIR') {
      throw new DccError('ERR_INPUT', `input: ${(cause as Error).message}`, { cause })
    }
    if (cause instanceof TypeError)
      throw new DccError('ERR_INPUT', 'input: the records are not UTF-8 text', { cause })
    throw cause
  }
}

export async function* readRecords(source: string, format?: InputFormat): AsyncGenerator<InputRecord> {
  if (source !== '-' && !existsSync(source))
    throw new DccError('ERR_INPUT', `input: ${source} does not exist`)
  const stream = source === '-' ? process.stdin : createReadStream(source, { highWaterMark: 256 * 1024 })
  const text = chunks(stream)
  let first = ''
  let next = await text.next()
  while (!next.done && first.trim() === '') {
    first += next.value
    next = next.done ? next : await text.next()
  }
  const rest = (async function* () {
    yield first.replace(/^\uFEFF/, '')
    while (!next.done) {
      yield next.value
      next = await text.next()
    }
  })()
  const detected = format ?? (source !== '-' ? formatFromName(source) : undefined) ?? sniff(first)
  if (detected === 'csv') yield* readCsv(rest)
  else if (detected === 'jsonl') yield* readJsonLines(rest)
  else yield* readJson(rest)
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

async function* readCsv(text: AsyncIterable<string>): AsyncGenerator<InputRecord> {
  const parser = new CsvParser()
  let header: string[] | undefined
  let index = 0
  const toRecords = function* (rows: ReturnType<CsvParser['push']>): Generator<InputRecord> {
    for (const row of rows) {
      if (!header) {
        header = row.fields.map((h) => h.trim().toLowerCase())
        continue
      }
      index++
      const raw: Record<string, unknown> = {}
      header.forEach((name, i) => {
        if (name !== '') raw[name] = row.fields[i] ?? ''
      })
      const record: InputRecord = { index, line: row.line, raw }
      if (row.fields.length !== header.length)
        record.error = `has ${row.fields.length} fields; the header has ${header.length}`
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
  const parse = (content: string): InputRecord | undefined => {
    line++
    if (content.trim() === '') return undefined
    index++
    try {
      const value = JSON.parse(content) as unknown
      if (value && typeof value === 'object' && !Array.isArray(value))
        return { index, line, raw: value as Record<string, unknown> }
      return { index, line, raw: {}, error: 'is not a JSON object' }
    } catch (err) {
      return { index, line, raw: {}, error: `is not valid JSON (${(err as Error).message})` }
    }
  }
  for await (const chunk of text) {
    pending += chunk
    const lines = pending.split('\n')
    pending = lines.pop() ?? ''
    for (const content of lines) {
      const record = parse(content)
      if (record) yield record
    }
  }
  const record = parse(pending)
  if (record) yield record
}

/** A JSON array or object is read whole: use CSV or JSON Lines for very large batches. */
async function* readJson(text: AsyncIterable<string>): AsyncGenerator<InputRecord> {
  let all = ''
  for await (const chunk of text) all += chunk
  let value: unknown
  try {
    value = JSON.parse(all)
  } catch (cause) {
    throw new DccError('ERR_INPUT', `input: the records are not valid JSON (${(cause as Error).message})`, {
      cause,
    })
  }
  const list = Array.isArray(value) ? value : [value]
  let index = 0
  for (const item of list) {
    index++
    if (item && typeof item === 'object' && !Array.isArray(item))
      yield { index, line: index, raw: item as Record<string, unknown> }
    else yield { index, line: index, raw: {}, error: 'is not a JSON object' }
  }
}
