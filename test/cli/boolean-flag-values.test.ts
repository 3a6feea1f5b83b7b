/**
 * A boolean flag given a value (`--correct=yes`, `--json=1`, `-i=true`) is a usage error naming the
 * flag, on every command: oclif took the flag and read the value as an argument of its own, so
 * `issue a.csv --correct=yes` said "Unexpected argument: a.csv" and `verify --json=1 x.txt` read a
 * file named `1`. The value is never quoted; after `--` such text is an argument.
 */
import { describe, expect, it } from 'vitest'
import { refuseValuedBooleans } from '../../src/cli/parse-error.js'
import { runCli } from '../helpers/cli.js'

describe('a boolean flag given a value', () => {
  it.each([
    [['issue', 'a.csv', '--correct=yes'], '--correct'],
    [['verify', 'x.txt', '--json=1', '--trust', 'keys'], '--json'],
  ])('%j is ERR_USAGE naming %s, never the value', (args, flag) => {
    const run = runCli(args)
    expect(run.code).toBe(2)
    expect(run.stderr).toContain(`[ERR_USAGE] ${flag} takes no value: give ${flag} alone, or leave it out`)
    expect(run.stderr).not.toMatch(/Unexpected argument|yes|needs trusted/)
  })

  const flags = {
    correct: { type: 'boolean' },
    colour: { type: 'boolean', allowNo: true },
    interactive: { type: 'boolean', char: 'i', aliases: ['prompt'] },
    out: { type: 'option', char: 'o' },
  }
  it.each([
    ['--correct=yes', '--correct'],
    ['--correct=', '--correct'],
    ['--no-colour=1', '--no-colour'],
    ['-i=true', '-i'],
    ['--prompt=secret-1234', '--prompt'],
  ])('%s is refused naming %s only', (arg, flag) => {
    expect(() => refuseValuedBooleans(['a.csv', arg], flags)).toThrow(
      expect.objectContaining({
        code: 'ERR_USAGE',
        message: `${flag} takes no value: give ${flag} alone, or leave it out`,
      }),
    )
  })

  it('leaves alone a flag that takes a value, a boolean without one, and anything after --', () => {
    expect(() =>
      refuseValuedBooleans(['--out=x.jsonl', '-o=y', '--correct', '-i', '--', '--correct=yes'], flags),
    ).not.toThrow()
  })
})
