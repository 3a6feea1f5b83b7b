/**
 * URDNA2015 canonical N-Quads (W3C RDF Dataset Canonicalization) of a GDHCN DID trust-list document
 * and of its proof options, for the JsonWebSignature2020 proof (W3C CCG "JSON Web Signature 2020"
 * §4: the signed bytes are SHA-256(canonical proof options) ‖ SHA-256(canonical document)).
 *
 * A full JSON-LD processor fetches contexts and handles every JSON-LD feature; this one knows the two
 * contexts the TNG writes (`https://www.w3.org/ns/did/v1`, `https://w3id.org/security/suites/jws-2020/v1`)
 * by heart and the shapes the TNG publishes (tng-key-distribution DidTrustListServiceV2): nodes with
 * ids, verification methods embedded or by reference, `publicKeyJwk` as a JSON literal (RFC 8785
 * canonical JSON), and at most one blank node (the proof options), which URDNA2015 labels `_:c14n0`.
 * Anything else (another context, an unknown term, a second blank node) throws `Unsupported`, and the
 * proof is then reported as not checked rather than judged with a guess.
 */

export class Unsupported extends Error {}

const SEC = 'https://w3id.org/security#'
const XSD_DATETIME = 'http://www.w3.org/2001/XMLSchema#dateTime'
const RDF_TYPE = 'http://www.w3.org/1999/02/22-rdf-syntax-ns#type'
const RDF_JSON = 'http://www.w3.org/1999/02/22-rdf-syntax-ns#JSON'

export const KNOWN_CONTEXTS = ['https://www.w3.org/ns/did/v1', 'https://w3id.org/security/suites/jws-2020/v1']

type Term =
  | { iri: string; kind: 'id' } // the value is an IRI (or an embedded node)
  | { iri: string; kind: 'json' } // a JSON literal
  | { iri: string; kind: 'text' }
  | { iri: string; kind: 'datetime' }
  | { iri: string; kind: 'vocab' } // an IRI named by a term (proofPurpose)

const TERMS: Readonly<Record<string, Term>> = {
  controller: { iri: `${SEC}controller`, kind: 'id' },
  verificationMethod: { iri: `${SEC}verificationMethod`, kind: 'id' },
  assertionMethod: { iri: `${SEC}assertionMethod`, kind: 'id' },
  authentication: { iri: `${SEC}authenticationMethod`, kind: 'id' },
  capabilityInvocation: { iri: `${SEC}capabilityInvocationMethod`, kind: 'id' },
  capabilityDelegation: { iri: `${SEC}capabilityDelegationMethod`, kind: 'id' },
  keyAgreement: { iri: `${SEC}keyAgreementMethod`, kind: 'id' },
  publicKeyJwk: { iri: `${SEC}publicKeyJwk`, kind: 'json' },
  created: { iri: 'http://purl.org/dc/terms/created', kind: 'datetime' },
  expires: { iri: `${SEC}expiration`, kind: 'datetime' },
  nonce: { iri: `${SEC}nonce`, kind: 'text' },
  domain: { iri: `${SEC}domain`, kind: 'text' },
  challenge: { iri: `${SEC}challenge`, kind: 'text' },
  jws: { iri: `${SEC}jws`, kind: 'text' },
  proofPurpose: { iri: `${SEC}proofPurpose`, kind: 'vocab' },
}

const TYPES: Readonly<Record<string, string>> = {
  JsonWebKey2020: `${SEC}JsonWebKey2020`,
  JsonWebSignature2020: `${SEC}JsonWebSignature2020`,
}

const PURPOSES: Readonly<Record<string, string>> = {
  assertionMethod: `${SEC}assertionMethod`,
  authentication: `${SEC}authenticationMethod`,
  capabilityInvocation: `${SEC}capabilityInvocationMethod`,
  capabilityDelegation: `${SEC}capabilityDelegationMethod`,
  keyAgreement: `${SEC}keyAgreementMethod`,
}

type Json = Record<string, unknown>
const isObject = (value: unknown): value is Json =>
  typeof value === 'object' && value !== null && !Array.isArray(value)

/** The canonical N-Quads of a JSON-LD node (the document without its proof, or the proof options). */
export function canonicalNQuads(node: Json, context: unknown): string {
  const contexts = Array.isArray(context) ? context : [context]
  if (contexts.length === 0 || !contexts.every((c) => typeof c === 'string' && KNOWN_CONTEXTS.includes(c)))
    throw new Unsupported('its @context is not the DID v1 and JWS 2020 contexts')
  const quads = new Set<string>()
  let blanks = 0
  const subjectOf = (obj: Json): string => {
    if (obj.id === undefined) {
      if (++blanks > 1) throw new Unsupported('it holds more than one node without an id')
      return '_:c14n0'
    }
    if (typeof obj.id !== 'string' || !isAbsoluteIri(obj.id))
      throw new Unsupported('a node id is not an absolute IRI')
    return iri(obj.id)
  }
  const walk = (obj: Json): string => {
    const subject = subjectOf(obj)
    for (const [key, value] of Object.entries(obj)) {
      if (key === 'id' || key === '@context') continue
      if (key === 'type') {
        for (const type of list(value)) {
          const typeIri = typeof type === 'string' ? TYPES[type] : undefined
          if (!typeIri) throw new Unsupported('a type is not one the JWS 2020 context defines')
          quads.add(`${subject} <${RDF_TYPE}> ${iri(typeIri)} .\n`)
        }
        continue
      }
      const term = Object.hasOwn(TERMS, key) ? TERMS[key] : undefined
      if (!term)
        throw new Unsupported(`the term ${JSON.stringify(key).slice(0, 40)} is not in the known contexts`)
      for (const item of term.kind === 'json' ? [value] : list(value)) {
        if (item === null) continue
        quads.add(`${subject} ${iri(term.iri)} ${object(term, item, walk)} .\n`)
      }
    }
    return subject
  }
  walk(node)
  return [...quads].sort(byCodePoint).join('')
}

function object(term: Term, value: unknown, walk: (obj: Json) => string): string {
  switch (term.kind) {
    case 'id':
      if (isObject(value)) return walk(value)
      if (typeof value !== 'string' || !isAbsoluteIri(value))
        throw new Unsupported('a reference is not an absolute IRI')
      return iri(value)
    case 'json':
      return `${literal(canonicalJson(value))}^^<${RDF_JSON}>`
    case 'datetime':
      if (typeof value !== 'string') throw new Unsupported('a date-time is not text')
      return `${literal(value)}^^<${XSD_DATETIME}>`
    case 'vocab': {
      const purpose = typeof value === 'string' ? PURPOSES[value] : undefined
      if (!purpose) throw new Unsupported('the proof purpose is not a known one')
      return iri(purpose)
    }
    default:
      if (typeof value !== 'string') throw new Unsupported('a text term holds something else')
      return literal(value)
  }
}

const list = (value: unknown): unknown[] => (Array.isArray(value) ? value : [value])

const isAbsoluteIri = (value: string): boolean => /^[A-Za-z][A-Za-z0-9+.-]*:[^\s<>"{}|\\^`]*$/.test(value)

const iri = (value: string): string => `<${value}>`

/** an N-Quads string literal (RDF 1.1 N-Quads §7: \\ " \n \r escaped) */
function literal(text: string): string {
  return `"${text.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n').replace(/\r/g, '\\r')}"`
}

/** RFC 8785 JSON canonicalisation: keys sorted by UTF-16 code units, ECMAScript number and string forms. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`
  if (isObject(value))
    return `{${Object.keys(value)
      .sort()
      .filter((k) => value[k] !== undefined)
      .map((k) => `${JSON.stringify(k)}:${canonicalJson(value[k])}`)
      .join(',')}}`
  return JSON.stringify(value)
}

/** N-Quads lines sorted by Unicode code point (URDNA2015 orders the serialised quads so) */
function byCodePoint(a: string, b: string): number {
  const x = [...a]
  const y = [...b]
  for (let i = 0; i < Math.min(x.length, y.length); i++) {
    const d = (x[i] as string).codePointAt(0)! - (y[i] as string).codePointAt(0)!
    if (d !== 0) return d
  }
  return x.length - y.length
}
