/**
 * One record, whatever form it comes in (issue 11, the tester's second round): the idempotency key
 * of a record without an id comes from the cleaned record, so CSV or JSON, "2" or 2, a vaccine's
 * name or code, NFD or NFC are one certificate; names are NFC; JSON values of the wrong type, fields
 * of another certificate type, control and invisible characters, malformed UVCIs and ids that are
 * no reference are rejected with the field and the kind of problem, never the value.
 */
import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { Ledger } from '../../src/ledger/ledger.js'
import { flatVaccination, issueHarness } from '../helpers/issue.js'
import { vaccinationEntry } from '../helpers/records.js'

const tmp = mkdtempSync(join(tmpdir(), 'hcert-forms-'))
const issue = issueHarness('hcert-forms-')

const payloadsOf = (ledger: Ledger): Array<{ nam: Record<string, string> }> =>
  (ledger.database.prepare('SELECT payload FROM certificates ORDER BY id').pluck().all() as string[]).map(
    (p) => JSON.parse(p),
  )

const CSV_HEADER = 'type,fn,gn,dob,vaccine,dose,doses,date'
const NGUYEN_NFC = 'Nguy\u1EC5n'
const NGUYEN_NFD = 'Nguye\u0302\u0303n'

describe('a record without an id has one key for one certificate content', () => {
  it('CSV, then JSON with numbers and the vaccine by its code, then NFD text: issued once', async () => {
    const ledger = new Ledger(join(tmp, 'forms.sqlite'))
    const csv = await issue(
      `${CSV_HEADER}\nv,${NGUYEN_NFC},An,1980-01-01,Comirnaty,2,2,2021-06-01\n`,
      'a.csv',
      {
        ledger,
      },
    )
    expect(csv.report).toMatchObject({ issued: 1, rejected: 0 })
    const record = {
      type: 'vaccination',
      fn: ` ${NGUYEN_NFD} `,
      gn: 'An',
      dob: '1980-01-01',
      vaccine: 'EU/1/20/1528',
      dose: 2,
      doses: '2',
      date: '2021-06-01',
      country: 'vn',
    }
    const json = await issue(`${JSON.stringify(record)}\n`, 'b.jsonl', { ledger })
    expect(json.report).toMatchObject({ issued: 0, alreadyIssued: 1, rejected: 0 })
    expect(json.certificates[0]?.uvci).toBe(csv.certificates[0]?.uvci)
    const payload = await issue(
      JSON.stringify({
        nam: { fn: NGUYEN_NFD, gn: 'An' },
        dob: '1980-01-01',
        v: [{ vp: '1119349007', mp: 'Comirnaty', ma: 'ORG-100030215', dn: 2, sd: 2, dt: '2021-06-01' }],
      }),
      'c.json',
      { ledger },
    )
    expect(payload.report).toMatchObject({ issued: 0, alreadyIssued: 1, rejected: 0 })
    expect(payloadsOf(ledger)).toHaveLength(1)
    ledger.close()
  })

  it('NFD names are signed as NFC: one name, whichever way it was typed', async () => {
    const { report, ledger } = await issue(
      `${CSV_HEADER}\nv,${NGUYEN_NFD},Th\u1ECB,1980-01-01,Comirnaty,1,2,2021-06-01\n`,
      'nfd.csv',
    )
    expect(report.issued).toBe(1)
    const [payload] = payloadsOf(ledger)
    expect(payload?.nam).toEqual({ fn: NGUYEN_NFC, fnt: 'NGUYEN', gn: 'Th\u1ECB', gnt: 'THI' })
    expect(payload?.nam.fn?.normalize('NFC')).toBe(payload?.nam.fn)
  })

  it('another country or issuer for the same record is the same key with other content: rejected, --correct replaces', async () => {
    const ledger = new Ledger(join(tmp, 'defaults.sqlite'))
    const input = `${CSV_HEADER}\nv,Tran,Binh,1970-02-02,Comirnaty,1,2,2021-06-01\n`
    expect((await issue(input, 'd.csv', { ledger })).report.issued).toBe(1)
    const other = await issue(input, 'd.csv', { ledger, defaults: { country: 'VN', issuer: 'Other office' } })
    expect(other.report).toMatchObject({ issued: 0, rejected: 1 })
    expect(other.report.rejections[0]).toMatchObject({
      field: 'record',
      reason: expect.stringMatching(
        /issued before with another issuer \(column issuer, or --issuer\).*--correct/,
      ),
    })
    ledger.close()
  })

  it('fixN: a payload that only gives its own UVCI (v/ci) is told so, with or without an id, never "another country or issuer"', async () => {
    const payload = (extra: Record<string, unknown>, entry: Record<string, unknown> = {}) =>
      `${JSON.stringify({
        ...extra,
        ver: '1.3.0',
        nam: { fn: 'Hồ', gn: 'Anh' },
        dob: '1980-02-20',
        v: [vaccinationEntry({ is: 'TEST ONLY hcert example', ...entry })],
      })}\n`
    for (const extra of [{}, { id: 'q9' }]) {
      const ledger = new Ledger(':memory:')
      expect((await issue(payload(extra), 'pc.jsonl', { ledger })).report.issued).toBe(1)
      const again = await issue(payload(extra, { ci: 'URN:UVCI:01:VN:XYZ/7' }), 'pd.jsonl', { ledger })
      expect(again.report).toMatchObject({ issued: 0, rejected: 1 })
      expect(again.report.rejections[0]).toMatchObject({
        field: 'v/ci',
        reason: expect.stringMatching(
          /^this record was issued before under another UVCI .*leave v\/ci out.*--correct/,
        ),
      })
      expect(again.report.rejections[0]?.reason).not.toMatch(/XYZ|Anh|1980/)
      // another country only: named as such
      const co = await issue(payload(extra, { co: 'DE' }), 'pe.jsonl', { ledger })
      expect(co.report.rejections[0]?.reason).toMatch(
        Object.keys(extra).length === 0
          ? /issued before with another country \(v\/co\);/
          : /reused for different content/,
      )
      const corrected = await issue(payload(extra, { ci: 'URN:UVCI:01:VN:XYZ/7' }), 'pd.jsonl', {
        ledger,
        correct: true,
      })
      expect(corrected.report).toMatchObject({ issued: 1, corrected: 1 })
      ledger.close()
    }
  })
})

describe('fixN: a flat record may give its UVCI in a ci column, as a payload gives v/ci', () => {
  const HEADER = 'id,type,fn,gn,dob,vaccine,dose,doses,date,ci'
  const row = (id: string, ci: string, dose = 1) =>
    `${id},v,Le,Hoa,1990-05-07,Comirnaty,${dose},2,2021-0${5 + dose}-01,${ci}`

  it('is the certificate UVCI, checked and kept unique; another one for the same record is told so in ci', async () => {
    const ledger = new Ledger(':memory:')
    const first = await issue(
      `${HEADER}\n${row('c1', 'urn:uvci:01:vn:abc/1')}\n${row('c2', 'not a uvci', 2)}\n`,
      'ci.csv',
      { ledger },
    )
    expect(first.report).toMatchObject({ issued: 1, rejected: 1, warnings: [] })
    expect(first.certificates[0]?.uvci).toBe('URN:UVCI:01:VN:ABC/1')
    expect(first.report.rejections[0]).toMatchObject({
      field: 'ci',
      reason: expect.stringMatching(/^is not a UVCI/),
    })
    const other = await issue(`${HEADER}\n${row('c1', 'URN:UVCI:01:VN:ABC/2')}\n`, 'ci2.csv', { ledger })
    expect(other.report.rejections[0]).toMatchObject({
      field: 'ci',
      reason: expect.stringMatching(/^this record was issued before under another UVCI .*leave ci out/),
    })
    const again = await issue(`${HEADER}\n${row('c1', '')}\n`, 'ci3.csv', { ledger })
    expect(again.report).toMatchObject({ alreadyIssued: 1, rejected: 0 })
    ledger.close()
  })

  it('in an ICVP batch, a ci value is rejected as an EU DCC column (hcert assigns the UVCI)', async () => {
    const { report } = await issue(
      'id,name,dob,sex,nationality,product,date,batch,clinician,issuer,ci\nw1,Le Thi Hoa,1990-01-01,F,VN,STAMARIL,2021-06-01,B1,Dr A,Pasteur,URN:UVCI:01:VN:X/1\n',
      'icvp-ci.csv',
      { kind: 'icvp' },
    )
    expect(report.rejections).toEqual([
      expect.objectContaining({
        field: 'ci',
        reason: expect.stringMatching(/^is a column of EU DCC records/),
      }),
    ])
  })
})

describe('JSON values of the wrong type', () => {
  it('a number, true/false, a list or an object as a name is rejected, naming the field and the type', async () => {
    for (const [value, kind] of [
      [123, 'a number'],
      [true, 'true or false'],
      [['Nguyen'], 'a list'],
      [{ text: 'Nguyen' }, 'an object'],
    ] as const) {
      const record = flatVaccination({ fn: value })
      const { report } = await issue(`${JSON.stringify(record)}\n`, 'types.jsonl')
      expect(report).toMatchObject({ issued: 0, rejected: 1 })
      expect(report.rejections).toEqual([
        { index: 1, line: 1, field: 'fn', reason: `must be text (a JSON string), not ${kind}` },
      ])
    }
  })

  it('numbers are read where numbers are meant (dose, doses, id); a list there is rejected', async () => {
    const good = flatVaccination({ id: 7 })
    const { report, certificates } = await issue(`${JSON.stringify(good)}\n`, 'numbers.jsonl')
    expect(report.issued).toBe(1)
    expect(certificates[0]?.id).toBe('7')
    const bad = await issue(`${JSON.stringify({ ...good, dose: [1] })}\n`, 'list.jsonl')
    expect(bad.report.rejections).toEqual([
      { index: 1, line: 1, field: 'dose', reason: 'must be a number or text (a JSON string), not a list' },
    ])
  })

  it('a field of another certificate type is rejected, in a flat record and in a DCC payload', async () => {
    const flat = flatVaccination({ test_type: 'PCR', valid_until: '2022-01-01' })
    const { report } = await issue(`${JSON.stringify(flat)}\n`, 'other-type.jsonl')
    expect(report.rejections.map((r) => [r.field, r.reason])).toEqual([
      [
        'test_type',
        'belongs to test certificates; this record is a vaccination (type v): leave test_type empty (or correct type)',
      ],
      [
        'valid_until',
        'belongs to recovery certificates; this record is a vaccination (type v): leave valid_until empty (or correct type)',
      ],
    ])
    // an empty cell of another type's column is no value: mixed-type CSV files keep working
    const csv = await issue(
      `${CSV_HEADER},test_type,result\nv,Le,An,1980-01-01,Comirnaty,1,2,2021-06-01,,\n`,
      'mixed.csv',
    )
    expect(csv.report).toMatchObject({ issued: 1, rejected: 0 })
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
          tt: 'LP6464-4',
        },
      ],
    }
    const fromPayload = await issue(JSON.stringify(payload), 'payload-other-type.json')
    expect(fromPayload.report.rejections.map((r) => [r.field, r.reason])).toEqual([
      ['v/tt', 'belongs to test entries, not vaccination ones; remove it (or correct the entry)'],
    ])
  })
})

describe('control and invisible characters', () => {
  const cases: Array<[string, string, RegExp]> = [
    [
      'ESC (a terminal escape sequence)',
      'Ng\u001B[31muyen',
      /^contains a control character .* at character 3; remove it$/,
    ],
    ['a line break', 'Ng\nuyen', /^contains a control character .* at character 3;/],
    ['DEL', 'Ng\u007Fuyen', /^contains a control character .* at character 3;/],
    ['a C1 control', 'Ng\u009Buyen', /^contains a control character .* at character 3;/],
    [
      'a bidi override',
      'Ng\u202Euyen',
      /^contains a bidirectional-text control character .* at character 3;/,
    ],
    ['a zero-width space', 'Ng\u200Buyen', /^contains an invisible character .* at character 3;/],
    ['a zero-width joiner', 'Ng\u200Duyen', /^contains an invisible character .* at character 3;/],
  ]
  for (const [what, name, reason] of cases) {
    it(`${what} in a name, the issuer or the centre is rejected with the field, the kind and the position`, async () => {
      const record = flatVaccination({ fn: name })
      const { report } = await issue(`${JSON.stringify(record)}\n`, 'control.jsonl')
      expect(report.rejections).toEqual([
        { index: 1, line: 1, field: 'fn', reason: expect.stringMatching(reason) },
      ])
      expect(JSON.stringify(report)).not.toContain('uyen')
      const issuer = await issue(`${JSON.stringify({ ...record, fn: 'Le', issuer: name })}\n`, 'issuer.jsonl')
      expect(issuer.report.rejections).toEqual([
        { index: 1, line: 1, field: 'issuer', reason: expect.stringMatching(reason) },
      ])
      const test = {
        type: 't',
        fn: 'Le',
        gn: 'An',
        dob: '1980-01-01',
        test_type: 'PCR',
        result: 'negative',
        date: '2021-06-01T08:00:00Z',
        centre: name,
      }
      const centre = await issue(`${JSON.stringify(test)}\n`, 'centre.jsonl')
      expect(centre.report.rejections).toEqual([
        { index: 1, line: 1, field: 'centre', reason: expect.stringMatching(reason) },
      ])
    })
  }

  it('in a DCC payload too, and in a CSV cell', async () => {
    const payload = {
      nam: { fn: 'Le', gn: 'A\u001B]0;x\u0007n' },
      dob: '1980-01-01',
      v: [{ vp: '1119349007', mp: 'EU/1/20/1528', ma: 'ORG-100030215', dn: 1, sd: 2, dt: '2021-06-01' }],
    }
    const { report } = await issue(JSON.stringify(payload), 'payload-esc.json')
    expect(report.rejections.map((r) => r.field)).toEqual(['nam/gn'])
    expect(report.rejections[0]?.reason).toMatch(/control character .* at character 2/)
    const csv = await issue(
      `${CSV_HEADER}\nv,Le,"A\u202En",1980-01-01,Comirnaty,1,2,2021-06-01\n`,
      'bidi.csv',
    )
    expect(csv.report.rejections.map((r) => [r.field, r.reason.slice(0, 40)])).toEqual([
      ['gn', 'contains a bidirectional-text control ch'],
    ])
  })
})

describe('a UVCI given in the input', () => {
  const payload = (ci: unknown) => ({
    nam: { fn: 'Le', gn: 'An' },
    dob: '1980-01-01',
    v: [{ vp: '1119349007', mp: 'EU/1/20/1528', ma: 'ORG-100030215', dn: 1, sd: 2, dt: '2021-06-01', ci }],
  })

  it('empty or not by the UVCI grammar is rejected, without quoting it', async () => {
    for (const [ci, reason] of [
      ['', /^is empty: leave ci out/],
      ['   ', /^is empty: leave ci out/],
      ['not a uvci', /^is not a UVCI: it must read URN:UVCI:01:/],
      ['URN:UVCI:01:VN:AB_C/../x#1', /^is not a UVCI/],
      ['URN:UVCI:01:VN:A/B/C/D', /^is not a UVCI/],
      [`URN:UVCI:01:VN:${'A'.repeat(80)}`, /^is not a UVCI/],
    ] as const) {
      const { report } = await issue(JSON.stringify(payload(ci)), 'ci.json')
      expect(report.rejections).toEqual([
        { index: 1, line: 1, field: 'v/ci', reason: expect.stringMatching(reason) },
      ])
      if (ci.trim() !== '') expect(report.rejections[0]?.reason).not.toContain(ci)
    }
  })

  it('a well-formed one is kept, in capitals (lower case and without a check character too)', async () => {
    for (const ci of ['URN:UVCI:01:VN:MOH/ABC123#Q', 'urn:uvci:01:vn:moh/abc124']) {
      const { report, certificates } = await issue(JSON.stringify(payload(ci)), 'ci-ok.json')
      expect(report).toMatchObject({ issued: 1, rejected: 0 })
      // the UVCI grammar is upper-case, and UVCIs compare without regard to case
      expect(certificates[0]?.uvci).toBe(ci.toUpperCase())
    }
  })
})

describe('the id column', () => {
  it('is read in NFC; an NFD id key of an older ledger is put in NFC when the ledger is migrated', async () => {
    const path = join(tmp, 'nfd-id.sqlite')
    const input = `id,${CSV_HEADER}\n${NGUYEN_NFD}-1,v,Le,An,1980-01-01,Comirnaty,1,2,2021-06-01\n`
    const first = await issue(input, 'nfd-id.csv', { ledger: new Ledger(path) })
    expect(first.report.issued).toBe(1)
    expect(first.certificates[0]?.id).toBe(`${NGUYEN_NFC}-1`)
    // as a schema-2 ledger held it: the id as typed
    first.ledger.database.prepare('UPDATE certificates SET idempotency_key = ?').run(`id:${NGUYEN_NFD}-1`)
    first.ledger.database.pragma('user_version = 2')
    first.ledger.close()
    const again = await issue(input, 'nfd-id.csv', { ledger: new Ledger(path) })
    expect(again.report).toMatchObject({ issued: 0, alreadyIssued: 1 })
    again.ledger.close()
  })

  it('an id over 128 characters, or with a control character, is rejected in field id', async () => {
    const long = 'A'.repeat(129)
    const { report } = await issue(
      `id,${CSV_HEADER}\n${long},v,Le,An,1980-01-01,Comirnaty,1,2,2021-06-01\n"R\u001B1",v,Le,Binh,1980-01-01,Comirnaty,1,2,2021-06-01\n${'B'.repeat(128)},v,Le,Chi,1980-01-01,Comirnaty,1,2,2021-06-01\n`,
      'ids.csv',
    )
    expect(report).toMatchObject({ issued: 1, rejected: 2 })
    expect(report.rejections.map((r) => [r.index, r.field, r.reason.slice(0, 30)])).toEqual([
      [1, 'id', 'is longer than 128 characters;'],
      [2, 'id', 'contains a control character ('],
    ])
    expect(JSON.stringify(report.rejections)).not.toContain(long)
  })
})

describe('dates the DCC schema gives as dates are signed as dates', () => {
  const reasonsOf = (report: { rejections: Array<{ field: string; reason: string }> }) =>
    report.rejections.map((r) => [r.field, r.reason])
  it('a vaccination or recovery date with a time is rejected as 2021-6-1 is; a test sample time is kept', async () => {
    const flat = (type: string, date: string, extra = '') =>
      JSON.stringify({
        type,
        fn: 'Le',
        gn: 'An',
        dob: '1980-01-01',
        ...(type === 'v' ? { vaccine: 'Comirnaty', dose: 1, doses: 2 } : {}),
        ...(type === 't' ? { test_type: 'PCR', result: 'negative', centre: 'Lab' } : {}),
        date,
        ...(extra ? { valid_until: extra } : {}),
      })
    const bad = await issue(flat('v', '2021-6-1') + '\n', 'date-short.jsonl')
    const expected = reasonsOf(bad.report)
    expect(expected).toEqual([['date', 'must be a date written YYYY-MM-DD']])
    for (const date of ['2021-06-01 10:00', '2021-06-01T00:00:00Z']) {
      const { report } = await issue(flat('v', date) + '\n', 'date-time.jsonl')
      expect(reasonsOf(report)).toEqual(expected)
      const recovery = await issue(flat('r', date) + '\n', 'date-time-r.jsonl')
      expect(reasonsOf(recovery.report)).toEqual(expected)
    }
    const until = await issue(flat('r', '2021-06-01', '2021-10-01T00:00:00Z') + '\n', 'until.jsonl')
    expect(reasonsOf(until.report)).toEqual([['valid_until', 'must be a date written YYYY-MM-DD']])
    const test = await issue(flat('t', '2021-12-01T08:00:00+07:00') + '\n', 'sc.jsonl')
    expect(test.report).toMatchObject({ issued: 1, rejected: 0 })
  })
  it('in a DCC payload given as input too', async () => {
    const payload = (dt: string) =>
      JSON.stringify({
        nam: { fn: 'Le', gn: 'An' },
        dob: '1980-01-01',
        v: [{ vp: '1119349007', mp: 'EU/1/20/1528', ma: 'ORG-100030215', dn: 1, sd: 2, dt }],
      })
    const short = await issue(payload('2021-6-1'), 'p-short.json')
    expect(short.report.rejected).toBe(1)
    const timed = await issue(payload('2021-06-01T10:00:00Z'), 'p-timed.json')
    expect(reasonsOf(timed.report)).toEqual(reasonsOf(short.report))
    expect((await issue(payload('2021-06-01'), 'p-ok.json')).report.issued).toBe(1)
  })
})

describe('a numeric id', () => {
  it('beyond 2^53 is rejected (its digits are already lost); a negative or fractional one too; a whole one is its digits', async () => {
    const row = (id: string) =>
      `{"id": ${id}, "type": "v", "fn": "Le", "gn": "An", "dob": "1980-01-01", "vaccine": "Comirnaty", "dose": 1, "doses": 2, "date": "2021-06-01"}\n`
    const big = await issue(row('12345678901234567890'), 'id-big.jsonl')
    expect(big.report.rejections.map((r) => [r.field, r.reason])).toEqual([
      ['id', 'a number this large loses digits: write the id as text'],
    ])
    for (const id of ['-1', '1.5']) {
      const { report } = await issue(row(id), 'id-odd.jsonl')
      expect(report.rejections.map((r) => r.field)).toEqual(['id'])
    }
    const ok = await issue(row('9007199254740991'), 'id-ok.jsonl')
    expect(ok.report.issued).toBe(1)
    const text = await issue(row('"12345678901234567890"'), 'id-text.jsonl')
    expect(text.report.issued).toBe(1)
  })
})
