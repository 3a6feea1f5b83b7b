/**
 * Where JSON text goes wrong, in words, without quoting it: a JSON parser's own message quotes the
 * text around the error, which in a record is a holder's name or date of birth. This scanner
 * follows RFC 8259's grammar (iteratively, so deep nesting cannot overflow the stack) and reports
 * the first error as `line L, column C: <kind>` (1-based; the column counts UTF-16 units; one-line
 * text, such as a JSON Lines row, gets the column alone).
 */

interface JsonFault {
  offset: number
  kind: string
}

const WS = new Set([0x20, 0x09, 0x0a, 0x0d])

function findFault(text: string): JsonFault | undefined {
  let i = 0
  const skip = (): void => {
    while (i < text.length && WS.has(text.charCodeAt(i))) i++
  }
  /** after a value inside a container: `,` or the closer; a stack of '}' / ']' */
  const stack: string[] = []
  const string = (): JsonFault | undefined => {
    i++ // the opening quote
    while (i < text.length) {
      const c = text.charCodeAt(i)
      if (c === 0x22) {
        i++
        return undefined
      }
      if (c < 0x20) return { offset: i, kind: 'a control character (such as a line break) inside a string' }
      if (c === 0x5c) {
        const e = text[i + 1]
        if (e === 'u') {
          if (!/^[0-9a-fA-F]{4}$/.test(text.slice(i + 2, i + 6)))
            return { offset: i, kind: 'a \\u escape without four hexadecimal digits' }
          i += 6
        } else if (e !== undefined && '"\\/bfnrt'.includes(e)) i += 2
        else return { offset: i, kind: 'a backslash escape JSON does not have' }
      } else i++
    }
    return { offset: text.length, kind: 'a string is not closed' }
  }
  const scalar = (): JsonFault | undefined => {
    const rest = text.slice(i, i + 5)
    for (const word of ['true', 'false', 'null']) {
      if (rest.startsWith(word)) {
        i += word.length
        return undefined
      }
    }
    const number = /^-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/.exec(text.slice(i, i + 400))
    if (number && number[0] !== '' && number[0] !== '-') {
      i += number[0].length
      return undefined
    }
    return {
      offset: i,
      kind: 'a character where a value should start (text must be in double quotes)',
    }
  }
  const value = (): JsonFault | undefined => {
    skip()
    if (i >= text.length) return { offset: i, kind: 'the text ends where a value should be' }
    const c = text[i]
    if (c === '"') return string()
    if (c === '{') {
      i++
      skip()
      if (text[i] === '}') {
        i++
        return undefined
      }
      stack.push('}')
      return member()
    }
    if (c === '[') {
      i++
      skip()
      if (text[i] === ']') {
        i++
        return undefined
      }
      stack.push(']')
      return undefined // the caller reads the first element
    }
    return scalar()
  }
  const member = (): JsonFault | undefined => {
    skip()
    if (text[i] !== '"')
      return i >= text.length
        ? { offset: i, kind: 'the text ends inside an object' }
        : { offset: i, kind: 'a property name in double quotes is expected' }
    const fault = string()
    if (fault) return fault
    skip()
    if (text[i] !== ':') return { offset: i, kind: "a ':' is expected after the property name" }
    i++
    return undefined // the caller reads the value
  }

  // the first value, then loop: each turn reads one value and what follows it
  let pendingValue = true
  for (;;) {
    if (pendingValue) {
      const depth = stack.length
      const fault = value()
      if (fault) return fault
      // a container was opened: read its first element (an array) or the member's value (an object)
      if (stack.length > depth) continue
    }
    pendingValue = false
    skip()
    const closer = stack[stack.length - 1]
    if (closer === undefined) {
      return i < text.length ? { offset: i, kind: 'more text after the end of the JSON value' } : undefined
    }
    if (i >= text.length)
      return { offset: i, kind: `the text ends inside ${closer === '}' ? 'an object' : 'an array'}` }
    const c = text[i]
    if (c === closer) {
      i++
      stack.pop()
      continue
    }
    if (c !== ',') return { offset: i, kind: `a ',' or '${closer}' is expected` }
    i++
    if (closer === '}') {
      const fault = member()
      if (fault) return fault
    }
    pendingValue = true
  }
}

/**
 * The fault as a site joining two files (`cat a.json b.json`) would make it, said so: a byte-order
 * mark (U+FEFF, invisible) where the grammar expects a value or white space, and a second JSON
 * document after the first.
 */
function joined(text: string, fault: JsonFault): JsonFault {
  if (fault.kind === 'more text after the end of the JSON value') {
    let next = fault.offset
    let mark = false
    for (; next < text.length; next++) {
      const c = text.charCodeAt(next)
      if (c === 0xfeff) mark = true
      else if (!WS.has(c)) break
    }
    if (text[next] === '[' || text[next] === '{')
      return {
        offset: fault.offset,
        kind: `${fault.kind}: a second JSON document starts there${mark ? ' (after an invisible byte-order mark, U+FEFF, which only a file starts with)' : ''}, so files were probably joined; make one array of the records, or give one record a line (JSON Lines, .jsonl)`,
      }
  }
  if (text.charCodeAt(fault.offset) === 0xfeff)
    return {
      offset: fault.offset,
      kind: 'an invisible byte-order mark (U+FEFF), which only a file starts with: files were probably joined; remove it',
    }
  return fault
}

/**
 * `column 1: a character where a value should start (text must be in double quotes)` for text that
 * JSON.parse refused; `not valid JSON` if the scanner finds no fault (it follows the same grammar).
 */
export function describeJsonError(text: string): string {
  const found = findFault(text)
  if (!found) return 'not valid JSON'
  const fault = joined(text, found)
  let line = 1
  let lineStart = 0
  for (let j = 0; j < fault.offset; j++) {
    if (text.charCodeAt(j) === 0x0a) {
      line++
      lineStart = j + 1
    }
  }
  const column = `column ${fault.offset - lineStart + 1}: ${fault.kind}`
  return text.includes('\n') ? `line ${line}, ${column}` : column
}
