/**
 * `keys generate --out` into a folder that exists and others may read (0755): hcert puts private
 * keys in it, so it tightens the folder to 0700 when it is the user's own, with a warning saying
 * so; a folder of another owner, or one reached through a symbolic link, is not changed, and the
 * warning says that too. A folder hcert creates is 0700; one already 0700 gets no warning.
 */
import { chmodSync, chownSync, mkdirSync, readdirSync, mkdtempSync, statSync, symlinkSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { runCli } from '../helpers/cli.js'

const tmp = mkdtempSync(join(tmpdir(), 'hcert-key-folder-mode-'))
const mode = (path: string): number => statSync(path).mode & 0o777

function generate(out: string): { code: number; warnings: string[]; stderr: string } {
  const r = runCli(['keys', 'generate', '--out', out, '--valid-from', '2021-01-01', '--json'])
  const result = r.code === 0 ? (JSON.parse(r.stdout) as { warnings: string[] }) : { warnings: [] }
  return { code: r.code, warnings: result.warnings, stderr: r.stderr }
}

describe('keys generate --out into an existing folder', () => {
  it('a folder of the user others may read (0755) is tightened to 0700, with a warning', () => {
    const out = join(tmp, 'open')
    mkdirSync(out)
    chmodSync(out, 0o755)
    const r = generate(out)
    expect(r.code, r.stderr).toBe(0)
    expect(mode(out)).toBe(0o700)
    expect(r.warnings).toEqual([expect.stringMatching(/0755.*changed it to 0700.*private keys/)])
    // the text output shows it too
    const again = join(tmp, 'open-text')
    mkdirSync(again)
    chmodSync(again, 0o750)
    const text = runCli(['keys', 'generate', '--out', again, '--valid-from', '2021-01-01'])
    expect(text.code).toBe(0)
    expect(text.stdout).toMatch(/warning: .*0750.*0700/)
  })

  it('a folder already 0700, or one hcert creates, gets no warning', () => {
    const own = join(tmp, 'closed')
    mkdirSync(own, { mode: 0o700 })
    expect(generate(own).warnings).toEqual([])
    const created = join(tmp, 'new', 'keys')
    expect(generate(created).warnings).toEqual([])
    expect(mode(created)).toBe(0o700)
  })

  it('a folder reached through a symbolic link is refused (no key is written through a link) and not changed', () => {
    const target = join(tmp, 'target')
    mkdirSync(target)
    chmodSync(target, 0o755)
    const link = join(tmp, 'link')
    symlinkSync(target, link)
    const r = generate(link)
    expect(r.code, r.stderr).toBe(2)
    expect(mode(target)).toBe(0o755)
    expect(readdirSync(target)).toEqual([])
  })

  // another owner's folder needs root to make (chown)
  it.runIf(process.getuid?.() === 0)('a folder of another owner is not changed: warned about', () => {
    const shared = join(tmp, 'shared')
    mkdirSync(shared)
    chmodSync(shared, 0o775)
    chownSync(shared, 65534, 65534)
    const r = generate(shared)
    expect(r.code, r.stderr).toBe(0)
    expect(mode(shared)).toBe(0o775)
    expect(r.warnings).toEqual([expect.stringMatching(/0775.*not your folder.*not changed/)])
  })
})
