import { describe, expect, it } from 'vitest'
import { describeJsonError } from '../../src/issue/json-error.js'

describe('where JSON text goes wrong, without quoting it', () => {
  it.each([
    [
      'Nguyen Van Secret,1970-07-07',
      'column 1: a character where a value should start (text must be in double quotes)',
    ],
    ['{"fn":"Secret",}', 'column 16: a property name in double quotes is expected'],
    ['{"fn":"Secret"', 'column 15: the text ends inside an object'],
    ['{"fn":"Secret', 'column 14: a string is not closed'],
    ['{"fn" "Secret"}', "column 7: a ':' is expected after the property name"],
    ['[1 2]', "column 4: a ',' or ']' is expected"],
    ['{"a":1} Secret', 'column 9: more text after the end of the JSON value'],
    ['{"a":"\\x"}', 'column 7: a backslash escape JSON does not have'],
    [
      '{"a":\n  Secret}',
      'line 2, column 3: a character where a value should start (text must be in double quotes)',
    ],
  ])('%j → %s', (text, expected) => {
    expect(() => JSON.parse(text)).toThrow()
    expect(describeJsonError(text)).toBe(expected)
  })

  it('finds a fault exactly when JSON.parse does, over mutations of a record', () => {
    const record = JSON.stringify({
      fn: 'Nguyễn',
      gn: 'Văn',
      dob: '1980-01-01',
      dose: 1,
      v: [{ a: [1, -2.5e3, true, null] }],
    })
    const noise = ['"', '{', '}', '[', ']', ',', ':', 'x', ' ', '\\', '1', '-', '\n']
    let seed = 11
    const next = (n: number): number => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31
      return seed % n
    }
    for (let i = 0; i < 3000; i++) {
      const at = next(record.length + 1)
      const text =
        next(2) === 0
          ? record.slice(0, at) + noise[next(noise.length)] + record.slice(at)
          : record.slice(0, at) + record.slice(at + 1 + next(3))
      let valid = true
      try {
        JSON.parse(text)
      } catch {
        valid = false
      }
      const described = describeJsonError(text)
      expect(described === 'not valid JSON', text).toBe(valid)
      expect(described, text).not.toMatch(/Nguy|Văn|1980/)
    }
  })

  it('joined files: a byte-order mark inside, and a second document after the first, are said so', () => {
    const bom = describeJsonError('[{"fn":"Secret"}]\n\uFEFF[{"fn":"Secret"}]\n')
    expect(bom).toMatch(/^line 2, column 1: .*second JSON document .*joined/)
    expect(describeJsonError('[{"fn":"Secret"},\uFEFF{"fn":"Secret"}]')).toMatch(
      /^column 18: an invisible byte-order mark \(U\+FEFF\).*joined/,
    )
    expect(describeJsonError('{"fn":"Secret"}{"fn":"Secret"}')).toMatch(/^column 16: .*second JSON document/)
    expect(describeJsonError('{"fn":"Secret"} Secret')).not.toMatch(/joined|Secret/)
  })
})
