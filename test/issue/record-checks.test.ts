/**
 * The record checks a tester found weak or misworded (findings 9–11): names that hold no letter or
 * hold digits, symbols or emoji; ICVP text fields with the DCC's kinds of checks (length, letters,
 * sane ids); apostrophe-like marks in Latin names; numbers out of range named as such; an ICVP
 * record issued as a DCC told so once; one wrong value giving one reason (no reason for a column
 * filled in from it); and files that are no text (a workbook, a PDF) named for what they are.
 * Reasons never quote the value.
 */
import { randomBytes } from 'node:crypto'
import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { buildDcc, type Rejection } from '../../src/issue/build-dcc.js'
import { buildIcvp } from '../../src/issue/build-icvp.js'
import { checkIcvpRecord } from '../../src/issue/check-icvp-record.js'
import { checkRecord } from '../../src/issue/check-record.js'
import { signedShapeOf } from '../../src/issue/hc1-size.js'
import { ICVP_INPUT_COLUMNS } from '../../src/issue/icvp-columns.js'
import { readRecords } from '../../src/issue/read-records.js'
import { DccError } from '../../src/errors.js'
import { exampleSigner } from '../helpers/keys.js'

const NOW = new Date('2021-12-21T00:00:00Z')
const tmp = mkdtempSync(join(tmpdir(), 'hcert-record-checks-'))

const VACCINATION = {
  type: 'v',
  fn: 'Tran',
  gn: 'An',
  dob: '1990-01-01',
  vaccine: 'Comirnaty',
  dose: '1',
  doses: '2',
  date: '2021-06-01',
}

/** the reasons a DCC flat record gets, as prepare-chunk finds them */
function dccReasons(record: Record<string, unknown>): Rejection[] {
  return checked(buildDcc(record, { country: 'VN', issuer: 'Ministry of Health' }))
}

/** checkRecord's reasons, once the UVCI is assigned (as prepare-chunk does) */
function checked(built: ReturnType<typeof buildDcc>): Rejection[] {
  const type = built.type === 'icvp' ? undefined : built.type
  const entry = type ? (built.dcc[type] as Array<Record<string, unknown>>)[0] : undefined
  if (entry) entry.ci = 'URN:UVCI:01:VN:ABC123'
  return checkRecord(built.dcc, type, NOW, built.rejections)
}

const ICVP = {
  name: 'Nguyen Van An',
  dob: '1990-01-01',
  product: 'STAMARIL',
  date: '2021-06-01',
  batch: 'L123',
  clinician: 'Dr Lan',
}

function icvpReasons(record: Record<string, unknown>): Rejection[] {
  const built = buildIcvp(record, { country: 'VN' })
  return checkIcvpRecord(built.dcc, built.ledgerEntry, NOW, built.rejections)
}

/** every reason, for the check that none quotes the value */
const text = (reasons: Rejection[]): string => JSON.stringify(reasons)

describe('DCC names must be names (finding 9)', () => {
  it('a name of digits only is "holds no letter", not "is missing"', () => {
    const reasons = dccReasons({ ...VACCINATION, fn: '123' })
    expect(reasons).toEqual([{ field: 'fn', reason: expect.stringMatching(/^holds no letter/) }])
    expect(dccReasons({ ...VACCINATION, fn: '123', gn: '' })).toEqual(reasons)
  })

  it.each([
    ['Lê😀', 'fn', /^contains an emoji or symbol at character 3;/],
    ['Tran2', 'fn', /^contains a digit at character 5;/],
    ['Tr+n', 'fn', /^contains a symbol at character 3;/],
    ['Tran!', 'fn', /^contains a punctuation mark at character 5;/],
    ['----------An', 'fn', /^contains a hyphen at its start;/],
    ['Tran-', 'fn', /^contains a hyphen at its end;/],
    ["O''Brien", 'fn', /^contains two punctuation marks in a row at character 3;/],
    ['Lê.-An', 'fn', /^contains two punctuation marks in a row at character 4;/],
    // round 9: a word's edge is a name's edge: no dot starts one, no apostrophe or middle dot ends one
    ['.Nguyen', 'fn', /^contains a punctuation mark at the start of a word at character 1;/],
    ['Nguyen .Tran', 'fn', /^contains a punctuation mark at the start of a word at character 8;/],
    ['Nguyen .', 'fn', /^contains a punctuation mark at the start of a word at character 8;/],
    ["Nguyen'", 'fn', /^contains a punctuation mark at the end of a word at character 7;/],
    ["O' Brien", 'fn', /^contains a punctuation mark at the end of a word at character 2;/],
    ['Nguyen·', 'fn', /^contains a punctuation mark at the end of a word at character 7;/],
  ])(
    '%s: one reason naming the column, the kind and the position, never the value',
    (name, field, reason) => {
      const reasons = dccReasons({ ...VACCINATION, fn: name })
      expect(reasons).toEqual([{ field, reason: expect.stringMatching(reason) }])
      expect(text(reasons)).not.toContain(name)
    },
  )

  it.each(["'t Hooft", 'Jr.', 'Lê-An', "N'Diaye", 'St. John', 'Smith Jr.'])(
    '%s: punctuation between letters, an apostrophe first or a dot last, is a name',
    (name) => {
      expect(dccReasons({ ...VACCINATION, fn: name })).toEqual([])
    },
  )

  it('in gn, and in a DCC payload, alike; a given fnt does not skip the check', () => {
    expect(dccReasons({ ...VACCINATION, gn: 'An😀' })).toEqual([
      { field: 'gn', reason: expect.stringMatching(/^contains an emoji or symbol at character 3/) },
    ])
    expect(dccReasons({ ...VACCINATION, fn: 'Tran9', fnt: 'TRAN' })).toEqual([
      { field: 'fn', reason: expect.stringMatching(/^contains a digit/) },
    ])
    const payload = {
      nam: { fn: '😀', gn: 'An' },
      dob: '1990-01-01',
      v: [
        {
          tg: '840539006',
          vp: 'J07BX03',
          mp: 'EU/1/20/1528',
          ma: 'ORG-100030215',
          dn: 1,
          sd: 2,
          dt: '2021-06-01',
        },
      ],
    }
    expect(checked(buildDcc(payload, { country: 'VN', issuer: 'Ministry of Health' }))).toEqual([
      {
        field: 'fn',
        reason: expect.stringMatching(/^holds no letter: it has an emoji or symbol at character 1;/),
      },
    ])
  })

  it('names as people write them pass: hyphens, apostrophes of every kind, dots, marks, other scripts', () => {
    for (const fn of [
      "O'Brien",
      'O’Brien',
      'Haʻaheo',
      'Naʼabi',
      'ʿAbd al-Rahman',
      'St. John',
      'Gal·la',
      'Nguyễn-Trần',
      'Шевченко',
    ])
      expect([fn, dccReasons({ ...VACCINATION, fn })]).toEqual([fn, []])
  })
})

describe('apostrophe-like marks in Latin names are apostrophes (ICAO 9303 drops them)', () => {
  it.each([
    ['Haʻaheo', 'HAAHEO'], // U+02BB okina
    ['Naʼabi', 'NAABI'], // U+02BC
    ['ʿAbd', 'ABD'], // U+02BF
    ['Oꞌdam', 'ODAM'], // U+A78C saltillo
    ['D‘Souza', 'DSOUZA'], // U+2018
  ])('%s → %s', (fn, fnt) => {
    const built = buildDcc({ ...VACCINATION, fn }, {})
    expect(built.rejections).toEqual([])
    expect((built.dcc.nam as Record<string, string>).fnt).toBe(fnt)
  })
})

describe('numbers out of range say the range (finding 10)', () => {
  it.each([
    ['-1', 'must be 1 or more'],
    ['0', 'must be 1 or more'],
    ['+1', 'must be a whole number, such as 1 or 2'],
    ['1.5', 'must be a whole number, such as 1 or 2'],
    ['one', 'must be a whole number, such as 1 or 2'],
    ['100', 'must be at most 99'],
  ])('dose %s: %s', (dose, reason) => {
    expect(dccReasons({ ...VACCINATION, dose, doses: '2' })).toEqual([{ field: 'dose', reason }])
    expect(dccReasons({ ...VACCINATION, dose: '1', doses: dose })).toContainEqual({ field: 'doses', reason })
  })

  it('a DCC payload dose above 99 is rejected as a flat one is (it was signed)', () => {
    const payload = {
      nam: { fn: 'Tran', gn: 'An' },
      dob: '1990-01-01',
      v: [
        {
          tg: '840539006',
          vp: 'J07BX03',
          mp: 'EU/1/20/1528',
          ma: 'ORG-100030215',
          dn: 2,
          sd: 100,
          dt: '2021-06-01',
        },
      ],
    }
    expect(checked(buildDcc(payload, { country: 'VN', issuer: 'Ministry of Health' }))).toEqual([
      { field: 'doses', reason: 'must be at most 99' },
    ])
  })

  it('a DCC payload dose 0 or -1 gets the same words', () => {
    for (const dn of [0, -1]) {
      const payload = {
        nam: { fn: 'Tran', gn: 'An' },
        dob: '1990-01-01',
        v: [
          {
            tg: '840539006',
            vp: 'J07BX03',
            mp: 'EU/1/20/1528',
            ma: 'ORG-100030215',
            dn,
            sd: 2,
            dt: '2021-06-01',
          },
        ],
      }
      expect(checked(buildDcc(payload, { country: 'VN', issuer: 'Ministry of Health' }))).toEqual([
        { field: 'dose', reason: 'must be 1 or more' },
      ])
    }
  })
})

describe('one wrong value, one reason: no reason for the columns filled in from it (finding 11)', () => {
  it('a missing vaccine: vaccine only, not vaccine_type nor manufacturer', () => {
    expect(dccReasons({ ...VACCINATION, vaccine: '' })).toEqual([{ field: 'vaccine', reason: 'is missing' }])
  })
  it('an unknown vaccine: vaccine only', () => {
    expect(dccReasons({ ...VACCINATION, vaccine: 'Vaxx' })).toEqual([
      { field: 'vaccine', reason: expect.stringMatching(/^is not a vaccine the EU value set lists/) },
    ])
  })
  it('a recovery without its date: date only, not valid_from nor valid_until', () => {
    const reasons = dccReasons({ type: 'r', fn: 'Tran', gn: 'An', dob: '1990-01-01' })
    expect(reasons).toEqual([{ field: 'date', reason: 'is missing' }])
  })
  it('a name with a character no table has, and no letter: fn only, not fnt', () => {
    expect(dccReasons({ ...VACCINATION, fn: '😀', gn: '' })).toEqual([
      { field: 'fn', reason: expect.stringMatching(/^holds no letter: it has an emoji/) },
    ])
  })
})

describe('ICVP text fields get the DCC’s kinds of checks (finding 9)', () => {
  it.each([
    ['name', 'A'.repeat(81), /^is longer than 80 characters/],
    ['name', '123', /^holds no letter/],
    ['name', '😀', /^holds no letter: it has an emoji or symbol at character 1/],
    ['name', 'Nguyen 2', /^contains a digit at character 8/],
    ['guardian', 'Tran😀', /^contains an emoji or symbol at character 5/],
    ['guardian', 'B'.repeat(81), /^is longer than 80 characters/],
    ['national_id', '9'.repeat(500), /^is longer than 32 characters/],
    ['national_id', 'B12😀', /^contains a character other than letters, digits/],
    ['national_id', '--', /^holds no letter or digit/],
    ['batch', 'L'.repeat(81), /^is longer than 80 characters/],
    ['batch', 'L1😀', /^contains a character other than letters, digits/],
    ['clinician', 'D'.repeat(81), /^is longer than 80 characters/],
    ['clinician', '42', /^holds no letter/],
    ['issuer', 'I'.repeat(81), /^is longer than 80 characters/],
  ])('%s: one reason, never the value', (column, value, reason) => {
    const reasons = icvpReasons({ ...ICVP, [column]: value })
    expect(reasons).toEqual([{ field: column, reason: expect.stringMatching(reason) }])
    expect(text(reasons)).not.toContain(value)
  })

  it('a wrong national_id is one reason, not a second one for its type', () => {
    for (const national_id of ['9'.repeat(40), 'B1\u0007'])
      expect(icvpReasons({ ...ICVP, national_id, national_id_type: 'passport' }).map((r) => r.field)).toEqual(
        ['national_id'],
      )
  })

  it('the QR size limit stays as a guard behind the field limits (checkIcvpRecord on a payload too long)', () => {
    const built = buildIcvp(ICVP, { country: 'VN' })
    const letters = randomBytes(2400)
      .toString('base64')
      .replace(/[^A-Za-z]/g, 'x')
    const payload = { ...built.dcc, gn: letters }
    expect(
      checkIcvpRecord(payload, built.ledgerEntry, NOW, [], signedShapeOf(exampleSigner('ES256'), 1, 2)),
    ).toEqual([
      {
        field: 'record',
        reason: expect.stringMatching(/a QR code \(error correction Q\) holds at most 2420/),
      },
    ])
  })

  it('what real records hold passes', () => {
    expect(
      icvpReasons({
        ...ICVP,
        name: 'Nguyễn Văn Ân',
        guardian: "Haʻaheo O'Brien",
        national_id: 'B1234567',
        national_id_type: 'passport',
        batch: 'L123/45-A',
        clinician: 'Dr. Lan',
        issuer: 'Pasteur Institute (HCMC)',
      }),
    ).toEqual([])
    expect(icvpReasons({ ...ICVP, national_id: '079 090 012 345' })).toEqual([])
  })
})

describe('an ICVP record issued as a DCC is told so, once (finding 10)', () => {
  it('one reason for the record, naming --kind icvp, not type and fn missing', () => {
    expect(dccReasons({ ...ICVP })).toEqual([
      { field: 'record', reason: expect.stringMatching(/looks like an ICVP record.*--kind icvp/) },
    ])
  })
  it('a DCC record with an extra column of the same name is still a DCC record', () => {
    expect(dccReasons({ ...VACCINATION, name: 'Tran An' })).toEqual([])
  })
  it('every ICVP-only column name is a hint', () => {
    for (const column of ICVP_INPUT_COLUMNS) {
      if (['id', 'dob', 'date', 'issuer', 'valid_from', 'valid_until'].includes(column)) continue
      expect([column, dccReasons({ dob: '1990-01-01', [column]: 'x' })[0]?.field]).toEqual([column, 'record'])
    }
  })
})

describe('an ICVP CSV whose header names no DCC column is told to use --kind icvp', () => {
  it('ERR_USAGE naming --kind icvp, not "no header row"', async () => {
    const path = join(tmp, 'icvp-only.csv')
    writeFileSync(path, 'name,product,batch,clinician\nNguyen Van An,STAMARIL,L1,Dr Lan\n')
    const error = await (async () => {
      try {
        for await (const _ of readRecords(path, undefined, { kind: 'dcc' })) void _
      } catch (e) {
        return e
      }
    })()
    expect(error).toBeInstanceOf(DccError)
    expect((error as DccError).code).toBe('ERR_USAGE')
    expect((error as DccError).message).toMatch(/columns of ICVP records.*--kind icvp/)
  })
})

describe('a file that is no text is named for what it is (finding 10)', () => {
  const read = async (name: string, bytes: Buffer): Promise<unknown> => {
    const path = join(tmp, name)
    writeFileSync(path, bytes)
    try {
      for await (const _ of readRecords(path)) void _
    } catch (error) {
      return error
    }
    return undefined
  }
  const zip = (entry: string): Buffer =>
    Buffer.concat([
      Buffer.from('PK\x03\x04\x14\x00\x00\x00\x08\x00', 'latin1'),
      Buffer.alloc(20),
      Buffer.from(entry),
    ])
  it.each([
    ['book.xlsx', zip('[Content_Types].xml'), /an Excel workbook \(\.xlsx\)/],
    ['book.csv', zip('xl/workbook.xml'), /an Excel workbook \(\.xlsx\)/],
    [
      'book.xls',
      Buffer.from([0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1, 0, 0, 0]),
      /an Excel 97–2003 workbook \(\.xls\)/,
    ],
    [
      'book.ods',
      zip('mimetypeapplication/vnd.oasis.opendocument.spreadsheet'),
      /an OpenDocument spreadsheet \(\.ods\)/,
    ],
    ['book.pdf', Buffer.from('%PDF-1.7\n%\xe2\xe3\xcf\xd3\n', 'latin1'), /a PDF document/],
    ['records.zip', zip('records.csv'), /a ZIP archive/],
  ])('%s: ERR_INPUT naming the kind of file and what to save it as', async (name, bytes, kind) => {
    const error = await read(name, bytes)
    expect(error).toBeInstanceOf(DccError)
    expect((error as DccError).code).toBe('ERR_INPUT')
    expect((error as DccError).message).toMatch(kind)
    expect((error as DccError).message).toMatch(/CSV UTF-8/)
  })
})

describe('a DCC payload ver the schema has no version of', () => {
  const payload = (ver: unknown): Record<string, unknown> => ({
    ver,
    nam: { fn: 'Tran', gn: 'An' },
    dob: '1990-01-01',
    v: [{ mp: 'EU/1/20/1528', dn: 1, sd: 2, dt: '2021-06-01' }],
  })
  const reasons = (ver: unknown): Rejection[] =>
    checked(buildDcc(payload(ver), { country: 'VN', issuer: 'Ministry of Health' }))

  it('is rejected naming ver and the versions hcert signs (9.9.9 was signed)', () => {
    for (const ver of ['9.9.9', '2.0.0', '0.9.0', '1x3x0', '01.3.0', '1.3', '']) {
      const got = reasons(ver)
      expect(got, ver).toHaveLength(1)
      expect(got[0]?.field, ver).toBe('ver')
      expect(got[0]?.reason, ver).toMatch(/1\.x\.y.*1\.3\.0/)
      expect(got[0]?.reason, ver).not.toContain('9.9.9')
    }
  })

  it('every 1.x.y, and none, is signed', () => {
    for (const ver of ['1.0.0', '1.3.0', '1.3.2', '1.4.0', undefined])
      expect(reasons(ver), String(ver)).toEqual([])
  })
})

describe('a name hcert cannot transliterate: the reason names the letter’s own script and position', () => {
  const reasonFor = (fn: string): Rejection[] =>
    dccReasons({ ...VACCINATION, fn }).filter((r) => r.field === 'fnt')

  it('a Latin letter the ICAO table lacks (Ʉ) is said to be Latin, not "Latin and Cyrillic"; fnt is asked for', () => {
    const [reason] = reasonFor('Tʉran')
    expect(reason?.reason).toMatch(
      /^is needed: fn has a Latin letter at character 2 that the ICAO 9303 transliteration table hcert follows does not list; give fnt/,
    )
    expect(reason?.reason).not.toMatch(/Cyrillic|Tʉran/)
  })

  it('another script is named as such (Greek, Han, Arabic, Hangul)', () => {
    for (const [name, script] of [
      ['Παπαδόπουλος', 'Greek'],
      ['王', 'Chinese characters \\(Han\\)'],
      ['محمد', 'Arabic'],
      ['김', 'Korean \\(Hangul\\)'],
    ] as const) {
      const [reason] = reasonFor(name)
      expect(reason?.reason, name).toMatch(
        new RegExp(`no ICAO 9303 transliteration table for \\(${script}, at character 1\\); give fnt`),
      )
      expect(reason?.reason).not.toContain('Latin')
    }
  })
})
