/**
 * Several `hcert keys generate` runs into one new folder at the same time (tester report, fixJ): two
 * of three succeeded and mixed their files (a trust list with two DSCs, one without its key; a DSC not
 * signed by the folder's CSCA). Real processes: exactly one wins, the folder holds one consistent set.
 */
import { spawn } from 'node:child_process'
import { createPublicKey, X509Certificate } from 'node:crypto'
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { BIN, type CliResult } from '../helpers/cli.js'

const tmp = mkdtempSync(join(tmpdir(), 'hcert-keys-race-'))

function start(args: string[]): Promise<CliResult> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [BIN, ...args], { env: { ...process.env, NO_COLOR: '1' } })
    let stdout = ''
    let stderr = ''
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()))
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()))
    child.on('close', (code) => resolve({ code: code ?? -1, stdout, stderr }))
  })
}

describe('keys generate runs racing for one folder', () => {
  it('exactly one wins; the others are ERR_KEYS; the folder holds one consistent set', async () => {
    for (let round = 0; round < 3; round++) {
      const out = join(tmp, `race${round}`)
      const runs = await Promise.all([0, 1, 2].map(() => start(['keys', 'generate', '--out', out, '--json'])))
      const won = runs.filter((r) => r.code === 0)
      expect(won, `round ${round}`).toHaveLength(1)
      for (const lost of runs.filter((r) => r.code !== 0)) {
        expect(lost.code).toBe(2)
        expect((JSON.parse(lost.stdout) as { error: { code: string; message: string } }).error).toMatchObject(
          {
            code: 'ERR_KEYS',
            message: expect.stringMatching(
              /refusing to overwrite keys without --force|another hcert keys generate is writing/,
            ),
          },
        )
      }
      const winner = JSON.parse((won[0] as CliResult).stdout) as { dsc: { kid: string } }
      const csca = new X509Certificate(readFileSync(join(out, 'csca.crt.pem')))
      const dsc = new X509Certificate(readFileSync(join(out, 'dsc.crt.pem')))
      expect(dsc.verify(csca.publicKey)).toBe(true)
      // the DSC key is the key of the DSC certificate
      const dscKey = createPublicKey(readFileSync(join(out, 'dsc.key.pem')))
      expect(dscKey.export({ format: 'der', type: 'spki' })).toEqual(
        dsc.publicKey.export({ format: 'der', type: 'spki' }),
      )
      const csaKey = createPublicKey(readFileSync(join(out, 'csca.key.pem')))
      expect(csaKey.export({ format: 'der', type: 'spki' })).toEqual(
        csca.publicKey.export({ format: 'der', type: 'spki' }),
      )
      const list = JSON.parse(readFileSync(join(out, 'trust-list.json'), 'utf8')) as {
        certificates: Array<{ kid: string }>
      }
      expect(list.certificates.map((c) => c.kid)).toEqual([winner.dsc.kid])
      expect(existsSync(join(out, '.hcert-keys.lock'))).toBe(false)
    }
  }, 120_000)

  it('a lock left by a run that is gone is taken over', async () => {
    const out = join(tmp, 'stale')
    const first = await start(['keys', 'generate', '--out', out, '--json'])
    expect(first.code).toBe(0)
    // a pid no process has (the kernel's pid_max is at most 4194304)
    writeFileSync(join(out, '.hcert-keys.lock'), '4194305\n')
    const again = await start(['keys', 'generate', '--out', out, '--force', '--json'])
    expect(again.code).toBe(0)
    expect(existsSync(join(out, '.hcert-keys.lock'))).toBe(false)
    writeFileSync(join(out, '.hcert-keys.lock'), `${process.pid}\n`)
    const held = await start(['keys', 'generate', '--out', out, '--force', '--json'])
    expect(held.code).toBe(2)
    expect(held.stdout).toMatch(/another hcert keys generate is writing/)
  })
})
