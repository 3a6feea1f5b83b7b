import { describe, expect, it } from 'vitest'
import { CsvParser, neutralise, unneutralise } from '../../src/issue/csv.js'
import { csvField } from '../../src/issue/rejects-writer.js'

describe('CSV cells against formula injection (OWASP), reversibly', () => {
  const VALUES = [
    '=1+1',
    '+49 30 1234',
    '-2',
    '-',
    '@SUM(A1)',
    '\tTab',
    '\rCR',
    '＝1',
    "'=x",
    "''-y",
    "O'Neill",
    "'Neill",
    "'",
    '',
    'Nguyễn',
    'a=b',
    ' =1',
  ]

  it.each(VALUES)('%j: written so that no spreadsheet runs it, read back as it was', (value) => {
    const cell = csvField(value)
    const parser = new CsvParser()
    const [row] = [...parser.push(`${cell}\n`), ...parser.end()]
    const written = row?.fields[0] ?? ''
    expect(written).not.toMatch(/^[=+\-@\t\r＝＋－＠]/)
    expect(unneutralise(written)).toBe(value)
  })

  it('changes only the cells it must', () => {
    expect(neutralise('Nguyễn')).toBe('Nguyễn')
    expect(neutralise("O'Neill")).toBe("O'Neill")
    expect(neutralise('-2')).toBe("'-2")
    expect(unneutralise("'Neill")).toBe("'Neill")
    expect(unneutralise("'-2")).toBe('-2')
  })

  it('round-trips any text made of the awkward characters', () => {
    const alphabet = ["'", '=', '+', '-', '@', '\t', '\r', 'a', ',', '"', '\n']
    let seed = 7
    for (let i = 0; i < 2000; i++) {
      let value = ''
      for (let j = 0; j < 1 + (i % 5); j++) {
        seed = (seed * 1103515245 + 12345) % 2 ** 31
        value += alphabet[seed % alphabet.length]
      }
      expect(unneutralise(neutralise(value))).toBe(value)
    }
  })
})

describe('fixN: spaces around a quoted cell (hand-edited CSV)', () => {
  const read = (...chunks: string[]) => {
    const parser = new CsvParser()
    return [...chunks.flatMap((c) => parser.push(c)), ...parser.end()]
  }

  it('"Nguyễn" , and , "Nguyễn" read as the quoted text, in one chunk or split at the quote or the spaces', () => {
    for (const chunks of [
      ['a,"Nguyễn" ,b\n'],
      ['a,"Nguyễn"', ' ,b\n'],
      ['a,"Nguyễn" ', ' ,b\n'],
      ['a,"Nguyễn"\t,b\n'],
      ['a, "Nguyễn",b\n'],
      ['a, \t"Nguyễn"  ,b\n'],
      ['a,"Nguyễn" \r\n'],
    ]) {
      const rows = read(...chunks)
      expect(rows).toHaveLength(1)
      expect(rows[0]?.problem).toBeUndefined()
      expect(rows[0]?.fields.slice(0, 2)).toEqual(['a', 'Nguyễn'])
    }
  })

  it('text after the spaces is still text after the closing quote, kept as written', () => {
    for (const chunks of [['a,"Tran" x,b\n'], ['a,"Tran"', ' x,b\n']]) {
      const [row] = read(...chunks)
      expect(row).toMatchObject({ problem: 'closed', problemField: 1, problemText: '"Tran" x' })
    }
  })
})
