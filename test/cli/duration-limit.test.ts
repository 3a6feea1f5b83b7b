/** A duration flag too large for hcert says so, with the limit, rather than "is not a duration". */
import { describe, expect, it } from 'vitest'
import { runCli } from '../helpers/cli.js'
import { KEYS_EXAMPLE } from '../helpers/keys.js'

describe('a duration too large', () => {
  it('renew --expiring-within 99999999d names the limit (ERR_USAGE, exit 2)', () => {
    const ran = runCli(['renew', '--expiring-within', '99999999d', '-k', KEYS_EXAMPLE, '--dry-run', '--json'])
    expect(ran.code).toBe(2)
    const { error } = JSON.parse(ran.stdout) as { error: { code: string; message: string } }
    expect(error.code).toBe('ERR_USAGE')
    expect(error.message).toMatch(/is too large: a duration has at most 5 digits/)
    expect(error.message).not.toMatch(/is not a duration/)
  })
})
