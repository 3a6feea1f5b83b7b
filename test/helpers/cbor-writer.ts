/**
 * A CBOR writer for tests that says how each item is written, which no encoder lets you choose:
 * integers in a given width (the immediate form, 1, 2, 4 or 8 bytes), maps holding a key twice,
 * any tag, floats of any size. Then a COSE_Sign1 around the payload, signed with a test key, so
 * that the signature check passes and every later check runs on what was written.
 */
import { encodeBase45 } from '../../src/codec/base45.js'
import { deflate } from '../../src/codec/zlib.js'
import { buildSigStructure } from '../../src/cose/sign1.js'
import type { Signer } from '../../src/keys/signer.js'

/** the immediate form (in the head), or an argument of 1, 2, 4 or 8 bytes */
export type Width = 0 | 1 | 2 | 4 | 8

export type Node =
  | { k: 'int'; v: bigint; width?: Width }
  | { k: 'float'; v: number; size?: 2 | 4 | 8 }
  | { k: 'text'; v: string }
  | { k: 'bytes'; v: Uint8Array }
  | { k: 'array'; items: Node[] }
  | { k: 'map'; entries: Array<[Node, Node]> }
  | { k: 'tag'; tag: bigint; item: Node }
  | { k: 'simple'; v: 20 | 21 | 22 | 23 }
  /** bytes written as they are (an encoded item) */
  | { k: 'raw'; v: Uint8Array }

export const int = (v: number | bigint, width?: Width): Node => ({ k: 'int', v: BigInt(v), width })
export const text = (v: string): Node => ({ k: 'text', v })
export const bytes = (v: Uint8Array): Node => ({ k: 'bytes', v })
export const map = (...entries: Array<[Node, Node]>): Node => ({ k: 'map', entries })
export const tag = (t: number, item: Node): Node => ({ k: 'tag', tag: BigInt(t), item })

/** A JSON-like value (objects become maps with text keys), integers in their shortest form. */
export function fromJs(value: unknown): Node {
  if (typeof value === 'number')
    return Number.isInteger(value) ? int(value) : { k: 'float', v: value, size: 8 }
  if (typeof value === 'bigint') return int(value)
  if (typeof value === 'string') return text(value)
  if (typeof value === 'boolean') return { k: 'simple', v: value ? 21 : 20 }
  if (value === null) return { k: 'simple', v: 22 }
  if (value === undefined) return { k: 'simple', v: 23 }
  if (value instanceof Uint8Array) return bytes(value)
  if (Array.isArray(value)) return { k: 'array', items: value.map(fromJs) }
  if (value instanceof Map) return { k: 'map', entries: [...value].map(([k, v]) => [fromJs(k), fromJs(v)]) }
  return { k: 'map', entries: Object.entries(value as object).map(([k, v]) => [text(k), fromJs(v)]) }
}

function minimalWidth(argument: bigint): Width {
  if (argument < 24n) return 0
  if (argument < 0x100n) return 1
  if (argument < 0x10000n) return 2
  if (argument < 0x100000000n) return 4
  return 8
}

/** the widths an argument can be written in: its shortest and every longer one */
export function widthsFor(argument: bigint): Width[] {
  const all: Width[] = [0, 1, 2, 4, 8]
  return all.slice(all.indexOf(minimalWidth(argument)))
}

function head(major: number, argument: bigint, width: Width = minimalWidth(argument)): number[] {
  const w = Math.max(width, 0) as Width
  if (w === 0) return [(major << 5) | Number(argument)]
  const info = { 1: 24, 2: 25, 4: 26, 8: 27 }[w]
  const out = [(major << 5) | info]
  for (let i = w - 1; i >= 0; i--) out.push(Number((argument >> BigInt(8 * i)) & 0xffn))
  return out
}

export function write(node: Node): Uint8Array {
  const out: number[] = []
  emit(node, out)
  return Uint8Array.from(out)
}

function emit(node: Node, out: number[]): void {
  switch (node.k) {
    case 'int': {
      const negative = node.v < 0n
      const argument = negative ? -1n - node.v : node.v
      const width = node.width !== undefined && node.width >= minimalWidth(argument) ? node.width : undefined
      out.push(...head(negative ? 1 : 0, argument, width))
      return
    }
    case 'float': {
      const size = node.size ?? 8
      const view = new DataView(new ArrayBuffer(size))
      if (size === 8) view.setFloat64(0, node.v)
      else if (size === 4) view.setFloat32(0, node.v)
      else view.setUint16(0, half(node.v))
      out.push(0xe0 | { 2: 25, 4: 26, 8: 27 }[size], ...new Uint8Array(view.buffer))
      return
    }
    case 'text': {
      const encoded = new TextEncoder().encode(node.v)
      out.push(...head(3, BigInt(encoded.length)), ...encoded)
      return
    }
    case 'bytes':
      out.push(...head(2, BigInt(node.v.length)), ...node.v)
      return
    case 'array':
      out.push(...head(4, BigInt(node.items.length)))
      for (const item of node.items) emit(item, out)
      return
    case 'map':
      out.push(...head(5, BigInt(node.entries.length)))
      for (const [key, value] of node.entries) {
        emit(key, out)
        emit(value, out)
      }
      return
    case 'tag':
      out.push(...head(6, node.tag))
      emit(node.item, out)
      return
    case 'simple':
      out.push(0xe0 | node.v)
      return
    case 'raw':
      out.push(...node.v)
  }
}

/** a half float for the few values tests use (0, ±Infinity, NaN, small integers) */
function half(value: number): number {
  if (Number.isNaN(value)) return 0x7e00
  if (value === Infinity) return 0x7c00
  if (value === -Infinity) return 0xfc00
  const f32 = new DataView(new ArrayBuffer(4))
  f32.setFloat32(0, value)
  const bits = f32.getUint32(0)
  const sign = (bits >>> 16) & 0x8000
  const exponent = ((bits >>> 23) & 0xff) - 127 + 15
  if (exponent <= 0) return sign
  if (exponent >= 31) return sign | 0x7c00
  return sign | (exponent << 10) | ((bits >>> 13) & 0x3ff)
}

export interface Envelope {
  /** the protected header map, or raw bytes for the protected bstr */
  protectedHeader: Node | Uint8Array
  unprotectedHeader?: Node
  payload: Uint8Array
  /** outermost first; default [18] */
  tags?: number[]
}

/** The COSE_Sign1 bytes, signed with `signer` over the protected bytes and payload as written. */
export function signEnvelope(envelope: Envelope, signer: Signer): Uint8Array {
  const protectedBytes =
    envelope.protectedHeader instanceof Uint8Array
      ? envelope.protectedHeader
      : write(envelope.protectedHeader)
  const toBeSigned = buildSigStructure(protectedBytes, envelope.payload)
  const signature = signer.sign(toBeSigned)
  let item: Node = {
    k: 'array',
    items: [
      bytes(protectedBytes),
      envelope.unprotectedHeader ?? map(),
      bytes(envelope.payload),
      bytes(new Uint8Array(signature)),
    ],
  }
  for (const t of [...(envelope.tags ?? [18])].reverse()) item = tag(t, item)
  return write(item)
}

export const hc1Of = (cose: Uint8Array): string => `HC1:${encodeBase45(deflate(cose))}`

/** The usual protected header: {1: alg, 4: kid} */
export const protectedFor = (signer: Signer): Node =>
  map([int(1), int(signer.algId)], [int(4), bytes(signer.kid)])

/** The usual claims: {1: iss, 4: exp, 6: iat, -260: {1: dcc}} */
export function claimsNode(dcc: unknown, iat: number, exp: number, iss = 'VN'): Node {
  return map(
    [int(1), text(iss)],
    [int(4), int(exp)],
    [int(6), int(iat)],
    [int(-260), map([int(1), fromJs(dcc)])],
  )
}
