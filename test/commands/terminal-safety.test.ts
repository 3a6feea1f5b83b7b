/**
 * What a certificate holds is shown, never acted on by the terminal: escape sequences, carriage
 * returns and bidirectional controls in the payload are printed as \uXXXX by decode and verify
 * (before: printed raw, so a payload could clear the screen or rewrite a line to read VALID).
 */
import { describe, expect, it } from 'vitest'
import { terminalLines, terminalText } from '../../src/cli/render/terminal-text.js'
import { claimsNode, hc1Of, protectedFor, signEnvelope, write } from '../helpers/cbor-writer.js'
import { encodeBase45 } from '../../src/codec/base45.js'
import { encodeCbor } from '../../src/codec/cbor.js'
import { addPrefix } from '../../src/codec/prefix.js'
import { deflate } from '../../src/codec/zlib.js'
import { signPayload } from '../../src/hcert/sign-hc1.js'
import { runCli } from '../helpers/cli.js'
import { cardPayload, makeIssuer, shcOf, signCard } from '../helpers/shc.js'
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

describe('the WHO kinds and SMART Health Cards print a hostile payload as text', () => {
  it('an ICVP: names, values and a field not in the model (labelled by its key) are escaped', () => {
    const icvp = {
      n: `${ESC}[2JVALID\u202e`,
      dob: '1990-01-01',
      [`${ESC}]0;x${ESC}\\`]: `\u009b31m`,
      v: { vp: 'XM0N24', dt: '2024-12-01', bo: `B${ESC}1`, cn: 'Dr' },
    }
    const cwt = new Map<unknown, unknown>([
      [1, 'XXA'],
      [6, 1733011200],
      [-260, new Map([[-6, icvp]])],
    ])
    const who = addPrefix(encodeBase45(deflate(signPayload(encodeCbor(cwt), signer))))
    for (const args of [
      ['decode', who],
      ['decode', who, '--unpacked'],
      ['decode', who, '--layers'],
    ]) {
      const result = runCli(args)
      expect(result.code).toBe(0)
      expect(result.stdout + result.stderr).not.toMatch(UNSAFE)
    }
    expect(runCli(['decode', who]).stdout).toContain('\\u001b[2JVALID\\u202e')
  })

  it('a SMART Health Card: FHIR values, its issuer and its header are escaped', async () => {
    const issuer = await makeIssuer()
    const payload = cardPayload() as {
      iss: string
      vc: { credentialSubject: { fhirBundle: { entry: Array<{ resource: Record<string, unknown> }> } } }
    }
    payload.iss = `https://x${ESC}[2J`
    payload.vc.credentialSubject.fhirBundle.entry[0]!.resource.name = [
      { family: `${ESC}[31mRed\u202e`, given: ['J'] },
    ]
    const card = shcOf(await signCard(payload, issuer))
    for (const args of [
      ['decode', card],
      ['decode', card, '--layers'],
    ]) {
      const result = runCli(args)
      expect(result.code).toBe(0)
      expect(result.stdout + result.stderr).not.toMatch(UNSAFE)
      expect(result.stdout).toContain('\\u001b[31mRed\\u202e')
    }
  })
})
