/** CBOR diagnostic notation (RFC 8949 section 8) of decoded values, for people debugging a payload. */
import { SimpleValue, Tag } from './cbor.js'

const hex = (bytes: Uint8Array): string =>
  Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('hex')

export interface DiagnosticOptions {
  /** byte strings to show as embedded CBOR (<< >>) instead of hex, with their decoded value */
  embedded?: Map<Uint8Array, unknown>
  indent?: string
}

export function toDiagnostic(value: unknown, options: DiagnosticOptions = {}, depth = 0): string {
  const pad = (options.indent ?? '  ').repeat(depth + 1)
  const end = (options.indent ?? '  ').repeat(depth)
  if (value instanceof Uint8Array) {
    const inner = options.embedded?.get(value)
    if (inner !== undefined) return `<< ${toDiagnostic(inner, options, depth)} >>`
    return `h'${hex(value)}'`
  }
  if (value instanceof Tag) return `${value.tag}(${toDiagnostic(value.value, options, depth)})`
  if (value instanceof SimpleValue) return `simple(${value.value})`
  if (value instanceof Map) {
    if (value.size === 0) return '{}'
    const entries = [...value].map(
      ([k, v]) => `${pad}${toDiagnostic(k, options, depth + 1)}: ${toDiagnostic(v, options, depth + 1)}`,
    )
    return `{\n${entries.join(',\n')}\n${end}}`
  }
  if (Array.isArray(value)) {
    if (value.length === 0) return '[]'
    return `[\n${value.map((v) => pad + toDiagnostic(v, options, depth + 1)).join(',\n')}\n${end}]`
  }
  if (typeof value === 'string') return JSON.stringify(value)
  if (value === null) return 'null'
  if (value === undefined) return 'undefined'
  return String(value)
}
