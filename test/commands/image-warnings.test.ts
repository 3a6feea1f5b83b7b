import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { signHc1 } from '../../src/hcert/sign-hc1.js'
import { runCli } from '../helpers/cli.js'
import { exampleSigner, KEYS_EXAMPLE } from '../helpers/keys.js'
import { DURING, EXP, IAT, VACCINATION } from '../helpers/payloads.js'
import { grayPng, renderQr } from '../helpers/qr-raster.js'

const TRUST = join(KEYS_EXAMPLE, 'trust-list.json')
const BUG09A = join(import.meta.dirname, '..', 'fixtures', 'bug09a-qr-trailing-newline.png')
const WHITESPACE = "the QR code's text ends with whitespace (a line feed); verifier apps may refuse it"
const BYTE_MODE = 'the QR code is in byte mode; HCERT §4.2.2 asks for alphanumeric mode'
const tmp = mkdtempSync(join(tmpdir(), 'hcert-image-warnings-'))
const hc1 = signHc1(VACCINATION, { iss: 'VN', iat: IAT, exp: EXP }, exampleSigner('ES256')).hc1

describe('what a QR image holds besides the HC1 text (bug09a)', () => {
  it('decode --layers names the whitespace and the byte mode, as text and in --json', () => {
    const text = runCli(['decode', BUG09A, '--layers'])
    expect(text.code).toBe(0)
    expect(text.stdout).toContain('QR found as is, byte mode')
    expect(text.stdout).toContain(`warning: ${WHITESPACE}`)
    expect(text.stdout).toContain(`warning: ${BYTE_MODE}`)
    const json = JSON.parse(runCli(['decode', BUG09A, '--layers', '--json']).stdout)
    expect(json.warnings).toEqual([WHITESPACE, BYTE_MODE])
    expect(json.layers.image).toMatchObject({ format: 'png', mode: 'byte', attempt: 'as is' })
  })

  it('verify: VALID with the warnings under the check "input", for a file and for an image on stdin', async () => {
    const image = join(tmp, 'byte-mode.png')
    writeFileSync(image, await grayPng(renderQr(`${hc1}\n`, { scale: 3, margin: 4, mode: 'byte' })))
    const text = runCli(['verify', image, '--trust', TRUST, '--at', DURING.toISOString()])
    expect(text.code).toBe(0)
    expect(text.stdout).toContain(`warning (input): ${WHITESPACE}`)
    expect(text.stdout).toContain(`warning (input): ${BYTE_MODE}`)
    const stdin = runCli(['verify', '-', '--trust', TRUST, '--at', DURING.toISOString(), '--json'], {
      input: readFileSync(image),
    })
    const json = JSON.parse(stdin.stdout)
    expect(json).toMatchObject({ source: 'stdin', valid: true })
    expect(json.warnings).toEqual([
      { check: 'input', message: WHITESPACE },
      { check: 'input', message: BYTE_MODE },
    ])
  })

  it('an alphanumeric code with nothing around its text has no warnings', async () => {
    const image = join(tmp, 'clean.png')
    writeFileSync(image, await grayPng(renderQr(hc1, { scale: 3, margin: 4 })))
    const json = JSON.parse(
      runCli(['verify', image, '--trust', TRUST, '--at', DURING.toISOString(), '--json']).stdout,
    )
    expect(json).toMatchObject({ valid: true, warnings: [] })
    expect(JSON.parse(runCli(['decode', image, '--json']).stdout).warnings).toEqual([])
  })
})
