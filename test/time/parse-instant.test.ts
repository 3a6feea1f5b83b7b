import { describe, expect, it } from 'vitest'
import { parseInstant } from '../../src/time/parse-instant.js'

describe('parseInstant', () => {
  it.each([
    ['2021-06-01', '2021-06-01T00:00:00.000Z'],
    ['2020-02-29', '2020-02-29T00:00:00.000Z'],
    ['2000-02-29', '2000-02-29T00:00:00.000Z'],
    ['0000-02-29', '0000-02-29T00:00:00.000Z'],
    ['0099-03-01', '0099-03-01T00:00:00.000Z'],
    [' 2021-06-01 ', '2021-06-01T00:00:00.000Z'],
    ['2021-06-01T10:00Z', '2021-06-01T10:00:00.000Z'],
    ['2021-06-01T10:00:00.1234567+02:00', '2021-06-01T08:00:00.123Z'],
    ['2021-06-01T10:00:00+0200', '2021-06-01T08:00:00.000Z'],
    ['2021-06-01T10:00:00', '2021-06-01T10:00:00.000Z'],
    ['0050-01-01T12:00:00Z', '0050-01-01T12:00:00.000Z'],
  ])('%s is %s', (text, iso) => {
    expect(parseInstant(text)?.toISOString()).toBe(iso)
  })

  it.each([
    '2021-02-29',
    '1900-02-29',
    '2021-04-31',
    '2021-13-01',
    '2021-00-10',
    '2021-06-00',
    '2021-06-1x',
    '01.06.2021',
    '',
  ])('%j is not an instant', (text) => {
    expect(parseInstant(text)).toBeUndefined()
  })

  it('reads a plain date as the same instant as midnight UTC written in full, for every day of 2020', () => {
    for (let t = Date.UTC(2020, 0, 1); t < Date.UTC(2021, 0, 1); t += 86_400_000) {
      const day = new Date(t).toISOString().slice(0, 10)
      expect(parseInstant(day)?.getTime()).toBe(parseInstant(`${day}T00:00:00Z`)?.getTime())
    }
  })
})
