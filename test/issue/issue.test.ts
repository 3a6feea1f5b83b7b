import { mkdtempSync, readFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { verifyHc1 } from '../../src/hcert/verify-hc1.js'
import { Ledger } from '../../src/ledger/ledger.js'
import { TrustList } from '../../src/trust/trust-list.js'
import { issueHarness } from '../helpers/issue.js'
import { exampleSigner, freshKeys } from '../helpers/keys.js'
import { RECOVERY, TEST, VACCINATION } from '../helpers/payloads.js'

const tmp = mkdtempSync(join(tmpdir(), 'hcert-issue-'))
const issue = issueHarness('hcert-issue-')

describe('issue → verify round trip', () => {
  it.each([
    ['ES256', 'vaccination', VACCINATION],
    ['ES256', 'test', TEST],
    ['ES256', 'recovery', RECOVERY],
    ['PS256', 'vaccination', VACCINATION],
    ['PS256', 'test', TEST],
    ['PS256', 'recovery', RECOVERY],
  ] as const)('%s %s certificates verify, valid for 12 months', async (alg, _type, dcc) => {
    const signer = exampleSigner(alg)
    const type = 'v' in dcc ? 'v' : 't' in dcc ? 't' : 'r'
    // drop the UVCI: issue assigns one
    const { ci: _ci, ...entry } =
      (dcc as unknown as Record<string, Array<Record<string, unknown>>>)[type]?.[0] ?? {}
    const payload = { ...dcc, [type]: [entry] }
    const { report, certificates } = await issue(JSON.stringify(payload), 'one.json', { signer })
    expect(report).toMatchObject({ records: 1, issued: 1, rejected: 0 })
    const [cert] = certificates
    expect(cert?.exp).toBe(Math.floor(new Date('2022-12-21T00:00:00Z').getTime() / 1000))
    const result = verifyHc1(cert?.hc1 as string, {
      trust: new TrustList([signer.certificate]),
      now: new Date('2022-06-01'),
    })
    expect(result.errors).toEqual([])
    expect(result.alg).toBe(alg)
    const issuedEntry = (result.payload as Record<string, Array<Record<string, unknown>>>)[type]?.[0]
    expect(issuedEntry?.ci).toBe(cert?.uvci)
    expect(cert?.uvci).toMatch(/^URN:UVCI:01:VN:[A-Z2-9]{20}#.$/)
  })
})

const HEADER =
  'id,type,fn,gn,dob,vaccine,vaccine_type,manufacturer,dose,doses,date,test_type,test_device,result,valid_from,valid_until,country'
const GOOD = [
  'g1,v,Nguyễn,Văn Đức,1980-05-17,Comirnaty,,,2,2,2021-06-01,,,,,,VN',
  'g2,t,Trần,Thị Mai,1992-11-03,,,,,,2021-12-20T08:00:00Z,PCR,,negative,,,VN',
  'g3,r,Lê,Minh,1975,,,,,,2021-10-01,,,,,,VN',
  'g4,v,Phạm,Anh,1960-01-01,Jcovden,,,2,1,2021-11-01,,,,,,VN',
]
/** each planted defect, with the field and the words the report must give */
const BAD: Array<[string, string, RegExp]> = [
  ['b1,v,,,1980-01-01,Comirnaty,,,1,2,2021-06-01,,,,,,VN', 'fn', /a surname or a forename is needed/],
  ['b2,v,Võ,Sáu,,Comirnaty,,,1,2,2021-06-01,,,,,,VN', 'dob', /is missing/],
  [
    'b3,v,Võ,Sáu,1980-01-01,NotAVaccine,,,1,2,2021-06-01,,,,,,VN',
    'vaccine',
    /is not a vaccine the EU value set lists/,
  ],
  [
    'b4,v,Võ,Sáu,1980-01-01,Comirnaty,,ORG-100031184,1,2,2021-06-01,,,,,,VN',
    'manufacturer',
    /is not the maker of Comirnaty/,
  ],
  [
    'b5,v,Võ,Sáu,1980-01-01,Comirnaty,,,3,2,2021-06-01,,,,,,VN',
    'dose',
    /the dose number exceeds the doses in the series/,
  ],
  [
    'b6,v,Võ,Sáu,1980-01-01,Comirnaty,,,1,2,2022-06-01,,,,,,VN',
    'date',
    /the vaccination date is in the future/,
  ],
  ['b7,v,Võ,Sáu,2021-07-01,Comirnaty,,,1,2,2021-06-01,,,,,,VN', 'dob', /is after the vaccination/],
  ['b8,v,Võ,Sáu,1980-01-01,Comirnaty,,,one,2,2021-06-01,,,,,,VN', 'dose', /must be a whole number/],
  [
    'b9,t,Võ,Sáu,1980-01-01,,,,,,2022-01-05T00:00:00Z,PCR,,negative,,,VN',
    'date',
    /the sample collection time is in the future/,
  ],
  [
    'b10,t,Võ,Sáu,1980-01-01,,,,,,2021-12-01T00:00:00Z,RAT,,negative,,,VN',
    'test_device',
    /rapid antigen test needs the device/,
  ],
  ['b11,t,Võ,Sáu,1980-01-01,,,,,,2021-12-01T00:00:00Z,PCR,,maybe,,,VN', 'result', /is not a test result/],
  [
    'b12,r,Võ,Sáu,1980-01-01,,,,,,2021-10-01,,,,2021-10-05,,VN',
    'valid_from',
    /is earlier than 11 days after the first positive test/,
  ],
  ['b13,r,Võ,Sáu,1980-01-01,,,,,,2021-10-01,,,,,2022-12-01,VN', 'valid_until', /more than 180 days after/],
  ['b14,x,Võ,Sáu,1980-01-01,,,,,,2021-10-01,,,,,,VN', 'type', /must be v, t or r/],
  ['b15,v,Võ,Sáu,1980-13-01,Comirnaty,,,1,2,2021-06-01,,,,,,VN', 'dob', /^is not a calendar date$/],
  [
    'b16,v,Võ,Sáu,1980-01-01,Comirnaty,,,1,2,2021-06-01,,,,,,Vietnam',
    'country',
    /must be an ISO 3166 two-letter country code/,
  ],
  ['b17,v,Võ,Sáu', 'record', /has 4 fields; the header has 17/],
]

describe('data cleaning', () => {
  it('rejects exactly the planted bad records, with the field and the reason, and signs the rest', async () => {
    const lines = [
      HEADER,
      GOOD[0],
      ...BAD.slice(0, 8).map((b) => b[0]),
      GOOD[1],
      GOOD[2],
      ...BAD.slice(8).map((b) => b[0]),
      GOOD[3],
    ]
    const rejects = join(tmp, 'rejects.csv')
    const { report, certificates, ledger } = await issue(`${lines.join('\n')}\n`, 'planted.csv', { rejects })
    expect(report.records).toBe(GOOD.length + BAD.length)
    expect(certificates.map((c) => c.line)).toEqual([2, 11, 12, 22])
    expect(report.issued).toBe(GOOD.length)
    expect(report.rejected).toBe(BAD.length)
    expect(certificates.map((c) => c.type)).toEqual(['v', 't', 'r', 'v'])
    for (const [row, field, reason] of BAD) {
      const id = row.split(',')[0] as string
      const index = lines.indexOf(row) // the header is line 1, so the index is the record number
      const found = report.rejections.filter((r) => r.index === index)
      expect(
        found.map((r) => r.field),
        id,
      ).toContain(field)
      expect(found.find((r) => r.field === field)?.reason, id).toMatch(reason)
      expect(found[0]?.line, id).toBe(index + 1)
      // one wrong value, one reason; and no reason quotes the record's text
      expect(found, id).toHaveLength(1)
      const cells = row.split(',').filter((cell) => cell.length >= 3 && cell !== 'Comirnaty')
      for (const r of found)
        for (const cell of cells) expect(r.reason, `${id} quotes ${cell}`).not.toContain(cell)
    }
    // the rejects file is CSV with the input's columns and a reason, one row per rejected record
    const rejected = readFileSync(rejects, 'utf8').trim().split('\n')
    expect(rejected[0]).toBe(`${HEADER},reason`)
    expect(rejected).toHaveLength(BAD.length + 1)
    // rejections are in the ledger too, without names
    const rows = ledger.database.prepare('SELECT DISTINCT line FROM rejections').all()
    expect(rows).toHaveLength(BAD.length)
    expect(JSON.stringify(ledger.database.prepare('SELECT * FROM rejections').all())).not.toMatch(/Võ|Sáu/)
  })

  it('--dry-run checks every record and signs nothing', async () => {
    const { report, certificates, ledger } = await issue(
      `${[HEADER, ...GOOD, BAD[0]?.[0]].join('\n')}\n`,
      'dry.csv',
      { dryRun: true },
    )
    expect(report).toMatchObject({ records: 5, issued: 0, rejected: 1, dryRun: true })
    expect(certificates).toEqual([])
    expect(ledger.database.prepare('SELECT count(*) AS n FROM certificates').get()).toEqual({ n: 0 })
  })

  it('refuses types the DSC may not sign, and caps exp at the DSC expiry with a warning', async () => {
    const keys = await freshKeys({ usage: ['t'], notAfter: new Date('2022-03-01T00:00:00Z') })
    const { report } = await issue(`${[HEADER, ...GOOD].join('\n')}\n`, 'eku.csv', { signer: keys.signer })
    expect(report.issued).toBe(1)
    expect(report.rejections.filter((r) => r.field === 'type').map((r) => r.reason)).toEqual([
      'the signing certificate may not sign vaccination certificates (its Extended Key Usage)',
      'the signing certificate may not sign recovery certificates (its Extended Key Usage)',
      'the signing certificate may not sign vaccination certificates (its Extended Key Usage)',
    ])
    expect(report.warnings[0]).toMatch(/capped at 2022-03-01T00:00:00.000Z/)
  })

  it('refuses an expired signing certificate before reading anything', async () => {
    const keys = await freshKeys({ notAfter: new Date('2021-06-01T00:00:00Z') })
    await expect(
      issue(`${[HEADER, ...GOOD].join('\n')}\n`, 'expired.csv', { signer: keys.signer }),
    ).rejects.toThrow(/expired on 2021-06-01/)
  })
})

describe('exactly once', () => {
  it('a rerun of the same records issues nothing new and writes the same certificates', async () => {
    const ledger = new Ledger(join(tmp, 'rerun.sqlite'))
    const input = `${[HEADER, ...GOOD].join('\n')}\n`
    const first = await issue(input, 'rerun.csv', { ledger })
    const second = await issue(input, 'rerun.csv', { ledger })
    expect(first.report.issued).toBe(4)
    expect(second.report).toMatchObject({ issued: 0, alreadyIssued: 4 })
    expect(second.certificates).toEqual(first.certificates)
  })

  it('records without an id column are recognised by their content; the same record twice in one input is issued once', async () => {
    const ledger = new Ledger(join(tmp, 'content.sqlite'))
    const rows = GOOD.map((g) => g.replace(/^g\d,/, ','))
    const input = `${[HEADER, rows[0], rows[1], rows[0]].join('\n')}\n`
    const { report } = await issue(input, 'content.csv', { ledger })
    expect(report).toMatchObject({ issued: 2, alreadyIssued: 1, rejected: 0 })
    expect(report.warnings.join('\n')).toMatch(/record 3\) is the same record as an earlier one/)
    const again = await issue(input.replace(/\n/g, '\r\n'), 'content2.csv', { ledger })
    expect(again.report).toMatchObject({ issued: 0, alreadyIssued: 3, rejected: 0 })
  })

  it('reads JSON arrays and JSON Lines the same way', async () => {
    const flat = {
      type: 'v',
      fn: 'Nguyễn',
      gn: 'An',
      dob: '1980-01-01',
      vaccine: 'Comirnaty',
      dose: 1,
      doses: 2,
      date: '2021-06-01',
    }
    const array = await issue(JSON.stringify([flat, { ...flat, gn: 'Bình' }]), 'array.json')
    expect(array.report.issued).toBe(2)
    const lines = await issue(`${JSON.stringify(flat)}\n{not json}\n`, 'lines.jsonl')
    expect(lines.report).toMatchObject({ issued: 1, rejected: 1 })
    expect(lines.report.rejections[0]).toMatchObject({ line: 2, field: 'record' })
  })
})
