/**
 * Round 6 of testers: `keys generate --pkcs11 … --token ""` wrote the DSC private key to disk and
 * exited 0 (an empty token read as "no token"), and `--org $'\xff\xfe'` (bytes that are not UTF-8)
 * was told about a file read in the wrong encoding. Both are usage errors now, nothing written.
 */
import { spawnSync } from 'node:child_process'
import { existsSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it, vi } from 'vitest'
import { BIN, runCli } from '../helpers/cli.js'
import { freshFolders } from '../helpers/folders.js'

vi.setConfig({ testTimeout: 120_000 })

const folder = freshFolders('hcert-keys-arguments-')
const SOFTHSM = '/usr/lib/softhsm/libsofthsm2.so'

function errorOf(stdout: string): { code: string; message: string } {
  return (JSON.parse(stdout) as { error: { code: string; message: string } }).error
}

describe('keys generate: an empty PKCS#11 option is a usage error, never a key on disk (round 6)', () => {
  it("--token '' and --token of spaces: ERR_USAGE naming --token, no key folder made", () => {
    const dir = folder()
    for (const token of ['', '  ']) {
      const out = join(dir, 'keys')
      const run = runCli(
        ['keys', 'generate', '--pkcs11', SOFTHSM, '--token', token, '--out', out, '--json'],
        {
          env: { HCERT_PKCS11_PIN: '1234' },
        },
      )
      expect(run.code).toBe(2)
      const error = errorOf(run.stdout)
      expect(error.code).toBe('ERR_USAGE')
      expect(error.message).toMatch(/^--token is empty/)
      expect(existsSync(out)).toBe(false)
    }
  })
})

describe('keys generate: a flag value that is not UTF-8 (round 6)', () => {
  it('--org, --org=, --country and --out given bytes that are not UTF-8: ERR_USAGE naming the flag, no file', () => {
    const dir = folder()
    for (const [args, flag] of [
      [`--org $'\\xff\\xfe'`, '--org'],
      [`--org=$'Mo\\xe9'`, '--org'],
      [`--country $'\\xff'`, '--country'],
      [`--out $'${dir}/k\\xff'`, '--out'],
    ] as const) {
      const run = spawnSync(
        'bash',
        ['-c', `exec "$0" "$1" keys generate --out "$2/keys" ${args} --json`, process.execPath, BIN, dir],
        { encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' } },
      )
      expect(run.status, args).toBe(2)
      const error = errorOf(run.stdout)
      expect(error.code).toBe('ERR_USAGE')
      expect(error.message).toMatch(new RegExp(`^${flag} is not valid text \\(UTF-8\\)`))
      expect(error.message).not.toMatch(/file/)
    }
    expect(existsSync(join(dir, 'keys'))).toBe(false)
  })
})
