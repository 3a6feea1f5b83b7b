/** A mistyped command under a topic names what was typed, both words: `ledger cpy` as `keys generat`. */
import { describe, expect, it } from 'vitest'
import { runCli } from '../helpers/cli.js'

describe('a mistyped command under a topic', () => {
  it.each([
    [
      ['ledger', 'cpy', 'a.sqlite', 'b'],
      "'ledger cpy' is not an hcert command; did you mean 'hcert ledger copy'?",
    ],
    [['keys', 'generat'], "'keys generat' is not an hcert command; did you mean 'hcert keys generate'?"],
  ])('%j names what was typed', (args, message) => {
    const ran = runCli(args)
    expect(ran.code).toBe(2)
    expect(ran.stderr).toContain(message)
  })
})
