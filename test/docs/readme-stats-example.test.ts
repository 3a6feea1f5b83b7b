/**
 * The README's `hcert stats` example shows what its commands print: its commands are run verbatim
 * (the demo folder `.hcert-demo/` replaced by a temporary one), and every line it shows, but the
 * elisions (`…`), is printed, in that order. It once drifted (renewed 3, active 4…) unnoticed.
 */
import { spawnSync } from 'node:child_process'
import { mkdtempSync, readFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { BIN } from '../helpers/cli.js'

const ROOT = join(import.meta.dirname, '..', '..')
const README = readFileSync(join(ROOT, 'README.md'), 'utf8')

/** the first fenced block after `### <heading>`: its `$ hcert` commands, and the output of the last */
function example(heading: string): { commands: string[][]; shown: string[] } {
  const section = README.slice(README.indexOf(`### \`${heading}\``))
  const block = /```\n([\s\S]*?)```/.exec(section)?.[1] ?? ''
  const lines = block.split('\n')
  const commands = lines.filter((l) => l.startsWith('$ hcert ')).map((l) => l.slice(8).split(' '))
  const last = lines.findLastIndex((l) => l.startsWith('$ '))
  return { commands, shown: lines.slice(last + 1).filter((l) => l.trim() !== '') }
}

describe('the README stats example', () => {
  it('shows what its commands print', () => {
    const { commands, shown } = example('hcert stats')
    expect(commands.length).toBeGreaterThanOrEqual(4)
    expect(shown.length).toBeGreaterThan(5)
    const demo = mkdtempSync(join(tmpdir(), 'hcert-readme-stats-'))
    let stdout = ''
    for (const args of commands) {
      const result = spawnSync(
        process.execPath,
        [BIN, ...args.map((a) => a.replaceAll('.hcert-demo/', `${demo}/`))],
        { cwd: ROOT, encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' }, timeout: 60_000 },
      )
      expect([0, 4], `${args[0]}: ${result.stderr}`).toContain(result.status)
      stdout = result.stdout
    }
    const printed = stdout.split('\n').map((l) => l.trimEnd())
    let at = 0
    for (const line of shown) {
      if (line.trim() === '…') continue
      const found = printed.indexOf(line.trimEnd(), at)
      expect(found, `the README shows a line the command does not print: ${line}`).toBeGreaterThanOrEqual(0)
      at = found + 1
    }
  })
})
