/**
 * Data cleaning as ops staff meet it (issue 11): reasons that never quote a holder's data, the
 * rejects file (safe to open in a spreadsheet, and resent as it is), names and values as people type
 * them. Inputs from the field reports and bug reports are in test/fixtures/.
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { checkRecord } from '../../src/issue/check-record.js'
import { CsvParser } from '../../src/issue/csv.js'
import { signedShapeOf } from '../../src/issue/hc1-size.js'
import { INPUT_COLUMNS } from '../../src/issue/input-columns.js'
import { readRecords, type InputRecord } from '../../src/issue/read-records.js'
import { Ledger } from '../../src/ledger/ledger.js'
import { issueHarness } from '../helpers/issue.js'
import { exampleSigner } from '../helpers/keys.js'
import { LOCAL_DATE_HINT } from '../../src/issue/spreadsheet-date.js'

const NOW = new Date('2021-12-21T00:00:00Z')
const FIXTURES = join(import.meta.dirname, '..', 'fixtures')
const tmp = mkdtempSync(join(tmpdir(), 'hcert-cleaning-'))
const issue = issueHarness('hcert-cleaning-')

const fixture = (path: string): string => readFileSync(join(FIXTURES, path), 'utf8')

interface Payload {
  nam: Record<string, string>
  v: Array<Record<string, unknown>>
}

/** the DCC payloads the ledger holds, in issuing order */
function payloads(ledger: Ledger): Payload[] {
  const rows = ledger.database.prepare('SELECT payload FROM certificates ORDER BY rowid').all() as Array<{
    payload: string
  }>
  return rows.map((row) => JSON.parse(row.payload) as Payload)
}

/** every place a reason goes: the report (stderr and --json) and the ledger (stats' top reasons) */
function allReasons(report: { rejections: Array<{ reason: string }> }, ledger: Ledger): string {
  return JSON.stringify([
    report.rejections,
    ledger.database.prepare('SELECT field, reason FROM rejections').all(),
  ])
}

async function read(path: string): Promise<InputRecord[]> {
  const out: InputRecord[] = []
  for await (const record of readRecords(path)) out.push(record)
  return out
}

describe('reasons never quote the input', () => {
  it('a JSON Lines row that does not parse: position and kind only (field report pii_jsonl)', async () => {
    const { report, ledger } = await issue(fixture('field-reports/pii_jsonl.jsonl'), 'pii.jsonl')
    expect(report).toMatchObject({ issued: 1, rejected: 1 })
    expect(report.rejections[0]).toEqual({
      index: 2,
      line: 2,
      field: 'record',
      reason:
        'is not valid JSON (column 1: a character where a value should start (text must be in double quotes))',
    })
    expect(allReasons(report, ledger)).not.toMatch(/Nguyen|Secret|1970|Comirnaty/)
  })

  it('a JSON file that does not parse: the error gives line and column, not the text', async () => {
    await expect(issue('[{"fn": "Nguyễn",\n "gn": Secret}]', 'broken.json')).rejects.toThrow(
      /^input: the records are not valid JSON \(line 2, column 8: a character where a value should start/,
    )
    await expect(issue('[{"fn": "Nguyễn",\n "gn": Secret}]', 'broken2.json')).rejects.not.toThrow(/Secret/)
  })

  it('reasons are words a site can act on, not the schema’s regular expressions, one per wrong value', async () => {
    const header = 'id,type,fn,gn,dob,vaccine,dose,doses,date,test_type,result'
    const rows = [
      'w1,v,Ngô,Bảo,17.05.1980,Comirnaty,1,2,2021-06-01,,',
      'w2,v,Ngô,Bảo,1980-05-17,Comirnaty,1,2,2021-13-01,,',
      'w3,v,Ngô,Bảo,1980-05-17,Sputnik Light Plus,1,2,2021-06-01,,',
      'w4,t,Ngô,Bảo,1980-05-17,,,,01/12/2021 08:00,PCR,negative',
    ]
    const { report, ledger } = await issue(`${[header, ...rows].join('\n')}\n`, 'words.csv')
    expect(report.rejections.map((r) => [r.field, r.reason])).toEqual([
      // 17.05.1980: a local style, said so (1/6 reads two ways), the value never quoted
      ['dob', `must be a date of birth written YYYY-MM-DD, YYYY-MM or YYYY, from 1900 on ${LOCAL_DATE_HINT}`],
      ['date', 'must be a date written YYYY-MM-DD'],
      // not also "vaccine_type: is missing" and "manufacturer: is missing"
      [
        'vaccine',
        'is not a vaccine the EU value set lists: give its name (such as Comirnaty) or its EU code (such as EU/1/20/1528)',
      ],
      [
        'date',
        'must be a date and time written YYYY-MM-DDThh:mm:ss with Z or an offset, such as 2021-06-01T08:00:00+07:00',
      ],
    ])
    const reasons = allReasons(report, ledger)
    expect(reasons).not.toMatch(/pattern|format|\^|\\d|Ngô|Bảo|17\.05|2021-13|Sputnik|01\/12/)
  })

  it('no column’s text comes back in a reason, whatever column holds it and whatever the record', async () => {
    const columns = [...INPUT_COLUMNS].filter((c) => c !== 'id')
    const base: Record<string, string> = {
      type: 'v',
      fn: 'Ngô',
      gn: 'Bảo',
      dob: '1980-05-17',
      vaccine: 'Comirnaty',
      dose: '1',
      doses: '2',
      date: '2021-06-01',
    }
    const records: Array<Record<string, string>> = []
    for (const type of ['v', 't', 'r']) {
      for (const column of columns) {
        for (const mark of ['MARKxyz', 'MARK-1980-99-99', '=MARK()', 'MARK王']) {
          records.push({
            ...base,
            type,
            ...(type === 't' ? { test_type: 'PCR', result: 'negative' } : {}),
            [column]: mark,
          })
        }
      }
    }
    const lines = records.map((r) => JSON.stringify(r))
    lines.push('{"fn": "MARKbroken", ', 'MARK,1980-01-01')
    const { report, ledger } = await issue(`${lines.join('\n')}\n`, 'marks.jsonl', {
      maxReportedRejections: 100_000,
    })
    expect(report.rejected).toBeGreaterThan(records.length / 2)
    expect(allReasons(report, ledger)).not.toMatch(/MARK/)
  })
})

describe('the rejects file', () => {
  it('neutralises cells a spreadsheet would run as formulas (field report formula.csv, OWASP)', async () => {
    const rejects = join(tmp, 'formula-rejects.csv')
    const { report } = await issue(fixture('field-reports/formula.csv'), 'formula.csv', { rejects })
    expect(report.rejected).toBe(2)
    const parser = new CsvParser()
    const cells = [...parser.push(readFileSync(rejects, 'utf8')), ...parser.end()].flatMap((r) => r.fields)
    for (const cell of cells) expect(cell, cell).not.toMatch(/^[=+\-@\t\r]/)
    expect(cells).toEqual(
      expect.arrayContaining([`'=cmd|' /C calc'!A0`, `'@SUM(1+1)`, `'+HYPERLINK("http://evil")`, `'-2+3`]),
    )
  })

  it('reads back to the original values, without the reason; fixed and resent, they are read as they were', async () => {
    const rejects = join(tmp, 'resend-rejects.csv')
    const ledger = new Ledger(join(tmp, 'resend.sqlite'))
    const original = fixture('field-reports/formula.csv')
    await issue(original, 'formula.csv', { rejects, ledger })
    const [first, second] = await read(rejects)
    const [a, b] = await read(join(FIXTURES, 'field-reports/formula.csv'))
    expect(first?.raw).toEqual(a?.raw)
    expect(second?.raw).toEqual(b?.raw)

    // the site fixes the vaccine and the date of birth in the rejects file and sends it back
    const fixed = readFileSync(rejects, 'utf8')
      .replace('NoSuch', 'Comirnaty')
      .replace('1980-13-01', '1980-12-01')
    const resent = await issue(fixed, 'resent.csv', { ledger })
    expect(resent.report.warnings).toEqual([]) // the reason column is no unknown column
    // read as they were (not with the rejects file's leading '): the vaccine and the date of birth
    // now pass, and the formulas, which are no names (symbols, digits), are rejected as such
    expect(resent.report).toMatchObject({ issued: 0, rejected: 2 })
    expect(resent.report.rejections.map((r) => [r.index, r.field, r.reason.split(' at ')[0]])).toEqual([
      [1, 'fn', 'contains a symbol'],
      [1, 'gn', 'contains a punctuation mark'],
      [2, 'fn', 'contains a symbol'],
      [2, 'gn', 'holds no letter: it has a hyphen'],
    ])
    expect(payloads(ledger)).toEqual([])
  })

  it('a cell that starts with a quote keeps it, and one that was neutralised before round-trips too', async () => {
    const header = 'id,type,fn,gn,dob,vaccine,dose,doses,date'
    const rows = [
      `q1,v,O'Neill,'-,1980-01-01,NoSuch,1,2,2021-06-01`,
      `q2,v,'Neill,''=x,1980-01-01,NoSuch,1,2,2021-06-01`,
    ]
    const input = await read(
      (() => {
        const f = join(tmp, 'quotes.csv')
        writeFileSync(f, `${[header, ...rows].join('\n')}\n`)
        return f
      })(),
    )
    expect([input[0]?.raw.fn, input[0]?.raw.gn, input[1]?.raw.fn, input[1]?.raw.gn]).toEqual([
      "O'Neill",
      '-',
      "'Neill",
      "'=x",
    ])
    const rejects = join(tmp, 'quotes-rejects.csv')
    await issue(`${[header, ...rows].join('\n')}\n`, 'quotes.csv', { rejects })
    const back = await read(rejects)
    expect(back.map((r) => r.raw)).toEqual(input.map((r) => r.raw))
  })

  it('keeps a JSON Lines row that did not parse as text; fixed in place or replaced and resent, it is issued', async () => {
    const rejects = join(tmp, 'pii-rejects.jsonl')
    const ledger = new Ledger(join(tmp, 'pii.sqlite'))
    await issue(fixture('field-reports/pii_jsonl.jsonl'), 'pii.jsonl', { rejects, ledger })
    const kept = readFileSync(rejects, 'utf8').trim().split('\n')
    expect(kept).toHaveLength(1)
    expect(JSON.parse(kept[0] as string)).toEqual({
      unparsed: 'Nguyen Van Secret,1970-07-07,Comirnaty',
      reason:
        'record: is not valid JSON (column 1: a character where a value should start (text must be in double quotes))',
    })
    // resent as it is: rejected again, the text kept again
    const again = join(tmp, 'pii-rejects-2.jsonl')
    const unchanged = await issue(readFileSync(rejects, 'utf8'), 'resent.jsonl', { rejects: again, ledger })
    expect(unchanged.report).toMatchObject({ issued: 0, rejected: 1 })
    expect(readFileSync(again, 'utf8')).toBe(readFileSync(rejects, 'utf8'))
    // fixed inside the text
    const record = {
      id: 'P2',
      type: 'v',
      fn: 'Nguyen',
      gn: 'Van Secret',
      dob: '1970-07-07',
      vaccine: 'Comirnaty',
      dose: '1',
      doses: '2',
      date: '2021-06-01',
    }
    const fixed = { unparsed: JSON.stringify(record), reason: 'record: is not valid JSON (…)' }
    const inPlace = await issue(`${JSON.stringify(fixed)}\n`, 'fixed.jsonl', { ledger })
    expect(inPlace.report).toMatchObject({ issued: 1, rejected: 0, warnings: [] })
    // or the line replaced by the record
    const replaced = await issue(`${JSON.stringify({ ...record, id: 'P3' })}\n`, 'replaced.jsonl', { ledger })
    expect(replaced.report).toMatchObject({ issued: 1, rejected: 0 })
    expect(
      payloads(ledger)
        .slice(-2)
        .map((p) => p.nam.gn),
    ).toEqual(['Van Secret', 'Van Secret'])
  })

  it('a resent JSON rejects row issues under the same idempotency key as the record without its reason', async () => {
    const ledger = new Ledger(join(tmp, 'key.sqlite'))
    const record = {
      type: 'v',
      fn: 'Lý',
      gn: 'Mai',
      dob: '1970-07-07',
      vaccine: 'Comirnaty',
      dose: 1,
      doses: 2,
      date: '2021-06-01',
    }
    const first = await issue(`${JSON.stringify({ ...record, reason: 'dob: is missing' })}\n`, 'a.jsonl', {
      ledger,
    })
    const second = await issue(`${JSON.stringify(record)}\n`, 'b.jsonl', { ledger })
    expect(first.report.issued).toBe(1)
    expect(second.report).toMatchObject({ issued: 0, alreadyIssued: 1 })
  })
})

describe('CSV files as people save them', () => {
  it('a semicolon-separated file is refused, naming the separator', async () => {
    const input =
      'id;type;fn;gn;dob;vaccine;dose;doses;date\nS1;v;Ngô;Bảo;1980-05-17;Comirnaty;1;2;2021-06-01\n'
    await expect(issue(input, 'semicolons.csv')).rejects.toMatchObject({
      code: 'ERR_INPUT',
      message: expect.stringMatching(/separated by semicolons/),
    })
  })

  it('a file without a header row is refused without quoting its first line', async () => {
    const input = 'S1,v,Ngô,Bảo,1980-05-17,Comirnaty,1,2,2021-06-01\n'
    const error = await issue(input, 'headless.csv').catch((e: Error) => e)
    expect(error).toMatchObject({ code: 'ERR_INPUT', message: expect.stringMatching(/header row/) })
    expect((error as Error).message).not.toMatch(/Ngô|1980/)
  })

  it('unknown columns are named once in a warning, by position (an unknown name may be data); flat JSON keys too', async () => {
    const header = 'id,type,fn,gn,dob,vacine,dose,doses,date,notes'
    const rows = [
      'u1,v,Ngô,Bảo,1980-05-17,Comirnaty,1,2,2021-06-01,x',
      'u2,v,Ngô,An,1980-05-17,Comirnaty,1,2,2021-06-01,y',
    ]
    const { report } = await issue(`${[header, ...rows].join('\n')}\n`, 'unknown.csv')
    expect(report.warnings).toEqual([
      'the CSV header: columns <column 6>, <column 10> are not an input column and are ignored (README "Input columns")',
    ])
    const flat = {
      type: 'v',
      fn: 'Ngô',
      gn: 'Bảo',
      dob: '1980-05-17',
      vaccine: 'Comirnaty',
      dose: 1,
      doses: 2,
      date: '2021-06-01',
    }
    const lines = [
      { ...flat, remark: 'a' },
      { ...flat, gn: 'An', remark: 'b' },
    ].map((r) => JSON.stringify(r))
    const json = await issue(`${lines.join('\n')}\n`, 'unknown.jsonl')
    expect(json.report.warnings).toEqual([
      'record 1: column <key 9> is not an input column and is ignored (README "Input columns")',
    ])
  })
})

describe('names and values as people type them', () => {
  it('a country name instead of a code rejects that record, never the batch, also in a dry run (vn-country-crash)', async () => {
    for (const dryRun of [false, true]) {
      const { report } = await issue(fixture('field-reports/vn-country-crash.csv'), 'vn.csv', { dryRun })
      expect(report).toMatchObject({ records: 2, issued: dryRun ? 0 : 1, rejected: 1 })
      expect(report.rejections).toEqual([
        {
          index: 1,
          line: 2,
          field: 'country',
          reason: 'must be an ISO 3166 two-letter country code, such as VN (not the country name)',
        },
      ])
    }
    // and in a DCC payload
    const payload = JSON.parse(fixture('bug-reports/bug19-large-payload.json'))
    delete payload['x-note']
    // its names are random letters and digits: letters only, as names are
    for (const k of ['fn', 'gn']) payload.nam[k] = payload.nam[k].replace(/\d/g, 'x')
    for (const co of ['Österreich', { name: 'AT' }, ['AT'], 43]) {
      payload.v[0].co = co
      const { report } = await issue(JSON.stringify(payload), 'payload.json')
      // the payload field the site typed, not the flat column
      expect(report.rejections.map((r) => r.field)).toEqual(['v/co'])
    }
  })

  it('runs of spaces inside a name (double, ideographic U+3000, no-break) are one space: one person, one certificate', async () => {
    const row = (gn: string) =>
      JSON.stringify({
        type: 'v',
        fn: 'Nguyễn',
        gn,
        dob: '1980-05-17',
        vaccine: 'Comirnaty',
        dose: 1,
        doses: 2,
        date: '2021-06-01',
      })
    const ledger = new Ledger(join(tmp, 'spaces.sqlite'))
    const first = await issue(row('Văn Ân') + '\n', 'spaces-1.jsonl', { ledger })
    expect(first.report.issued).toBe(1)
    for (const gn of ['Văn  Ân', 'Văn\u3000Ân', 'Văn\u00A0\u2009Ân']) {
      const again = await issue(row(gn) + '\n', 'spaces-again.jsonl', { ledger })
      expect(again.report.issued).toBe(0)
    }
    expect(payloads(ledger).map((p) => p.nam.gn)).toEqual(['Văn Ân'])
    // letter case stays: the certificate would show another spelling
    const upper = await issue(row('VĂN ÂN') + '\n', 'spaces-upper.jsonl', { ledger })
    expect(upper.report.issued).toBe(1)
  })

  it('a replacement character (U+FFFD, a wrongly decoded file) is rejected naming the field, kind and position', async () => {
    const row = JSON.stringify({
      type: 'v',
      fn: 'Nguy\uFFFDn',
      gn: 'An',
      dob: '1980-05-17',
      vaccine: 'Comirnaty',
      dose: 1,
      doses: 2,
      date: '2021-06-01',
    })
    const { report } = await issue(row + '\n', 'fffd.jsonl')
    expect(report.rejections.map((r) => [r.field, r.reason])).toEqual([
      [
        'fn',
        expect.stringMatching(/^contains a replacement character \(U\+FFFD.* at character 5; remove it$/),
      ],
    ])
  })

  it('an unknown key in a DCC payload is named by position, a known field name of another type by its name', async () => {
    const payload = {
      nam: { fn: 'Le', gn: 'An' },
      dob: '1980-01-01',
      v: [
        {
          vp: '1119349007',
          mp: 'EU/1/20/1528',
          ma: 'ORG-100030215',
          dn: 1,
          sd: 2,
          dt: '2021-06-01',
          SECRETKEY: 'x',
          tt: 'LP6464-4',
        },
      ],
    }
    const { report } = await issue(JSON.stringify(payload), 'secret-key.json')
    const fields = report.rejections.map((r) => r.field)
    expect(fields).toEqual(['v/<key 7>', 'v/tt'])
    expect(JSON.stringify(report)).not.toContain('SECRETKEY')
  })

  it('a lower-case code is read as the code', async () => {
    const input =
      'type,fn,gn,dob,vaccine,dose,doses,date,country\nv,Ngô,Bảo,1980-05-17,Comirnaty,1,2,2021-06-01, vn \n'
    const { report, ledger } = await issue(input, 'lower.csv')
    expect(report.issued).toBe(1)
    expect(payloads(ledger)[0]?.v[0]?.co).toBe('VN')
  })

  it('a Cyrillic name is issued with fnt/gnt from the ICAO 9303 table (bug17c)', async () => {
    const { report, ledger } = await issue(fixture('bug-reports/bug17c-cyrillic.jsonl'), 'bug17c.jsonl')
    expect(report).toMatchObject({ issued: 1, rejected: 0 })
    expect(payloads(ledger)[0]?.nam).toEqual({ fn: 'Шевченко', fnt: 'SHEVCHENKO', gn: 'Тарас', gnt: 'TARAS' })
  })

  it('a name in a script without a table asks for fnt/gnt, and is issued with them', async () => {
    const header = 'id,type,fn,gn,fnt,gnt,dob,vaccine,dose,doses,date'
    const rows = [
      'c1,v,王,小明,,,1980-05-17,Comirnaty,1,2,2021-06-01',
      'c2,v,Wang,小明,,,1980-05-17,Comirnaty,1,2,2021-06-01',
      'c3,v,王,小明,WANG,XIAO<MING,1980-05-17,Comirnaty,1,2,2021-06-01',
    ]
    const { report, ledger } = await issue(`${[header, ...rows].join('\n')}\n`, 'han.csv')
    expect(report.rejections.map((r) => [r.index, r.field])).toEqual([
      [1, 'fnt'],
      [1, 'gnt'],
      [2, 'gnt'],
    ])
    expect(report.rejections[0]?.reason).toMatch(/no ICAO 9303 transliteration table.*give fnt/)
    expect(allReasons(report, ledger)).not.toMatch(/王|小明/)
    expect(payloads(ledger)[0]?.nam).toEqual({ fn: '王', fnt: 'WANG', gn: '小明', gnt: 'XIAO<MING' })
  })

  it('a PCR test carrying a rapid test’s device id is rejected; a rapid test carrying a PCR test name too (bug18)', async () => {
    const { report } = await issue(fixture('bug-reports/bug18-pcr-with-device.csv'), 'bug18.csv')
    expect(report.issued).toBe(2)
    expect(report.rejections.map((r) => [r.line, r.field])).toEqual([
      [2, 'test_device'],
      [3, 'test_device'],
    ])
    expect(report.rejections[0]?.reason).toMatch(/belongs to rapid antigen tests only/)
    const rat =
      't,Probe,Max,1990-01-01,2021-11-30T08:00:00Z,RAT,Roche LightCycler qPCR,1232,negative,Testzentrum Mitte,DE'
    const header = fixture('bug-reports/bug18-pcr-with-device.csv').split('\n')[0]
    const both = await issue(`${header}\n${rat}\n`, 'rat-name.csv')
    expect(both.report.rejections.map((r) => r.field)).toEqual(['test_name'])
  })
})

describe('a certificate too long for a QR code', () => {
  it('is rejected before signing, and nothing is committed (bug19); the length check gives its length and the limit', async () => {
    const qrDir = join(tmp, 'qr19')
    for (const alg of ['ES256', 'PS256'] as const) {
      const signer = exampleSigner(alg)
      const { report, ledger } = await issue(fixture('bug-reports/bug19-large-payload.json'), 'bug19.json', {
        signer,
        qrDir,
      })
      // its bulk is a field the DCC schema does not have, which is refused first (it would be signed)
      expect(report).toMatchObject({ issued: 0, rejected: 1 })
      expect(report.rejections[0]).toMatchObject({
        field: '<key 5>',
        reason: expect.stringMatching(/^is not a field of a DCC payload/),
      })
      expect(payloads(ledger)).toEqual([])
      // the length check itself, on the payload as it would be signed
      const dcc = JSON.parse(fixture('bug-reports/bug19-large-payload.json')) as Payload
      dcc.v[0] = { ...dcc.v[0], ci: 'URN:UVCI:01:AT:ABCDEFGHJKLMNPQRSTUV#A' }
      dcc.nam = { ...dcc.nam, fnt: 'A', gnt: 'B' }
      const reasons = checkRecord(
        dcc as unknown as Record<string, unknown>,
        'v',
        NOW,
        [],
        signedShapeOf(signer, 1, 2),
      )
      expect(reasons).toEqual([
        {
          field: 'record',
          reason: expect.stringMatching(
            /^the certificate would be about \d{4} characters long; a QR code \(error correction Q\) holds at most 2420/,
          ),
        },
      ])
    }
  })
})
