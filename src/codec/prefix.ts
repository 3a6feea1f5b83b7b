/** The `HC1:` context identifier in front of the base45 text (HCERT 4.2.2). */
import { DccError } from '../errors.js'
import { decodeBase45 } from './base45.js'
import { inflate } from './zlib.js'

export const HC1_PREFIX = 'HC1:'

/** Largest text a QR code can hold (version 40, error correction L, alphanumeric mode). */
export const MAX_QR_TEXT_LENGTH = 4296

export interface UnprefixOptions {
  /** Accept text without any prefix as bare base45 (a foreign prefix such as `HC2:` is still refused). */
  allowMissingPrefix?: boolean
}

export interface Unprefixed {
  base45: string
  prefix: string | null
}

/** The characters of base45 (RFC 9285 §4), which are those of the QR alphanumeric mode. */
const BASE45_TEXT = /^[0-9A-Z $%*+\-./:]*$/

/**
 * Context identifiers of other formats that people meet next to HCERT, refused by name even with
 * --allow-missing-prefix (they are not bare base45 HCERTs).
 */
const KNOWN_FOREIGN: ReadonlyArray<readonly [RegExp, (found: string) => string]> = [
  [/^NL2:/, () => "'NL2:', a Dutch domestic CoronaCheck code"],
  [/^LT1:/, () => "'LT1:', a Swiss COVID certificate light"],
  [/^shc:\//i, () => "'shc:/', a SMART Health Card"],
  [/^(H[A-Z][0-9A-Z]):/, (found) => `'${found}', the prefix of another HCERT version`],
]

/** Looks like a context identifier (letters and a version digit, then a colon). */
const PREFIX_LIKE = /^([A-Za-z]{2,3}[0-9]):/

/**
 * The text read as bare base45 gets through base45 and zlib: only then can --allow-missing-prefix
 * help, so only then is it suggested (a hint that ends in ERR_INFLATE helps no one).
 */
function canBeBareBase45(text: string): boolean {
  if (!BASE45_TEXT.test(text) || text.length % 3 === 1) return false
  try {
    inflate(decodeBase45(text))
    return true
  } catch {
    return false
  }
}

/** `HC1:` mistyped: a lower-case l, a capital I or a bar for the digit one (copied by hand, or by OCR) */
const TYPO_HC1 = /^HC[lI|]:/i

/**
 * Splits `HC1:` off the text (HCERT 4.2.2). Refused with ERR_PREFIX: empty or over-long text, a
 * lower-case `hc1:` (the message says whether upper-casing the prefix or the whole text can work),
 * the prefix of another format (named: `NL2:`, `LT1:`, `shc:/`, `HC2:` …), and a missing prefix
 * unless `allowMissingPrefix`, and `HC1:` mistyped (`HCl:`, `HCI:`), named as a likely typo. A hint
 * names --allow-missing-prefix only when the text, read as bare base45, gets through zlib.
 */
export function removePrefix(text: string, options: UnprefixOptions = {}): Unprefixed {
  if (typeof text !== 'string') throw new TypeError('removePrefix expects a string')
  if (text.length === 0) throw new DccError('ERR_PREFIX', 'prefix: the input is empty')
  if (text.length > MAX_QR_TEXT_LENGTH) {
    throw new DccError(
      'ERR_PREFIX',
      `prefix: the input is ${text.length} characters long; no QR code holds more than ${MAX_QR_TEXT_LENGTH}`,
    )
  }
  if (text.startsWith(HC1_PREFIX)) return { base45: text.slice(HC1_PREFIX.length), prefix: HC1_PREFIX }
  if (/^hc1:/i.test(text)) {
    const rest = text.slice(HC1_PREFIX.length)
    const fix = BASE45_TEXT.test(rest)
      ? "write the prefix as 'HC1:'"
      : BASE45_TEXT.test(rest.toUpperCase())
        ? 'write the whole text in upper case (base45 has no lower-case letters)'
        : undefined
    throw new DccError(
      'ERR_PREFIX',
      `prefix: the text starts with '${text.slice(0, 4)}' in lower case; HCERT asks for 'HC1:' in upper case${fix ? `: ${fix}` : ''}`,
    )
  }
  const typo = TYPO_HC1.exec(text)
  if (typo) {
    throw new DccError(
      'ERR_PREFIX',
      `prefix: the text starts with '${typo[0]}', likely a typo for 'HC1:' (with the digit one); write the prefix as 'HC1:'`,
    )
  }
  for (const [pattern, name] of KNOWN_FOREIGN) {
    const found = pattern.exec(text)
    if (found) {
      throw new DccError(
        'ERR_PREFIX',
        `prefix: this is not an EU DCC: the text starts with ${name(found[1] ? `${found[1]}:` : found[0])}, which is not supported; only 'HC1:' (HCERT version 1) is`,
      )
    }
  }
  if (options.allowMissingPrefix) return { base45: text, prefix: null }
  const other = PREFIX_LIKE.exec(text)
  if (other) {
    throw new DccError(
      'ERR_PREFIX',
      `prefix: the text starts with '${other[1]}:', the prefix of another format, not 'HC1:'${canBeBareBase45(text) ? '; if it is bare base45, pass --allow-missing-prefix' : ''}`,
    )
  }
  throw new DccError(
    'ERR_PREFIX',
    `prefix: the text does not start with 'HC1:'${canBeBareBase45(text) ? '; pass --allow-missing-prefix to read bare base45' : ''}`,
  )
}

export function addPrefix(base45: string): string {
  return HC1_PREFIX + base45
}
