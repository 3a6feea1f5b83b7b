/** COSE_Sign1 (RFC 9052 section 4.2) as HCERT uses it: parse the structure, build the Sig_structure. */
import { decodeCbor, encodeCbor, SimpleValue, Tag } from '../codec/cbor.js'
import { DccError } from '../errors.js'
import { parseSign1Fast } from './fast-sign1.js'

export const TAG_COSE_SIGN1 = 18
export const TAG_CWT = 61
/** self-described CBOR (RFC 8949 §3.4.6): a marker with no meaning of its own, read with a warning */
export const TAG_SELF_DESCRIBED = 55799
const HEADER_ALG = 1
const HEADER_CRIT = 2
const HEADER_KID = 4

/** COSE header labels (RFC 9052 §3.1), for messages */
const HEADER_NAMES: Readonly<Record<number, string>> = {
  1: 'alg',
  2: 'crit',
  3: 'content type',
  4: 'kid',
  5: 'IV',
  6: 'Partial IV',
}

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
    if (tag !== TAG_CWT && tag !== TAG_COSE_SIGN1 && tag !== TAG_SELF_DESCRIBED) {
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
  const out: string[] = []
  let list = sign1.tags
  if (list.includes(TAG_SELF_DESCRIBED)) {
    out.push(
      'the COSE message is under tag 55799 (self-described CBOR, RFC 8949 §3.4.6), which HCERT does not write',
    )
    list = list.filter((tag) => tag !== TAG_SELF_DESCRIBED)
  }
  const tags = list.join(',')
  if (tags === '18' || tags === '61,18') return out
  if (tags === '')
    out.push('the COSE_Sign1 is untagged; HCERT writes tag 18 (COSE_Sign1), optionally inside tag 61 (CWT)')
  else if (tags === '18,61')
    out.push('tag 18 (COSE_Sign1) is outside tag 61 (CWT); the order is 61(18(…)) (RFC 8392 §6)')
  else out.push(`the COSE_Sign1 is under tags ${list.join(', ')}; HCERT writes 18, or 61 around 18`)
  return out
}

/**
 * Labels in both the protected and the unprotected header: RFC 9052 §3 asks that a label be in
 * one of them only. Read anyway (the protected value is the one used), with these words.
 */
export function headerWarnings(sign1: Sign1): string[] {
  if (sign1.unprotectedHeader.size === 0 || sign1.protectedHeader.size === 0) return []
  const out: string[] = []
  for (const label of sign1.unprotectedHeader.keys())
    if (sign1.protectedHeader.has(label))
      out.push(
        `the header label ${labelName(label)} is in both the protected and the unprotected header (RFC 9052 §3 allows one); the protected value is used`,
      )
  return out
}

/** Labels hcert acts on; a crit (label 2) that names any other is refused (RFC 9052 §3.1). */
const UNDERSTOOD_LABELS: ReadonlySet<unknown> = new Set([HEADER_ALG, HEADER_KID])

/**
 * Why the crit header (label 2) makes the message one hcert must reject (RFC 9052 §3.1: a
 * recipient rejects a message with a critical header parameter it does not understand), or
 * undefined when there is no crit, or it names only alg and kid. crit must be in the protected
 * header, a non-empty array of labels.
 */
export function criticalHeaderProblem(sign1: Sign1): string | undefined {
  if (sign1.unprotectedHeader.has(HEADER_CRIT))
    return 'crit (label 2) is in the unprotected header; RFC 9052 §3.1 puts it in the protected header'
  if (!sign1.protectedHeader.has(HEADER_CRIT)) return undefined
  const crit = sign1.protectedHeader.get(HEADER_CRIT)
  if (!Array.isArray(crit) || crit.length === 0)
    return `crit (label 2) must be a non-empty array of header labels, found ${describe(crit)} (RFC 9052 §3.1)`
  const unknown = crit.filter((label) => !UNDERSTOOD_LABELS.has(label))
  if (unknown.length === 0) return undefined
  return `the protected header marks ${unknown.map(labelName).join(', ')} critical (crit, label 2), which hcert does not understand; RFC 9052 §3.1 asks a verifier to reject the message`
}

function labelName(label: unknown): string {
  if (typeof label === 'number') return HEADER_NAMES[label] ? `${label} (${HEADER_NAMES[label]})` : `${label}`
  return typeof label === 'string' ? 'a text label' : describe(label)
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
  if (value instanceof SimpleValue) return `simple value ${value.value}`
  if (typeof value === 'number' && !Number.isInteger(value)) return 'a float'
  if (typeof value === 'bigint') return 'an integer beyond 2^53'
  if (typeof value === 'object') return 'an object'
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
