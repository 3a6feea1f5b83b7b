import { describe, expect, it } from 'vitest'
import { closestCommand } from '../../src/cli/closest-command.js'

const IDS = ['conformance', 'decode', 'issue', 'keys:generate', 'keys:show', 'renew', 'stats', 'verify']

describe('closestCommand', () => {
  it.each([
    ['isue', 'issue'],
    ['isseu', 'issue'],
    ['verfy', 'verify'],
    ['ver', 'verify'],
    ['stast', 'stats'],
    ['keys:generat', 'keys:generate'],
    ['keys:shwo', 'keys:show'],
    ['Decode', 'decode'],
  ])('%s -> %s', (typed, meant) => {
    expect(closestCommand(typed, IDS)).toBe(meant)
  })

  it('suggests nothing for a word far from every command', () => {
    expect(closestCommand('xyzzy', IDS)).toBeUndefined()
    expect(closestCommand('keys:nosuch', IDS)).toBeUndefined()
  })
})
