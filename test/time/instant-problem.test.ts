import { describe, expect, it } from 'vitest'
import { instantProblem, parseInstant } from '../../src/time/parse-instant.js'

describe('instantProblem: why a date or time given on the command line is no instant', () => {
  it.each([
    ['2021-02-30', "'2021-02-30' is not a calendar date"],
    ['2021-02-29T10:00:00Z', "'2021-02-29' is not a calendar date"],
    ['2021-13-01', "'2021-13-01' is not a calendar date"],
    ['2021-00-10', "'2021-00-10' is not a calendar date"],
    ['2021-04-31T00:00', "'2021-04-31' is not a calendar date"],
    ['2021-06-01T24:00:00Z', "'24:00:00' is not a time of day (hours 00-23, minutes and seconds 00-59)"],
    ['2021-06-01T12:60', "'12:60' is not a time of day (hours 00-23, minutes and seconds 00-59)"],
    ['2021-06-01T12:00:00+25:00', "'+25:00' is not a UTC offset (-23:59 to +23:59)"],
    ['2021-06-01T12:00:00+23:60', "'+23:60' is not a UTC offset (-23:59 to +23:59)"],
    ['2021-06-01T12:00:00+99:99', "'+99:99' is not a UTC offset (-23:59 to +23:59)"],
    // no leap second: none since 2016-12-31, and a Date cannot hold one
    ['2021-06-30T23:59:60Z', "'23:59:60' is not a time of day (hours 00-23, minutes and seconds 00-59)"],
    ['soon', "'soon' is not an ISO 8601 date or date-time"],
  ])('%s', (text, problem) => {
    expect(parseInstant(text)).toBeUndefined()
    expect(instantProblem(text)).toBe(problem)
  })

  it('what exists still parses: 2024-02-29, the last second of a day, an offset of +14:00', () => {
    expect(parseInstant('2024-02-29')?.toISOString()).toBe('2024-02-29T00:00:00.000Z')
    expect(parseInstant('2021-06-30T23:59:59Z')?.toISOString()).toBe('2021-06-30T23:59:59.000Z')
    expect(parseInstant('2021-06-01T12:00:00+14:00')?.toISOString()).toBe('2021-05-31T22:00:00.000Z')
  })
})
