/**
 * The whole read path, text to payload: prefix → base45 → zlib → COSE_Sign1 → CWT claims.
 * Pure: no I/O, no clock, no trust. Each layer's failure is a DccError naming that layer.
 * Verify, renew and conformance build on this.
 */
import { decodeBase45 } from '../codec/base45.js'
import { removePrefix, type UnprefixOptions } from '../codec/prefix.js'
import { inflateStream } from '../codec/zlib.js'
import { parseSign1, type Sign1 } from '../cose/sign1.js'
import { parseClaims, type CwtClaims } from '../cwt/claims.js'

export interface DecodedHcert {
  prefix: string | null
  base45Length: number
  compressed: Uint8Array
  /** bytes after the zlib stream's end, ignored (a warning) */
  trailingBytes: number
  cose: Uint8Array
  sign1: Sign1
  claims: CwtClaims
}

export type DecodeOptions = UnprefixOptions

export function decodeHc1(text: string, options: DecodeOptions = {}): DecodedHcert {
  const { base45, prefix } = removePrefix(text, options)
  const compressed = decodeBase45(text, text.length - base45.length)
  const { output: cose, trailingBytes } = inflateStream(compressed)
  return { prefix, base45Length: base45.length, compressed, trailingBytes, ...decodeCose(cose) }
}

export function decodeCose(cose: Uint8Array): { cose: Uint8Array; sign1: Sign1; claims: CwtClaims } {
  const sign1 = parseSign1(cose)
  return { cose, sign1, claims: parseClaims(sign1.payload) }
}
