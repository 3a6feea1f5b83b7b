/**
 * Duplicate member names in JSON text. RFC 8259 §4 says names SHOULD be unique and leaves what a
 * reader does with a repeat open: JSON.parse keeps the last, other readers the first, so a signed
 * document holding two `name`s shows one person to one verifier and another to the next. Signed
 * JSON (a SMART Health Card's JWS header and payload) with a repeated name is refused, as a CBOR
 * map with a repeated key is (RFC 8949 §5.6).
 */

/** A path segment as RFC 6901 writes it; a name that is not a plain field name is not quoted. */
function segment(name: string): string {
  return /^[A-Za-z0-9_$@.:#+-]{1,40}$/.test(name) ? name : `(a name of ${name.length} characters)`
}

/** The index just past the closing quote of the JSON string that starts at `from` (a `"`). */
function stringEnd(text: string, from: number): number {
  let i = from + 1
  while (i < text.length) {
    const c = text.charCodeAt(i)
    if (c === 92 /* \ */) i += 2
    else if (c === 34 /* " */) return i + 1
    else i++
  }
  return i
}

interface Frame {
  names?: Set<string> // an object: the names read so far; undefined for an array
  name: string // the current member name (objects)
  index: number // the current element (arrays)
}

/**
 * The JSON pointer (`/vc/credentialSubject/fhirBundle/entry/0/resource/name`) of the first member
 * name that repeats within its object, or undefined when every object's names differ. `text` must
 * be JSON that JSON.parse accepts (call this after it): names are compared after unescaping
 * (`"n\u0061me"` is `name`). Linear in the text; no recursion.
 */
export function duplicateJsonKey(text: string): string | undefined {
  const stack: Frame[] = []
  let expectName = false
  let i = 0
  while (i < text.length) {
    const c = text.charCodeAt(i)
    if (c === 34 /* " */) {
      const end = stringEnd(text, i)
      const top = stack[stack.length - 1]
      if (top?.names !== undefined && expectName) {
        const name = JSON.parse(text.slice(i, end)) as string
        top.name = name
        if (top.names.has(name))
          return `/${stack.map((f) => (f.names !== undefined ? segment(f.name) : String(f.index))).join('/')}`
        top.names.add(name)
        expectName = false
      }
      i = end
      continue
    }
    if (c === 123 /* { */) {
      stack.push({ names: new Set(), name: '', index: 0 })
      expectName = true
    } else if (c === 91 /* [ */) {
      stack.push({ name: '', index: 0 })
      expectName = false
    } else if (c === 125 /* } */ || c === 93 /* ] */) {
      stack.pop()
      expectName = false
    } else if (c === 44 /* , */) {
      const top = stack[stack.length - 1]
      if (top?.names !== undefined) expectName = true
      else if (top !== undefined) top.index++
    }
    i++
  }
  return undefined
}
