/**
 * Map keys compared as CBOR data items, not as bytes (RFC 8949 §5.6): the same key written in
 * another width (4, 0x1804, 0x1b0000000000000004), as an indefinite-length string in chunks, or as
 * a float of the same value (cbor-x, as most decoders, reads 4.0 and 4 as one JavaScript number)
 * has the same fingerprint. For bytes that checkCborWellFormed has already walked.
 */
import { halfFloat } from './half-float.js'
import { isQuotableKey } from './quotable-keys.js'

/** A text that is equal for two keys exactly when a decoder would take them for the same key. */
export function keyFingerprint(bytes: Uint8Array, from: number, to: number): string {
  // the keys of nearly every map: a small integer or a short text string, in one head
  const initial = bytes[from] as number
  if (to - from === 1 && initial < 0x38) return initial < 0x18 ? `n${initial}` : `n${0x1f - initial}`
  const reader = { pos: from }
  return canonical(bytes, reader)
}

/**
 * The key at `from`, for a message: a number, or a known field name (quotable-keys.ts); never other
 * text, which could be holder data.
 */
export function describeKey(bytes: Uint8Array, from: number): string {
  const key = canonical(bytes, { pos: from })
  if (key.startsWith('n')) return key.slice(1)
  const text = /^t\d+:(.*)$/s.exec(key)?.[1]
  if (isQuotableKey(text)) return `"${text}"`
  return text !== undefined ? 'a text string' : key.startsWith('b') ? 'a byte string' : 'a structured key'
}

interface Reader {
  pos: number
}

function head(bytes: Uint8Array, r: Reader): { major: number; info: number; value: number | bigint } {
  const initial = bytes[r.pos++] as number
  const major = initial >> 5
  const info = initial & 0x1f
  if (info < 24) return { major, info, value: info }
  if (info === 31) return { major, info, value: -1 }
  const size = 1 << (info - 24)
  let value: number | bigint = 0
  if (size === 8) {
    let big = 0n
    for (let i = 0; i < 8; i++) big = (big << 8n) | BigInt(bytes[r.pos + i] as number)
    value = big <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(big) : big
  } else for (let i = 0; i < size; i++) value = (value as number) * 256 + (bytes[r.pos + i] as number)
  r.pos += size
  return { major, info, value }
}

function bytesText(bytes: Uint8Array, from: number, length: number): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset + from, length).toString('latin1')
}

function canonical(bytes: Uint8Array, r: Reader): string {
  const { major, info, value } = head(bytes, r)
  switch (major) {
    case 0:
      return `n${value}`
    case 1:
      return `n${typeof value === 'bigint' ? -1n - value : -1 - value}`
    case 2:
    case 3: {
      let text = ''
      if (info === 31) {
        while (bytes[r.pos] !== 0xff) {
          const chunk = head(bytes, r)
          text += bytesText(bytes, r.pos, Number(chunk.value))
          r.pos += Number(chunk.value)
        }
        r.pos++
      } else {
        text = bytesText(bytes, r.pos, Number(value))
        r.pos += Number(value)
      }
      return `${major === 2 ? 'b' : 't'}${text.length}:${text}`
    }
    case 4: {
      const items: string[] = []
      for (let i = 0; info === 31 ? bytes[r.pos] !== 0xff : i < Number(value); i++)
        items.push(canonical(bytes, r))
      if (info === 31) r.pos++
      return `[${items.join(',')}]`
    }
    case 5: {
      const entries: string[] = []
      for (let i = 0; info === 31 ? bytes[r.pos] !== 0xff : i < Number(value); i++)
        entries.push(`${canonical(bytes, r)}:${canonical(bytes, r)}`)
      if (info === 31) r.pos++
      return `{${entries.sort().join(',')}}`
    }
    case 6:
      return `g${value}(${canonical(bytes, r)})`
    default:
      return simple(bytes, r.pos - (info === 25 ? 2 : info === 26 ? 4 : info === 27 ? 8 : 0), info, value)
  }
}

function simple(bytes: Uint8Array, at: number, info: number, value: number | bigint): string {
  if (info < 25) return `s${value}`
  const view = new DataView(bytes.buffer, bytes.byteOffset + at)
  const float =
    info === 25 ? halfFloat(view.getUint16(0)) : info === 26 ? view.getFloat32(0) : view.getFloat64(0)
  return `n${float}`
}
