/** The `HC1:` context identifier in front of the base45 text (HCERT 4.2.2). */
import { DccError } from '../errors.js'

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

const OTHER_PREFIX = /^(H[A-Z][0-9A-Z]):/

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
  const other = OTHER_PREFIX.exec(text)
  if (other) {
    throw new DccError(
      'ERR_PREFIX',
      `prefix: '${other[1]}:' is not supported; only 'HC1:' (HCERT version 1) is`,
    )
  }
  if (options.allowMissingPrefix) return { base45: text, prefix: null }
  throw new DccError(
    'ERR_PREFIX',
    `prefix: the text does not start with 'HC1:' (it starts with ${JSON.stringify(text.slice(0, 4))}); pass --allow-missing-prefix to read bare base45`,
  )
}

export function addPrefix(base45: string): string {
  return HC1_PREFIX + base45
}
