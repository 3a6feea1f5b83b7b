/**
 * Round 9, finding 5: three `keys generate --force` started at once on one folder all exited 0,
 * two of them reporting keys the folder no longer held. --force lets a run past "already holds",
 * never past another run: one that wrote the folder while this one made its keys is seen under the
 * folder's lock, and this run is refused (ERR_KEYS "another hcert keys generate is writing …").
 * Real processes; RSA-3072 keys make each run long enough for the three to overlap.
 */
import { spawn } from 'node:child_process'
import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it, vi } from 'vitest'
import { BIN, runCli } from '../helpers/cli.js'

vi.setConfig({ testTimeout: 180_000 })

function run(args: string[]): Promise<{ code: number | null; stdout: string }> {
  const child = spawn(process.execPath, [BIN, ...args], { env: { ...process.env, NO_COLOR: '1' } })
  let stdout = ''
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString()))
  return new Promise((resolve) => child.on('exit', (code) => resolve({ code, stdout })))
}

describe('keys generate --force, three at once on one folder', () => {
  it('only runs whose keys the folder holds at the end succeed; the others are ERR_KEYS', async () => {
    const out = join(mkdtempSync(join(tmpdir(), 'hcert-keys-race-')), 'keys')
    expect(runCli(['keys', 'generate', '--out', out, '--json']).code).toBe(0)
    const args = [
      'keys',
      'generate',
      '--out',
      out,
      '--force',
      '--alg',
      'PS256',
      '--rsa-bits',
      '3072',
      '--json',
    ]
    const results = await Promise.all([run(args), run(args), run(args)])
    const shown = runCli(['keys', 'show', join(out, 'dsc.crt.pem'), '--json'])
    expect(shown.code).toBe(0)
    const finalKid = (JSON.parse(shown.stdout) as { certificates: Array<{ kid: string }> }).certificates[0]
      ?.kid
    const succeeded = results.filter((r) => r.code === 0)
    expect(succeeded.length).toBeGreaterThanOrEqual(1)
    for (const r of succeeded)
      expect((JSON.parse(r.stdout) as { dsc: { kid: string } }).dsc.kid).toBe(finalKid)
    for (const r of results.filter((r) => r.code !== 0)) {
      expect(r.code).toBe(2)
      const error = (JSON.parse(r.stdout) as { error: { code: string; message: string } }).error
      expect(error.code).toBe('ERR_KEYS')
      expect(error.message).toMatch(/another hcert keys generate is writing/)
    }
  })
})
