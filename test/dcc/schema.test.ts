import { execFileSync } from 'node:child_process'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { isSchemaDate, isSchemaDateTime, validateSchema } from '../../src/dcc/schema.js'
import { isNotCalendarDate, isRfc3339DateTime, notCalendarDates } from '../../src/dcc/schema-formats.js'
import { VACCINATION } from '../helpers/payloads.js'

describe('DCC schema', () => {
  it('the generated validator is up to date with data/schema and the generator', () => {
    const script = join(import.meta.dirname, '..', '..', 'scripts', 'compile-schema.js')
    expect(() => execFileSync(process.execPath, [script, '--check'], { stdio: 'pipe' })).not.toThrow()
  })

  it('accepts a valid payload and names the path of each problem', () => {
    expect(validateSchema(VACCINATION)).toEqual([])
    const issues = validateSchema({ ...VACCINATION, dob: '17.05.1980', v: [{ ...VACCINATION.v[0], dn: 0 }] })
    expect(issues.map((i) => i.path)).toEqual(['/dob', '/v/0/dn'])
  })

  it.each([
    ['2021-05-01', true],
    ['2021-05-01T10:00:00Z', true],
    ['2021-05-01T00:00:00', true],
    ['2021-13-01', false],
    ['2021-02-30', false],
    ['01.05.2021', false],
    ['2021-05', false],
    ['2020-02-29', true],
    ['2000-02-29', true],
    ['2021-02-29', false],
    ['1900-02-29', false],
    ['2021-04-31', false],
    ['2021-05-01T24:00', false],
    ['2021-05-01T10:60', false],
    // no leap second: none since 2016-12-31, none on this day (schema-formats.ts)
    ['2021-05-01T23:59:60Z', false],
    ['2021-05-01T23:59:61Z', false],
    ['2021-05-01T10:00:00+99:99', false],
    ['2021-05-01T10:00+25:00', false],
  ])('a date %s is %s (a full date, optionally followed by a time)', (text, ok) => {
    expect(isSchemaDate(text)).toBe(ok)
  })

  it.each([
    ['2021-05-01T10:00:00Z', true],
    ['2021-05-01T10:00:00+02', true],
    ['2021-05-01T10:00:00+0200', true],
    ['2021-05-01T10:00:00.1234567+02:00', true],
    ['2021-05-01T10:00:00', false],
    ['2021-05-01', false],
    ['2021-05-01T25:00:00Z', false],
    // an offset's hours 00-23 and minutes 00-59, in each form; no leap second
    ['2021-05-01T10:00:00+99:99', false],
    ['2021-05-01T10:00:00+25:00', false],
    ['2021-05-01T10:00:00+23:60', false],
    ['2021-05-01T10:00:00-2400', false],
    ['2021-05-01T10:00:00+24', false],
    ['2021-05-01T10:00:00+23:59', true],
    ['2021-05-01T10:00:00-00:00', true],
    ['2021-06-10T23:59:60Z', false],
    ['2016-12-31T23:59:60Z', false],
  ])('a date-time %s is %s', (text, ok) => {
    expect(isSchemaDateTime(text)).toBe(ok)
  })
})

describe('a date-time as hcert issue signs it: RFC 3339, every part in range', () => {
  it.each([
    ['2021-06-01T08:00:00Z', true],
    ['2021-06-01T08:00:00+07:00', true],
    ['2021-06-01T08:00:00.123456789-03:30', true],
    ['2021-06-01T08:00:00-00:00', true],
    ['2021-06-01T08:00:00+0700', false], // ISO 8601 basic: not RFC 3339
    ['2021-06-01T08:00:00+07', false],
    ['2021-06-01 08:00:00Z', false],
    ['2021-06-01t08:00:00z', false],
    ['2021-06-01T08:00:00,5Z', false],
    ['2021-06-01T08:00Z', false],
    ['2021-06-01T08:00:00', false],
    ['2099-06-10T08:30:00+99:99', false],
    ['2021-06-01T08:00:00+25:00', false],
    ['2021-06-01T08:00:00+23:60', false],
    ['2021-06-10T23:59:60Z', false],
    ['2021-02-29T08:00:00Z', false],
  ])('%s is %s', (text, ok) => {
    expect(isRfc3339DateTime(text)).toBe(ok)
  })
})

describe('what a date is (one rule for issue and verify)', () => {
  it.each([
    ['1988-02-30', true],
    ['1988-00', true],
    ['1988-13', true],
    ['1988-00-10', true],
    ['2021-05-01T25:00:00Z', true],
    ['1987-02-29', true],
    ['1988', false],
    ['1988-02', false],
    ['1988-02-29', false], // a leap year

    ['2021-05-01T10:00:00Z', false],
    ['2021-05-01T10:00:00+99:99', true],
    ['2021-05-01T23:59:60Z', true],
    ['01.05.2021', false], // another shape: the schema's pattern or format reports it
    ['', false],
  ])('isNotCalendarDate(%s) is %s', (text, expected) => {
    expect(isNotCalendarDate(text)).toBe(expected)
  })

  it('finds the dates of a payload that are not calendar dates, by JSON pointer', () => {
    expect(
      notCalendarDates({
        dob: '1988-02-30',
        v: [{ dt: '2021-02-29' }],
        t: [{ sc: '2021-04-31T10:00:00Z' }],
        r: [{ fr: '2021-01-01', df: '2021-00-01', du: '2021-12-32' }],
      }),
    ).toEqual(['/dob', '/v/0/dt', '/t/0/sc', '/r/0/df', '/r/0/du'])
    expect(notCalendarDates({ dob: '1988', v: 'x' })).toEqual([])
    expect(notCalendarDates(null)).toEqual([])
  })
})
