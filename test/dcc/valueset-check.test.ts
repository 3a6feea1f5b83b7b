/** Value-set warnings name the path and the set, and quote a value only when it has the shape of a code. */
import { describe, expect, it } from 'vitest'
import { checkValueSets } from '../../src/dcc/valueset-check.js'

const vaccination = (over: Record<string, unknown>): Record<string, unknown> => ({
  ver: '1.3.0',
  v: [{ tg: '840539006', vp: '1119349007', mp: 'EU/1/20/1528', ma: 'ORG-100030215', ...over }],
})

describe('value-set warnings', () => {
  it('quote a value with the shape of a code', () => {
    expect(checkValueSets(vaccination({ mp: 'EU/9/99/9999' })).map((w) => w.message)).toEqual([
      "/v/0/mp 'EU/9/99/9999' is not in the value set vaccine-medicinal-product",
    ])
  })

  it('never quote holder text with spaces (a name and a date of birth), in any coded field', () => {
    const secret = 'Nguyen Secret 1980-05-17'
    const messages = checkValueSets(vaccination({ mp: secret, ma: secret, tg: secret, co: secret })).map(
      (w) => w.message,
    )
    expect(messages).toContain(
      '/v/0/mp (a text of 24 characters, not a code) is not in the value set vaccine-medicinal-product',
    )
    expect(messages.length).toBeGreaterThanOrEqual(3)
    for (const m of messages) expect(m).not.toContain('Secret')
  })
})
