import { describe, expect, it } from 'vitest'
import { refuseUndecodableFlagValues } from '../../src/cli/undecodable-arguments.js'

describe('refuseUndecodableFlagValues', () => {
  const flags = { org: { type: 'option' }, force: { type: 'boolean' }, out: { type: 'option', char: 'o' } }

  it('a U+FFFD typed as such (valid UTF-8 on the command line, as this process has) is text, not refused', () => {
    // this test process's own command line is valid UTF-8: a U+FFFD in argv came as EF BF BD
    expect(() => refuseUndecodableFlagValues(['--org', 'Bộ \uFFFD'], flags)).not.toThrow()
    expect(() => refuseUndecodableFlagValues(['-o', '\uFFFD', '--org=\uFFFD'], flags)).not.toThrow()
  })
})
