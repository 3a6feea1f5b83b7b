/** COSE_Sign1 (RFC 9052 section 4.2) as HCERT uses it: parse the structure, build the Sig_structure. */
import { decodeCbor, encodeCbor, Tag } from '../codec/cbor.js'
import { DccError } from '../errors.js'
import { parseSign1Fast } from './fast-sign1.js'

export const TAG_COSE_SIGN1 = 18
export const TAG_CWT = 61
const HEADER_ALG = 1
const HEADER_KID = 4

const OTHER_COSE_TAGS: Readonly<Record<number, string>> = {
  16: 'COSE_Encrypt0',
  17: 'COSE_Mac0',
  96: 'COSE_Encrypt',
  97: 'COSE_Mac',
  98: 'COSE_Sign',
}

export type HeaderMap = Map<number | string, unknown>

export interface Sign1 {
  /** Tags found around the array, outermost first (e.g. [61, 18]); [] when untagged. */
  tags: number[]
  protectedBytes: Uint8Array
  protectedHeader: HeaderMap
  unprotectedHeader: HeaderMap
  payload: Uint8Array
  signature: Uint8Array
  /**
   * alg (label 1): an integer COSE id, or a text string (COSE allows one; none is registered, and
   * the signature check refuses it). Read from the protected header, else from the unprotected one;
   * algSource says which (the signature check refuses an unprotected alg next to a protected header).
   */
  alg: number | string | undefined
  algSource: 'protected' | 'unprotected' | undefined
  kid: Uint8Array | undefined
  kidSource: 'protected' | 'unprotected' | undefined
}

function fail(message: string): never {
  throw new DccError('ERR_COSE', `cose: ${message}`)
}

function isBytes(value: unknown): value is Uint8Array {
  return value instanceof Uint8Array
}

export function parseSign1(bytes: Uint8Array): Sign1 {
  return parseSign1Fast(bytes) ?? parseSign1General(bytes)
}

/** Every input, through the well-formedness guard and cbor-x: the words for every error come from here. */
export function parseSign1General(bytes: Uint8Array): Sign1 {
  let item = decodeCbor(bytes, 'the COSE message')
  const tags: number[] = []
  while (item instanceof Tag) {
    const tag = item.tag
    if (tag !== TAG_CWT && tag !== TAG_COSE_SIGN1) {
      const known = OTHER_COSE_TAGS[tag]
      fail(
        `tag ${tag}${known ? ` (${known})` : ''} is not COSE_Sign1 (tag 18)${tags.length ? ` inside tag ${tags.join(', ')}` : ''}`,
      )
    }
    tags.push(tag)
    item = item.value
  }
  if (!Array.isArray(item)) fail(`expected a COSE_Sign1 array, found ${describe(item)}`)
  if (item.length !== 4) fail(`a COSE_Sign1 array has 4 items, this one has ${item.length}`)
  const [protectedBytes, unprotectedHeader, payload, signature] = item as unknown[]
  if (!isBytes(protectedBytes))
    fail(`the protected header must be a byte string, found ${describe(protectedBytes)}`)
  if (!(unprotectedHeader instanceof Map))
    fail(`the unprotected header must be a map, found ${describe(unprotectedHeader)}`)
  if (payload === null || payload === undefined)
    fail('the payload is detached (nil); HCERT carries it inline')
  if (!isBytes(payload)) fail(`the payload must be a byte string, found ${describe(payload)}`)
  if (!isBytes(signature)) fail(`the signature must be a byte string, found ${describe(signature)}`)

  let protectedHeader: HeaderMap = new Map()
  if (protectedBytes.length > 0) {
    const decoded = decodeCbor(protectedBytes, 'the protected header')
    if (!(decoded instanceof Map)) fail(`the protected header must encode a map, found ${describe(decoded)}`)
    protectedHeader = decoded as HeaderMap
  }
  const header = unprotectedHeader as HeaderMap
  const protectedAlg = readAlg(protectedHeader)
  const unprotectedAlg = readAlg(header)
  const alg = protectedAlg ?? unprotectedAlg
  const algSource =
    protectedAlg !== undefined ? 'protected' : unprotectedAlg !== undefined ? 'unprotected' : undefined
  const protectedKid = readKid(protectedHeader, 'protected')
  const unprotectedKid = readKid(header, 'unprotected')
  const kid = protectedKid ?? unprotectedKid
  const kidSource = protectedKid ? 'protected' : unprotectedKid ? 'unprotected' : undefined
  return {
    tags,
    protectedBytes,
    protectedHeader,
    unprotectedHeader: header,
    payload,
    signature,
    alg,
    algSource,
    kid,
    kidSource,
  }
}

/**
 * Tags that are well-formed but not where HCERT puts them: anything but 18 alone or 61 around 18
 * (RFC 8392 §6: the CWT tag goes outside). Tolerated, as the EU test data asks, with these words.
 */
export function envelopeWarnings(sign1: Sign1): string[] {
  const tags = sign1.tags.join(',')
  if (tags === '18' || tags === '61,18') return []
  if (tags === '')
    return ['the COSE_Sign1 is untagged; HCERT writes tag 18 (COSE_Sign1), optionally inside tag 61 (CWT)']
  if (tags === '18,61')
    return ['tag 18 (COSE_Sign1) is outside tag 61 (CWT); the order is 61(18(…)) (RFC 8392 §6)']
  return [`the COSE_Sign1 is under tags ${sign1.tags.join(', ')}; HCERT writes 18, or 61 around 18`]
}

/**
 * An alg outside an empty protected header: accepted (the EU test data has it valid, CO20), but the
 * signature does not cover it (RFC 9052 §3.1 asks for it protected). Next to a non-empty protected
 * header the signature check refuses it instead.
 */
export function unprotectedAlgWarning(sign1: Sign1): string | undefined {
  if (sign1.algSource !== 'unprotected' || sign1.protectedBytes.length > 0) return undefined
  return 'alg (label 1) is in the unprotected header (the protected one is empty): the signature does not cover it (RFC 9052 §3.1)'
}

function readAlg(header: HeaderMap): number | string | undefined {
  const alg = header.get(HEADER_ALG)
  if (alg === undefined) return undefined
  // a text string is a well-formed alg (RFC 9052 §3.1: int / tstr): decoded, then refused by the
  // signature check, so that the payload can still be seen
  if (typeof alg === 'string') return alg
  if (typeof alg !== 'number' || !Number.isInteger(alg))
    fail(`the alg header (label 1) must be an integer or a text string, found ${describe(alg)}`)
  return alg
}

function readKid(header: HeaderMap, where: string): Uint8Array | undefined {
  const kid = header.get(HEADER_KID)
  if (kid === undefined) return undefined
  if (!isBytes(kid))
    fail(`the kid in the ${where} header (label 4) must be a byte string, found ${describe(kid)}`)
  return kid
}

function describe(value: unknown): string {
  if (value === null) return 'null'
  if (value instanceof Uint8Array) return `a ${value.length}-byte string`
  if (Array.isArray(value)) return `an array of ${value.length}`
  if (value instanceof Map) return 'a map'
  if (value instanceof Tag) return `tag ${value.tag}`
  if (typeof value === 'number' && !Number.isInteger(value)) return 'a float'
  if (typeof value === 'bigint') return 'an integer beyond 2^53'
  return typeof value === 'string' ? 'a text string' : `a ${typeof value}`
}

const SIGNATURE1 = new TextEncoder().encode('Signature1')

/** Length of a CBOR byte string head (major type 2) for `length` bytes */
function headLength(length: number): number {
  return length < 24 ? 1 : length < 0x100 ? 2 : length < 0x10000 ? 3 : 5
}

function writeByteStringHead(out: Uint8Array, o: number, length: number): number {
  if (length < 24) {
    out[o] = 0x40 | length
    return o + 1
  }
  if (length < 0x100) {
    out[o] = 0x58
    out[o + 1] = length
    return o + 2
  }
  if (length < 0x10000) {
    out[o] = 0x59
    out[o + 1] = length >> 8
    out[o + 2] = length & 0xff
    return o + 3
  }
  out[o] = 0x5a
  out[o + 1] = length >>> 24
  out[o + 2] = (length >> 16) & 0xff
  out[o + 3] = (length >> 8) & 0xff
  out[o + 4] = length & 0xff
  return o + 5
}

/**
 * The bytes that are signed: CBOR ["Signature1", protected, external_aad = h'', payload], with the
 * protected header exactly as received. Written directly into a pooled Buffer, without a CBOR
 * encoder or a new typed array, as it is on the hot path of both verify and issue.
 */
export function buildSigStructure(protectedBytes: Uint8Array, payload: Uint8Array): Uint8Array {
  const out = Buffer.allocUnsafe(
    2 +
      SIGNATURE1.length +
      headLength(protectedBytes.length) +
      protectedBytes.length +
      1 +
      headLength(payload.length) +
      payload.length,
  )
  let o = 0
  out[o++] = 0x84 // array(4)
  out[o++] = 0x60 | SIGNATURE1.length
  out.set(SIGNATURE1, o)
  o += SIGNATURE1.length
  o = writeByteStringHead(out, o, protectedBytes.length)
  out.set(protectedBytes, o)
  o += protectedBytes.length
  out[o++] = 0x40 // external_aad: empty byte string
  o = writeByteStringHead(out, o, payload.length)
  out.set(payload, o)
  return out
}

export interface Sign1Parts {
  unprotectedHeader?: HeaderMap
  payload: Uint8Array
  signature: Uint8Array
}

/** Encode a tagged COSE_Sign1 message; the protected header must be the bytes that were signed. */
export function encodeSign1(protectedBytes: Uint8Array, parts: Sign1Parts): Uint8Array {
  return encodeCbor(
    new Tag(
      [protectedBytes, parts.unprotectedHeader ?? new Map(), parts.payload, parts.signature],
      TAG_COSE_SIGN1,
    ),
  )
}

/**
 * A tagged COSE_Sign1 with an empty unprotected header, written directly into a pooled Buffer: the
 * same bytes as encodeSign1 (tested), without a CBOR encoder on the issuing hot path.
 */
export function writeSign1(protectedBytes: Uint8Array, payload: Uint8Array, signature: Uint8Array): Buffer {
  const out = Buffer.allocUnsafe(
    3 +
      headLength(protectedBytes.length) +
      protectedBytes.length +
      headLength(payload.length) +
      payload.length +
      headLength(signature.length) +
      signature.length,
  )
  out[0] = 0xd2 // tag 18
  out[1] = 0x84 // array(4)
  let o = writeByteStringHead(out, 2, protectedBytes.length)
  out.set(protectedBytes, o)
  o += protectedBytes.length
  out[o++] = 0xa0 // unprotected: {}
  o = writeByteStringHead(out, o, payload.length)
  out.set(payload, o)
  o += payload.length
  o = writeByteStringHead(out, o, signature.length)
  out.set(signature, o)
  return out
}

export function encodeProtectedHeader(alg: number, kid: Uint8Array | undefined): Uint8Array {
  const header: HeaderMap = new Map<number, unknown>([[HEADER_ALG, alg]])
  if (kid) header.set(HEADER_KID, kid)
  return encodeCbor(header)
}
