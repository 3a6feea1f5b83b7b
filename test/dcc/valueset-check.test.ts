/** Value-set warnings name the path, the set and the value's shape, never the value (it may be personal data). */
import { describe, expect, it } from 'vitest'
import { checkValueSets } from '../../src/dcc/valueset-check.js'

const vaccination = (over: Record<string, unknown>): Record<string, unknown> => ({
  ver: '1.3.0',
  v: [{ tg: '840539006', vp: '1119349007', mp: 'EU/1/20/1528', ma: 'ORG-100030215', ...over }],
})

describe('value-set warnings', () => {
  it('name the shape of a code-shaped value, not the value', () => {
    expect(checkValueSets(vaccination({ mp: 'EU/9/99/9999' })).map((w) => w.message)).toEqual([
      '/v/0/mp (a text of 12 characters) is not in the value set vaccine-medicinal-product',
    ])
  })

  it('never quote code-shaped holder data (a surname, a date of birth) in any coded field', () => {
    const messages = checkValueSets(
      vaccination({ mp: 'Zyxwvut', co: 'B1234567', tg: '1977-07-07', ma: 'NGUYEN' }),
    ).map((w) => w.message)
    expect(messages).toHaveLength(4)
    for (const m of messages)
      for (const v of ['Zyxwvut', 'B1234567', '1977-07-07', 'NGUYEN']) expect(m).not.toContain(v)
    const test = checkValueSets({ ver: '1.3.0', t: [{ tg: '840539006', tt: 'NGUYEN', tr: '1977-07-07' }] })
    expect(test.map((w) => w.message)).toEqual([
      '/t/0/tt (a text of 6 characters) is not in the value set test-type',
      '/t/0/tr (a text of 10 characters) is not in the value set test-result',
    ])
    expect(checkValueSets(vaccination({ dn: 1, mp: 12345 }))[0]?.message).toBe(
      '/v/0/mp (a number) is not in the value set vaccine-medicinal-product',
    )
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
