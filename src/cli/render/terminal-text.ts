/**
 * Text from a certificate, a file name or a message, made safe to print on a terminal: C0 controls
 * (ESC, CR, BEL, line breaks …), DEL, C1 controls (U+0080..U+009F, among them the 8-bit CSI), the
 * Unicode line and paragraph separators and the bidirectional controls (U+061C, U+200E, U+200F,
 * U+202A..U+202E, U+2066..U+2069, "Trojan Source") are shown as \uXXXX escapes instead of being
 * acted on. A payload could otherwise recolour the terminal, move the cursor, rewrite a line that
 * says VALID, or reorder what is shown.
 */
// eslint-disable-next-line no-control-regex
const UNSAFE = /[\u0000-\u001f\u007f-\u009f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g

const escape = (char: string): string => `\\u${char.charCodeAt(0).toString(16).padStart(4, '0')}`

/** One line of text: every unsafe character escaped, line breaks included. */
export function terminalText(text: string): string {
  return text.replace(UNSAFE, escape)
}

/** Several lines (the CBOR diagnostic): each line made safe, the line breaks between them kept. */
export function terminalLines(text: string): string {
  return text.split('\n').map(terminalText).join('\n')
}

// what JSON.stringify leaves raw (it escapes C0 only); DEL is left alone in JSON, as terminals ignore it
const UNSAFE_IN_JSON = /[\u0080-\u009f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g

/**
 * JSON text with the C1, line-separator and bidi controls that JSON.stringify leaves raw written
 * as \uXXXX escapes: the same JSON value, safe when --json output goes to a terminal.
 */
export function terminalJson(json: string): string {
  return json.replace(UNSAFE_IN_JSON, escape)
}
