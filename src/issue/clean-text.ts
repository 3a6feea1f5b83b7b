/**
 * Text values of an input record as hcert reads them, before any check, transliteration or key:
 * - Unicode NFC (UAX #15), so that a name typed with combining marks ("Nguye\u0302\u0303n") and the
 *   same name precomposed ("Nguyễn") are one name, one key and one certificate;
 * - trimmed of surrounding white space (a flat record's cells; a DCC payload's strings keep theirs);
 * - each run of white space inside (spaces of any kind: U+0020, no-break, ideographic U+3000, the
 *   U+2000 series; Unicode category Zs) made one ASCII space, so that "Văn  Ân" and "Văn\u3000Ân"
 *   are the name "Văn Ân": one key, one certificate. Letter case is kept: "NGUYỄN" and "Nguyễn" are
 *   two records, since the certificate shows the name as written and folding it would show another
 *   spelling than the one the holder's documents carry;
 * - refused when it holds a character no one's data holds: a control character (C0, DEL, C1: line
 *   breaks, tabs, ESC and the terminal escape sequences it starts), a bidirectional control (U+202A–
 *   U+202E, U+2066–U+2069, LRM/RLM/ALM: they make text display in another order than it is stored),
 *   an invisible format character (zero-width space and joiners, soft hyphen, word joiner, BOM, tag
 *   characters: Unicode category Cf), a line or paragraph separator, an unpaired surrogate, or the
 *   replacement character U+FFFD (the mark of a file decoded in the wrong encoding);
 * - of the JSON type the column takes: text (a JSON string); numbers only where a number is meant.
 * Reasons name the kind of problem and its position (a 1-based character count), never the value.
 */
import type { Rejection } from './build-dcc.js'

const BIDI = /[\u061C\u200E\u200F\u202A-\u202E\u2066-\u2069]/u
const CONTROL = /\p{Cc}/u
const SURROGATE = /\p{Cs}/u
const INVISIBLE = /[\p{Cf}\p{Zl}\p{Zp}]/u
const SPACE_RUN = /\p{Zs}{2,}|[^\P{Zs} ]/u

/** `text` with each run of Unicode space separators (Zs) made one ASCII space. */
export function collapseSpaces(text: string): string {
  return SPACE_RUN.test(text) ? text.replace(/\p{Zs}+/gu, ' ') : text
}

/**
 * `text` as a flat record's cell is read: NFC, trimmed, each run of spaces one ASCII space. For the
 * values hcert fills in itself (the issuer from the DSC's organisation or --issuer), so that they
 * read as the same value typed in a record would (`  Mo  H  ` is signed as `Mo H`).
 */
export function standardText(text: string): string {
  return collapseSpaces(text.normalize('NFC').trim())
}

/** The first character of `text` that no field may hold, in words with its position; undefined if none. */
export function forbiddenCharacter(text: string): string | undefined {
  // a fast path for the usual value: printable ASCII only
  if (/^[\x20-\x7E]*$/.test(text)) return undefined
  let position = 0
  for (const ch of text) {
    position++
    const kind = CONTROL.test(ch)
      ? 'a control character (a line break, a tab, an escape or another terminal control)'
      : BIDI.test(ch)
        ? 'a bidirectional-text control character (it makes text display in another order)'
        : SURROGATE.test(ch)
          ? 'an unpaired surrogate (text that is not valid Unicode)'
          : INVISIBLE.test(ch)
            ? 'an invisible character (a zero-width space or joiner, a soft hyphen, a separator…)'
            : ch === '\uFFFD'
              ? 'a replacement character (U+FFFD: the file was read in another encoding than it was written in; save it as UTF-8)'
              : undefined
    if (kind) return `contains ${kind} at character ${position}; remove it`
  }
  return undefined
}

/** What a JSON value is, for a reason: `a number`, `a list`… */
function jsonKind(value: unknown): string {
  if (typeof value === 'number') return 'a number'
  if (typeof value === 'boolean') return 'true or false'
  if (Array.isArray(value)) return 'a list'
  if (typeof value === 'object') return 'an object'
  return `a ${typeof value}`
}

export interface CleanedText {
  /** the value as text (NFC, trimmed); undefined when missing, empty or refused */
  text?: string
  rejection?: Rejection
}

/**
 * A flat record's cell as text. `numbers`: a JSON number is taken as its decimal text (for `dose`,
 * `doses` and `id`, where JSON writers put numbers); elsewhere a number, true/false, a list or an
 * object is refused, naming the column and the type it takes. null counts as missing.
 */
export function cleanText(value: unknown, column: string, numbers = false): CleanedText {
  if (value === undefined || value === null) return {}
  let text: string
  if (typeof value === 'string') text = value
  else if (numbers && typeof value === 'number') {
    // JSON readers keep a number as a double: past 2^53 its last digits are already lost, and an id
    // would name another record (past a double's range, 1E400, it is Infinity: nothing of it is
    // left); an id number is a whole number of 0 or more (text takes any other)
    if (!Number.isFinite(value) || Math.abs(value) > Number.MAX_SAFE_INTEGER)
      return {
        rejection: {
          field: column,
          reason: `a number this large loses digits${column === 'id' ? ': write the id as text' : ''}`,
        },
      }
    if (column === 'id' && !(Number.isInteger(value) && value >= 0))
      return {
        rejection: { field: column, reason: 'must be a whole number of 0 or more, or text (a JSON string)' },
      }
    text = String(value)
  } else
    return {
      rejection: {
        field: column,
        reason: `must be ${numbers ? 'a number or text' : 'text'} (a JSON string), not ${jsonKind(value)}`,
      },
    }
  const trimmed = text.normalize('NFC').trim()
  if (trimmed === '') return {}
  const problem = forbiddenCharacter(trimmed)
  if (problem) return { rejection: { field: column, reason: problem } }
  return { text: collapseSpaces(trimmed) }
}

/**
 * Every string in a DCC payload, NFC-normalised in place with its runs of spaces made one (keys too); `onProblem` gets the JSON
 * path (`/nam/fn`) of each string holding a character no field may hold. Iterative: the depth of
 * the value is bounded by the reader (read-records.ts), but this does not rely on it.
 */
export function normalisePayloadText(
  payload: Record<string, unknown>,
  onProblem: (path: string, reason: string) => void,
): void {
  const stack: Array<{ value: Record<string, unknown> | unknown[]; path: string }> = [
    { value: payload, path: '' },
  ]
  while (stack.length > 0) {
    const { value, path } = stack.pop() as (typeof stack)[number]
    const keys = Array.isArray(value) ? value.map((_, i) => i) : Object.keys(value)
    for (const key of keys) {
      const member = (value as Record<string | number, unknown>)[key]
      const at = `${path}/${key}`
      if (typeof member === 'string') {
        const normalised = collapseSpaces(member.normalize('NFC'))
        if (normalised !== member) (value as Record<string | number, unknown>)[key] = normalised
        const problem = forbiddenCharacter(normalised)
        if (problem) onProblem(at, problem)
      } else if (member !== null && typeof member === 'object')
        stack.push({ value: member as Record<string, unknown> | unknown[], path: at })
    }
  }
}
