/**
 * What a certificate holds is shown, never acted on by the terminal: escape sequences, carriage
 * returns and bidirectional controls in the payload are printed as \uXXXX by decode and verify
 * (before: printed raw, so a payload could clear the screen or rewrite a line to read VALID).
 */
import { describe, expect, it } from 'vitest'
import { terminalLines, terminalText } from '../../src/cli/render/terminal-text.js'
import { claimsNode, hc1Of, protectedFor, signEnvelope, write } from '../helpers/cbor-writer.js'
import { runCli } from '../helpers/cli.js'
import { exampleSigner, KEYS_EXAMPLE } from '../helpers/keys.js'
import { EXP, IAT, VACCINATION } from '../helpers/payloads.js'

const ESC = '\u001b'
const signer = exampleSigner('ES256')
const hostile = structuredClone(VACCINATION) as Record<string, unknown> & typeof VACCINATION
hostile.nam.gn = `${ESC}[2J${ESC}[1;1HVALID\r\u202eevil\u0007`
hostile.v[0]!.ma = `${ESC}]0;title${ESC}\\`
hostile.v[0]!.is = 'Bộ Y tế\u009b31m'
;(hostile as Record<string, unknown>)[`${ESC}[31mkey`] = 1
const hc1 = hc1Of(
  signEnvelope(
    { protectedHeader: protectedFor(signer), payload: write(claimsNode(hostile, IAT, EXP, `V${ESC}N`)) },
    signer,
  ),
)

/** no control character but the line feed, no C1 control and no bidi control */
// eslint-disable-next-line no-control-regex
const UNSAFE = /[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/

describe('terminal text', () => {
  it('escapes C0, DEL, C1, line separators and bidi controls, and nothing else', () => {
    expect(terminalText(`a${ESC}[31m\r\n\t\u0085\u009b\u202e\u2066\u2028b`)).toBe(
      'a\\u001b[31m\\u000d\\u000a\\u0009\\u0085\\u009b\\u202e\\u2066\\u2028b',
    )
    expect(terminalText('Nguyễn Văn Đức, 𝄞 ✓')).toBe('Nguyễn Văn Đức, 𝄞 ✓')
    expect(terminalLines(`a${ESC}\nb\u202e`)).toBe('a\\u001b\nb\\u202e')
  })
})

describe('decode and verify print a hostile payload as text', () => {
  it.each([
    ['decode', ['decode', hc1]],
    ['decode --layers', ['decode', hc1, '--layers']],
    ['verify', ['verify', hc1, '--trust', KEYS_EXAMPLE, '--at', '2021-06-03']],
  ])('%s: no raw control character reaches stdout or stderr', (_, args) => {
    const result = runCli(args)
    expect(result.code).not.toBe(1)
    expect(result.stdout + result.stderr).not.toMatch(UNSAFE)
    if (args[0] === 'decode') {
      expect(result.stdout).toContain('\\u001b[2J\\u001b[1;1HVALID\\u000d\\u202eevil\\u0007')
      expect(result.stdout).toContain('V\\u001bN')
    }
  })

  it('a value-set warning quotes a value only when it has the shape of a code', () => {
    const result = runCli(['verify', hc1, '--trust', KEYS_EXAMPLE, '--at', '2021-06-03', '--json'])
    // --json: the same values, with what JSON.stringify leaves raw (C1, bidi) escaped too
    expect(result.stdout).not.toMatch(UNSAFE)
    const parsed = JSON.parse(result.stdout) as {
      warnings: Array<{ message: string }>
      payload: typeof VACCINATION
    }
    expect(parsed.payload.nam.gn).toBe(hostile.nam.gn)
    const warnings = parsed.warnings
    expect(warnings.map((w) => w.message)).toContain(
      '/v/0/ma (a text of 11 characters, not a code) is not in the value set vaccine-mah-manf',
    )
  })
})
