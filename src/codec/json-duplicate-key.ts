/**
 * Keys given twice in one JSON object. RFC 8259 §4 leaves their meaning open ("names within an
 * object SHOULD be unique"): JSON.parse keeps the last value, other readers the first, so
 * `{"id":"R1","id":"R2"}` would be issued as R2 without a word, and a signed document holding two
 * `name`s shows one person to one verifier and another to the next. hcert refuses both: an input
 * record with a repeated key (as it refuses a CSV header naming a column twice), and signed JSON (a
 * SMART Health Card's JWS header and payload) with a repeated name, as a CBOR map with a repeated
 * key is refused (RFC 8949 §5.6). One scanner for both.
 */

/** A path segment as RFC 6901 writes it; a name that is not a plain field name is not quoted. */
function segment(name: string): string {
  return /^[A-Za-z0-9_$@.:#+-]{1,40}$/.test(name) ? name : `(a name of ${name.length} characters)`
}

/** A key given a second time: where (offset in the text, UTF-16 units) and which. */
export interface DuplicateKey {
  /** the key as decoded (a field name, or a holder's data in a malformed record: never print it raw) */
  key: string
  /** the 1-based position of its second occurrence among its object's keys */
  position: number
  /** offset of the second occurrence's opening quote */
  offset: number
  /** 0-based index of the top-level array element it is in; 0 when the text is not an array */
  element: number
  /** its JSON pointer, plain names only (`/vc/credentialSubject/…/name`; others described by length) */
  path: string
}

/**
 * Whether `text` (JSON that `parsed` came from) may hold a key given twice: every key in the text
 * ends with `"` then `:` (with optional white space between), so when there are no more of those
 * than the keys `parsed` holds, no key was given twice. Cheap (one regular expression and one walk),
 * so that only suspect records pay for duplicateKeys.
 */
export function mayHoldDuplicateKeys(text: string, parsed: unknown): boolean {
  let marks = 0
  const pattern = /"[ \t\r\n]*:/g
  while (pattern.exec(text) !== null) marks++
  return marks > countKeys(parsed)
}

function countKeys(value: unknown): number {
  let count = 0
  const stack: unknown[] = [value]
  while (stack.length > 0) {
    const v = stack.pop()
    if (v === null || typeof v !== 'object') continue
    if (Array.isArray(v)) stack.push(...(v as unknown[]))
    else {
      const values = Object.values(v as Record<string, unknown>)
      count += values.length
      stack.push(...values)
    }
  }
  return count
}

/**
 * The keys given twice in valid JSON `text` (first to last), each with its object's top-level array
 * element. Iterative: nesting depth cannot overflow the stack.
 */
export function duplicateKeys(text: string): DuplicateKey[] {
  const found: DuplicateKey[] = []
  /** per open container: the keys seen (objects) or undefined (arrays) */
  const stack: Array<{ keys?: Set<string>; count: number; name: string; index: number }> = []
  let element = 0
  let expectKey = false
  for (let i = 0; i < text.length; i++) {
    const ch = text[i]
    if (ch === '"') {
      const start = i
      i++
      while (i < text.length && text[i] !== '"') i += text[i] === '\\' ? 2 : 1
      const top = stack[stack.length - 1]
      if (expectKey && top?.keys) {
        const key = JSON.parse(text.slice(start, i + 1)) as string
        top.count++
        top.name = key
        if (top.keys.has(key)) {
          const path = `/${stack.map((f) => (f.keys !== undefined ? segment(f.name) : String(f.index))).join('/')}`
          found.push({ key, position: top.count, offset: start, element, path })
        } else top.keys.add(key)
        expectKey = false
      }
    } else if (ch === '{') {
      stack.push({ keys: new Set(), count: 0, name: '', index: 0 })
      expectKey = true
    } else if (ch === '[') {
      stack.push({ count: 0, name: '', index: 0 })
      expectKey = false
    } else if (ch === '}' || ch === ']') {
      stack.pop()
      expectKey = false
    } else if (ch === ',') {
      const top = stack[stack.length - 1]
      expectKey = top?.keys !== undefined
      if (top !== undefined && !top.keys) top.index++
      if (stack.length === 1 && !top?.keys) element++
    }
  }
  return found
}

/**
 * The JSON pointer of the first member name that repeats within its object, or undefined when every
 * object's names differ. `text` must be JSON that JSON.parse accepts (call this after it).
 */
export function duplicateJsonKey(text: string): string | undefined {
  return duplicateKeys(text)[0]?.path
}
