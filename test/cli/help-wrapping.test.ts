/**
 * Help reads cleanly in an 80-column terminal: oclif wraps each line of a description to the width,
 * so a description hard-wrapped at ~100 columns came out ragged (a full line, then a word or two).
 */
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { helpParagraphs } from '../../src/cli/help-text.js'
import { runCli } from '../helpers/cli.js'

const manifest = JSON.parse(
  readFileSync(join(import.meta.dirname, '..', '..', 'oclif.manifest.json'), 'utf8'),
) as { commands: Record<string, { description?: string }> }

/** lines of a description that break where no sentence or label ends */
function hardWraps(text: string): string[] {
  const lines = text.split('\n')
  return lines.filter(
    (line, i) =>
      line.trim() !== '' &&
      /\S/.test(lines[i + 1] ?? '') &&
      !/^\s/.test(lines[i + 1] ?? '') &&
      !/[.:]$/.test(line),
  )
}

/** lines of a DESCRIPTION section, as `hcert help` prints it */
function descriptionSection(help: string): string[] {
  const lines = help.split('\n')
  const start = lines.indexOf('DESCRIPTION')
  const end = lines.findIndex((line, i) => i > start && /^[A-Z]+( [A-Z]+)*$/.test(line))
  return lines.slice(start + 1, end === -1 ? undefined : end)
}

describe('help in an 80-column terminal', () => {
  it('helpParagraphs joins hard-wrapped lines, keeping breaks after a sentence, before an indented line and between paragraphs', () => {
    expect(
      helpParagraphs('One sentence that\nruns on.\nA second.\n  indented\n\nNext paragraph\nhere.'),
    ).toBe('One sentence that runs on.\nA second.\n  indented\n\nNext paragraph here.')
  })

  it.each(Object.keys(manifest.commands))('%s: its description has no line break inside a sentence', (id) => {
    expect(hardWraps(manifest.commands[id]?.description ?? '')).toEqual([])
  })

  it('hcert --help and hcert help verify: no line past 80 columns, no ragged line, no blank line opening DESCRIPTION', () => {
    for (const args of [['--help'], ['help', 'verify']]) {
      const help = runCli(args, { env: { COLUMNS: '80' } })
      expect(help.code).toBe(0)
      const section = descriptionSection(help.stdout)
      expect(section[0]?.trim(), args.join(' ')).not.toBe('')
      for (const [i, line] of section.entries()) {
        expect(line.length, line).toBeLessThanOrEqual(80)
        // a short line whose sentence goes on in the next line is the mark of a hard wrap
        const next = section[i + 1] ?? ''
        if (line.trim() && /^\s+[a-z(]/.test(next))
          expect(line.length, `${line}\n${next}`).toBeGreaterThan(60)
      }
    }
  })
})
