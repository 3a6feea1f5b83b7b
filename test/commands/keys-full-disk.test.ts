/**
 * Round 6 of testers: `keys generate` on a full disk left a partial key set (csca.key.pem,
 * csca.crt.pem, dsc.key.pem and dsc.crt.pem written, trust-list.json not), although the README
 * promises a consistent set. A file size limit (`ulimit -f`, in a real process) stands in for the
 * full disk: the same write error (EFBIG instead of ENOSPC) at the same point.
 */
import { spawnSync } from 'node:child_process'
import { generateKeyPairSync } from 'node:crypto'
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it, vi } from 'vitest'
import { BIN, runCli } from '../helpers/cli.js'
import { freshFolders } from '../helpers/folders.js'

vi.setConfig({ testTimeout: 120_000 })

const folder = freshFolders('hcert-keys-full-disk-')

/** `keys generate --out OUT --json …more` under `ulimit -f 1` (files up to 1 KiB; a trust list is more) */
function generateLimited(out: string, ...more: string[]): { code: number | null; message: string } {
  const run = spawnSync(
    'bash',
    [
      '-c',
      `ulimit -f 1; exec "$@"`,
      'bash',
      process.execPath,
      BIN,
      'keys',
      'generate',
      '--out',
      out,
      '--json',
      ...more,
    ],
    { encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' } },
  )
  return {
    code: run.status,
    message: (JSON.parse(run.stdout) as { error: { message: string } }).error.message,
  }
}

describe('keys generate on a full disk (round 6)', () => {
  it('writes no key file at all, says so, and leaves no lock or temporary file', () => {
    const out = join(folder(), 'keys')
    const run = generateLimited(out)
    expect(run.code).toBe(2)
    expect(run.message).toMatch(/file size limit/)
    expect(run.message).toMatch(
      /none of the set \(csca\.key\.pem, csca\.crt\.pem, dsc\.key\.pem, dsc\.crt\.pem, trust-list\.json\) was written/,
    )
    expect(readdirSync(out)).toEqual([])
  })

  it('with --force over a set: the old set is left whole, byte for byte', () => {
    const out = join(folder(), 'keys')
    expect(runCli(['keys', 'generate', '--out', out]).code).toBe(0)
    const before = Object.fromEntries(readdirSync(out).map((n) => [n, readFileSync(join(out, n), 'utf8')]))
    const run = generateLimited(out, '--force')
    expect(run.code).toBe(2)
    expect(run.message).toMatch(/nothing in .* replaced/)
    const after = Object.fromEntries(readdirSync(out).map((n) => [n, readFileSync(join(out, n), 'utf8')]))
    expect(after).toEqual(before)
  })
})

describe('keys generate never removes the key it imports (round 6)', () => {
  it('an --import-key file named like a temporary file of dsc.key.pem in --out is kept', () => {
    const out = join(folder(), 'keys')
    mkdirSync(out)
    // named as a killed run's temporary file of keys/dsc.key.pem would be (a pid no process has)
    const imported = join(out, '.dsc.key.pem.99999999.abcdefabcdef.partial')
    const pem = generateKeyPairSync('ec', { namedCurve: 'P-256' })
      .privateKey.export({ type: 'pkcs8', format: 'pem' })
      .toString()
    writeFileSync(imported, pem, { mode: 0o600 })
    expect(runCli(['keys', 'generate', '--import-key', imported, '--out', out]).code).toBe(0)
    expect(readFileSync(imported, 'utf8')).toBe(pem)
  })
})
