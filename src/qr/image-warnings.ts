/**
 * What a QR code does that HCERT §4.2.2 asks otherwise, for `decode --layers` and `verify` to show:
 * whitespace around the `HC1:` text (verifier apps refuse such codes) and a mode other than
 * alphanumeric. Messages name characters and modes, never the text itself.
 */
import type { QrMode } from './qr-mode.js'

const NAMES: Readonly<Record<string, string>> = {
  '\n': 'a line feed',
  '\r': 'a carriage return',
  '\t': 'a tab',
  ' ': 'a space',
  '\u00a0': 'a no-break space',
  '\ufeff': 'a byte order mark',
}

/** `a line feed` or `2 spaces, a tab`; at most four names, then how many more */
function describe(chars: string): string {
  const names: string[] = []
  for (const ch of chars) {
    const name = NAMES[ch] ?? `U+${(ch.codePointAt(0) ?? 0).toString(16).toUpperCase().padStart(4, '0')}`
    names.push(name)
  }
  const shown = names.slice(0, 4).join(', ')
  return names.length > 4 ? `${shown} and ${names.length - 4} more` : shown
}

export function qrImageWarnings(text: string, mode: QrMode | null): string[] {
  const warnings: string[] = []
  const leading = /^[\s\ufeff]+/.exec(text)?.[0]
  const trailing = /[\s\ufeff]+$/.exec(text)?.[0]
  if (leading && leading.length < text.length)
    warnings.push(
      `the QR code's text starts with whitespace (${describe(leading)}); verifier apps may refuse it`,
    )
  if (trailing && trailing.length < text.length)
    warnings.push(
      `the QR code's text ends with whitespace (${describe(trailing)}); verifier apps may refuse it`,
    )
  // a SMART Health Card's code starts with a byte segment (`shc:/`) before its numeric one
  if (mode && mode !== 'alphanumeric' && !/^shc:\//i.test(text.trim()))
    warnings.push(`the QR code is in ${mode} mode; HCERT §4.2.2 asks for alphanumeric mode`)
  return warnings
}
