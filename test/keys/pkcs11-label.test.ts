/**
 * PKCS#11 key labels: `--key-label` takes 1..64 characters without control, bidi or invisible
 * characters (ERR_USAGE, before any PIN or token), `keys show` escapes what a tampered
 * dsc.pkcs11.json holds, and three `keys generate` runs given one label at once leave at most one
 * key pair under it (the others undo theirs, ERR_KEYS). Real processes against SoftHSM2.
 */
import { spawn, spawnSync } from 'node:child_process'
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { openToken } from '../../src/keys/pkcs11/token.js'
import { BIN, runCli } from '../helpers/cli.js'

const MODULE = '/usr/lib/softhsm/libsofthsm2.so'
const available =
  existsSync(MODULE) && spawnSync('softhsm2-util', ['--version'], { encoding: 'utf8' }).status === 0
const PIN = '918273'
const TOKEN = 'hcert-label'

const tmp = mkdtempSync(join(tmpdir(), 'hcert-pkcs11-label-'))
const conf = join(tmp, 'softhsm2.conf')
writeFileSync(
  conf,
  `directories.tokendir = ${join(tmp, 'tokens')}\nobjectstore.backend = file\nlog.level = ERROR\n`,
)
const env = { SOFTHSM2_CONF: conf, HCERT_PKCS11_PIN: PIN, NO_COLOR: '1' }

const generateArgs = (label: string, out: string): string[] => [
  'keys',
  'generate',
  '--pkcs11',
  MODULE,
  '--token',
  TOKEN,
  '--key-label',
  label,
  '--out',
  out,
  '--valid-from',
  '2021-01-01',
  '--json',
]

describe('--key-label', () => {
  it.each([
    ['a line break', 'dsc\nforged line'],
    ['an escape sequence', 'dsc\u001b[31mred'],
    ['300 characters', 'x'.repeat(300)],
  ])('with %s is ERR_USAGE (exit 2), not quoted, before the token is opened', (_, label) => {
    // no token exists under this name: a check after opening it would say "no token labelled"
    const result = runCli(generateArgs(label, join(tmp, 'refused')), { env })
    expect(result.code).toBe(2)
    const said = result.stdout + result.stderr // --json: the error is JSON on stdout
    expect(said).toMatch(/--key-label (must|is \d+ characters long)/)
    expect(said).not.toMatch(/forged|xxxxxxxxxx|no token/)
    expect(said).not.toContain('\u001b[31m')
  })
})

describe.skipIf(!available)('PKCS#11 labels against SoftHSM2', () => {
  spawnSync('mkdir', ['-p', join(tmp, 'tokens')])
  const init = spawnSync(
    'softhsm2-util',
    ['--init-token', '--free', '--label', TOKEN, '--pin', PIN, '--so-pin', '564738'],
    { env: { ...process.env, SOFTHSM2_CONF: conf }, encoding: 'utf8' },
  )

  it('three runs given one label at once leave at most one key pair under it', async () => {
    expect(init.status, init.stderr).toBe(0)
    const run = (i: number): Promise<{ code: number; stderr: string }> =>
      new Promise((resolve) => {
        const child = spawn(process.execPath, [BIN, ...generateArgs('shared', join(tmp, `race-${i}`))], {
          env: { ...process.env, ...env },
        })
        let stderr = ''
        child.stdout.on('data', (d: Buffer) => (stderr += d.toString()))
        child.stderr.on('data', (d: Buffer) => (stderr += d.toString()))
        child.on('close', (code) => resolve({ code: code ?? -1, stderr }))
      })
    const results = await Promise.all([run(1), run(2), run(3)])
    const ok = results.filter((r) => r.code === 0)
    expect(ok.length).toBeLessThanOrEqual(1)
    for (const r of results.filter((r) => r.code !== 0))
      expect(r.stderr).toMatch(/ERR_KEYS|labelled 'shared'/)
    // what the token holds under the label: the kept pair (a private and a public key), or nothing
    process.env.SOFTHSM2_CONF = conf
    const t = openToken(MODULE, TOKEN, PIN)
    t.lib.C_FindObjectsInit(t.session, [{ type: t.p.CKA_LABEL, value: 'shared' }])
    const found = t.lib.C_FindObjects(t.session, 16)
    t.lib.C_FindObjectsFinal(t.session)
    expect(found.length).toBe(ok.length * 2)
    // the label is free again when no run kept it, else taken by the one kept (ERR_KEYS, exit 2)
    const again = runCli(generateArgs('shared', join(tmp, 'after')), { env })
    expect(again.code, again.stderr).toBe(ok.length === 0 ? 0 : 2)
  }, 120_000)

  it('keys show escapes control characters a tampered dsc.pkcs11.json holds', () => {
    const dir = join(tmp, 'shown')
    const made = runCli(generateArgs('plain', dir), { env })
    expect(made.code, made.stderr).toBe(0)
    const file = join(dir, 'dsc.pkcs11.json')
    const ref = JSON.parse(readFileSync(file, 'utf8'))
    ref.pkcs11.keyLabel = 'plain\u001b[2J\rVALID'
    writeFileSync(file, JSON.stringify(ref))
    const shown = runCli(['keys', 'show', dir], { env })
    expect(shown.stdout).not.toContain('\u001b[2J')
    expect(shown.stdout).not.toContain('\r')
    expect(shown.stdout).toContain('plain\\u001b[2J\\u000dVALID')
  })
})
