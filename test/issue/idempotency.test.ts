/**
 * Idempotency keys that cannot swap people: a key (the `id` column, else a content hash) stands for
 * one content; reused for other content it is rejected, naming the id and never the holder, within
 * one input and across runs; --correct issues a correction that supersedes the old certificate.
 * Field reports: test/fixtures/field-reports/reuse_a.csv, reuse_b.csv, dupid.csv.
 */
import { copyFileSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { basename, join } from 'node:path'
import Database from 'better-sqlite3'
import { describe, expect, it } from 'vitest'
import { verifyHc1 } from '../../src/hcert/verify-hc1.js'
import { Ledger } from '../../src/ledger/ledger.js'
import { SCHEMA_VERSION } from '../../src/ledger/schema.js'
import { type IssueOptions } from '../../src/services/issue.js'
import { renewCertificates, type RenewedCertificate } from '../../src/services/renew.js'
import { TrustList } from '../../src/trust/trust-list.js'
import { runCli } from '../helpers/cli.js'
import { exampleSigner, KEYS_EXAMPLE } from '../helpers/keys.js'
import { CSV_HEADER, vaccinationCsv } from '../helpers/records.js'
import { ISSUE_NOW, issueFile } from '../helpers/issue.js'

const FIELD = join(import.meta.dirname, '..', 'fixtures', 'field-reports')
const FIXTURES = join(import.meta.dirname, '..', 'fixtures', 'ledger')
const NOW = ISSUE_NOW
const tmp = mkdtempSync(join(tmpdir(), 'hcert-idempotency-'))
const signer = exampleSigner('ES256')
const trust = new TrustList([signer.certificate])

// each file its own batch, named as the CLI names it
const issue = (ledger: Ledger, file: string, extra: Partial<IssueOptions> = {}) =>
  issueFile(ledger, file, { batch: basename(file), ...extra })

const nameOf = (hc1: string): string =>
  (verifyHc1(hc1, { trust, now: NOW }).payload as { nam: { fn: string } }).nam.fn

/** what the report, the ledger's rejections and the output say, which must never name the holder */
function holderFree(text: string, ...data: string[]): void {
  for (const d of data) expect(text).not.toContain(d)
}

function rows(path: string) {
  const db = new Database(path, { readonly: true })
  const all = db
    .prepare(
      'SELECT id, idempotency_key AS key, uvci, replaces, superseded_by AS supersededBy, hc1 FROM certificates ORDER BY id',
    )
    .all() as Array<{
    id: number
    key: string
    uvci: string
    replaces: number | null
    supersededBy: number | null
    hc1: string
  }>
  const rejections = db.prepare('SELECT field, reason FROM rejections').all() as Array<{
    field: string
    reason: string
  }>
  db.close()
  return { all, rejections }
}

describe('an id reused for other content', () => {
  it('across runs (reuse_a.csv then reuse_b.csv): the second record is rejected, naming the id, and nothing of the first person is written for it', async () => {
    const path = join(tmp, 'reuse.sqlite')
    const ledger = new Ledger(path)
    const a = await issue(ledger, join(FIELD, 'reuse_a.csv'))
    expect(a.report).toMatchObject({ issued: 1, rejected: 0 })
    const b = await issue(ledger, join(FIELD, 'reuse_b.csv'))
    expect(b.report).toMatchObject({ issued: 0, alreadyIssued: 0, rejected: 1 })
    expect(b.certificates).toEqual([])
    expect(b.report.rejections).toEqual([
      {
        index: 1,
        line: 2,
        field: 'id',
        // another holder (surname, given name and date of birth all differ): --correct is not suggested
        reason: expect.stringMatching(
          /^the id \(column id\) seems to belong to another person: .*an id of its own/,
        ),
      },
    ])
    expect(b.report.rejections[0]?.reason).not.toMatch(/--correct\b(?! fixes)/)
    ledger.close()
    const { all, rejections } = rows(path)
    expect(all).toHaveLength(1)
    expect(rejections).toEqual([{ field: 'id', reason: b.report.rejections[0]?.reason }])
    holderFree(JSON.stringify(b.report), 'Alice', 'Anders', 'Bob', 'Berg', '1980', '1990', 'Spikevax')
  })

  it('within one input (dupid.csv): the second record is rejected because the id is reused for different content', async () => {
    const ledger = new Ledger(join(tmp, 'dupid.sqlite'))
    const { report, certificates } = await issue(ledger, join(FIELD, 'dupid.csv'))
    expect(report).toMatchObject({ issued: 1, rejected: 1 })
    expect(report.rejections).toEqual([
      {
        index: 2,
        line: 3,
        field: 'id',
        reason:
          'the id (column id) is reused for different content: record 1 of this input has it; give each record an id of its own',
      },
    ])
    expect(certificates.map((c) => [c.id, nameOf(c.hc1)])).toEqual([['D1', 'Smith']])
    holderFree(JSON.stringify(report), 'Smith', 'John', 'Other', 'Person', '1990')
    ledger.close()
  })

  it('the same id with the same content stays already issued, however it is formatted, and its line carries the id', async () => {
    const ledger = new Ledger(join(tmp, 'same.sqlite'))
    const first = await issue(ledger, join(FIELD, 'reuse_a.csv'))
    const file = join(tmp, 'reuse_a-reformatted.csv')
    // other column order, spaces around values, a product name in other case: the same content
    writeFileSync(
      file,
      'country,id,type,gn,fn,dob,vaccine,dose,doses,date\r\n VN , R1 ,v,Anders,Alice,1980-01-01,comirnaty,2,2,2021-06-01\r\n',
    )
    const again = await issue(ledger, file)
    expect(again.report).toMatchObject({ issued: 0, alreadyIssued: 1, rejected: 0 })
    expect(again.certificates).toEqual(first.certificates)
    expect(first.certificates[0]).toMatchObject({ line: 2, id: 'R1' })
    expect(Object.keys(first.certificates[0] as object)).toEqual([
      'line',
      'id',
      'uvci',
      'type',
      'iat',
      'exp',
      'hc1',
    ])
    ledger.close()
  })

  it('other --country or --issuer defaults are other content for a record without an id: rejected, not written out stale', async () => {
    const ledger = new Ledger(join(tmp, 'defaults.sqlite'))
    const file = join(tmp, 'no-id.csv')
    writeFileSync(
      file,
      'type,fn,gn,dob,vaccine,dose,doses,date\nv,Alice,Anders,1980-01-01,Comirnaty,2,2,2021-06-01\n',
    )
    await issue(ledger, file)
    const other = await issue(ledger, file, { defaults: { country: 'VN', issuer: 'Another Ministry' } })
    expect(other.report).toMatchObject({ issued: 0, alreadyIssued: 0, rejected: 1 })
    expect(other.report.rejections[0]).toMatchObject({
      field: 'record',
      reason: expect.stringMatching(/--correct/),
    })
    ledger.close()
  })
})

describe('one id twice in one input, however far apart', () => {
  /** the id DUP on record 1 and record 3,502, with 3,500 others (three and a half chunks) between */
  function farApart(second: string): string {
    const file = join(tmp, `far-${second.length}-${Math.random().toString(36).slice(2)}.csv`)
    const filler = vaccinationCsv({ to: 3500, prefix: 'F' }).split('\n').slice(1).join('\n')
    writeFileSync(
      file,
      `${CSV_HEADER}\nDUP,v,First,Person,1980-01-01,Comirnaty,1,2,2021-06-01\n${filler}${second}\n`,
    )
    return file
  }

  for (const correct of [false, true])
    it(`other content is rejected as this input's (record 1 has it)${correct ? ', with --correct too: nothing superseded' : ''}`, async () => {
      const path = join(tmp, `far-${correct}.sqlite`)
      const ledger = new Ledger(path)
      const { report, certificates } = await issue(
        ledger,
        farApart('DUP,v,Second,Other,1985-01-01,Comirnaty,1,2,2021-06-01'),
        { correct },
      )
      expect(report).toMatchObject({ records: 3502, issued: 3501, corrected: 0, rejected: 1 })
      expect(report.rejections).toEqual([
        {
          index: 3502,
          line: 3503,
          field: 'id',
          reason:
            'the id (column id) is reused for different content: record 1 of this input has it; give each record an id of its own',
        },
      ])
      expect(certificates.filter((c) => c.id === 'DUP').map((c) => nameOf(c.hc1))).toEqual(['First'])
      ledger.close()
      expect(rows(path).all.filter((r) => r.supersededBy !== null)).toEqual([])
      holderFree(JSON.stringify(report), 'Second', 'Other', '1985')
    })

  it('the same content again is a repeat of record 1 (issued once, counted as already issued), in a dry run too', async () => {
    const file = farApart('DUP,v,First,Person,1980-01-01,Comirnaty,1,2,2021-06-01')
    for (const dryRun of [false, true]) {
      const ledger = new Ledger(join(tmp, `far-same-${dryRun}.sqlite`))
      const { report } = await issue(ledger, file, { dryRun })
      expect(report).toMatchObject({ records: 3502, rejected: 0, alreadyIssued: 1 })
      expect(report.warnings.join('\n')).toMatch(/record 3502\) is the same record as an earlier one/)
      ledger.close()
    }
  })

  it('fixN: the repeat gets its own output line (its line, the same certificate), far apart or in one chunk, and no image of its own', async () => {
    const far = farApart('DUP,v,First,Person,1980-01-01,Comirnaty,1,2,2021-06-01')
    const near = join(tmp, 'near-repeat.csv')
    writeFileSync(
      near,
      `${CSV_HEADER}\nDUP,v,First,Person,1980-01-01,Comirnaty,1,2,2021-06-01\nB,v,Other,Person,1981-01-01,Comirnaty,1,2,2021-06-01\nDUP,v,First,Person,1980-01-01,Comirnaty,1,2,2021-06-01\n`,
    )
    for (const [file, repeatLine] of [
      [far, 3503],
      [near, 4],
    ] as const) {
      const qrDir = join(tmp, `qr-${repeatLine}`)
      const ledger = new Ledger(join(tmp, `repeat-line-${repeatLine}.sqlite`))
      // images for the short file only (3502 images would take seconds)
      const { report, certificates } = await issue(ledger, file, file === near ? { qrDir } : {})
      expect(report).toMatchObject({ rejected: 0, alreadyIssued: 1 })
      const dup = certificates.filter((c) => c.id === 'DUP')
      expect(dup.map((c) => c.line)).toEqual([2, repeatLine])
      expect(dup[1]).toEqual({ ...dup[0], line: repeatLine })
      expect(certificates).toHaveLength(report.records)
      if (file === near) expect(readdirSync(qrDir).filter((f) => f.endsWith('.png'))).toHaveLength(2)
      // run again: both lines again, as already issued
      const again = await issue(ledger, file)
      expect(again.certificates.filter((c) => c.id === 'DUP')).toEqual(dup)
      ledger.close()
    }
    // a dry run writes no line
    const dry = await issue(new Ledger(':memory:'), near, { dryRun: true })
    expect(dry.certificates).toEqual([])
  })

  it('fixS: the same record asking for another UVCI than its first copy is rejected in ci naming it (with and without ids); without ci it is a repeat', async () => {
    const row = (id: string, ci: string) => `${id},v,Lê,Hoa,1990-01-01,Comirnaty,1,2,2021-06-01,${ci}`
    for (const id of ['G1', '']) {
      const file = join(tmp, `uvci-twice-${id}.csv`)
      writeFileSync(
        file,
        `${CSV_HEADER},ci\n${row(id, 'URN:UVCI:01:VN:QQQ/1')}\n${row(id, 'URN:UVCI:01:VN:QQQ/2')}\n${row(id, '')}\n`,
      )
      const ledger = new Ledger(':memory:')
      const { report, certificates } = await issue(ledger, file)
      expect(report).toMatchObject({ rejected: 1, alreadyIssued: 1 })
      expect(report.rejections).toEqual([
        expect.objectContaining({
          index: 2,
          field: 'ci',
          reason: expect.stringContaining('record 1 of this input'),
        }),
      ])
      expect(certificates.map((c) => [c.line, c.uvci])).toEqual([
        [2, 'URN:UVCI:01:VN:QQQ/1'],
        [4, 'URN:UVCI:01:VN:QQQ/1'],
      ])
      holderFree(JSON.stringify(report), 'Lê', 'Hoa', '1990')
      ledger.close()
    }
    // a record without ci first: a later copy that asks for a UVCI asks for another
    const file = join(tmp, 'uvci-after-none.csv')
    writeFileSync(file, `${CSV_HEADER},ci\n${row('G2', '')}\n${row('G2', 'URN:UVCI:01:VN:QQQ/3')}\n`)
    const { report } = await issue(new Ledger(':memory:'), file)
    expect(report.rejections).toEqual([expect.objectContaining({ index: 2, field: 'ci' })])
  })

  it('fixS: records without an id differing only in country in one input: the second names record 1 of this input, never "issued before"; with --correct none is signed', async () => {
    const row = (co: string) => `,v,Lê,Hoa,1990-01-01,Comirnaty,1,2,2021-06-01,${co}`
    const file = join(tmp, 'no-id-countries.csv')
    writeFileSync(file, `${CSV_HEADER},country\n${row('VN')}\n${row('FR')}\n`)
    const plain = await issue(new Ledger(':memory:'), file)
    expect(plain.report).toMatchObject({ issued: 1, rejected: 1 })
    expect(plain.report.rejections).toEqual([
      expect.objectContaining({
        index: 2,
        field: 'record',
        reason: expect.stringContaining('record 1 of this input'),
      }),
    ])
    expect(plain.report.rejections[0]?.reason).not.toMatch(/issued before|--correct/)
    const corrected = await issue(new Ledger(':memory:'), file, { correct: true })
    expect(corrected.report).toMatchObject({ issued: 0, rejected: 2 })
    expect(corrected.report.rejections[1]?.reason).toContain('record 1 of this input')
    expect(corrected.report.rejections[1]?.reason).not.toMatch(/issued before/)
    holderFree(JSON.stringify([plain.report, corrected.report]), 'Lê', 'Hoa', '1990')
  })

  it('fixS: a repeat of a record corrected since gets its own line too (the current certificate, as its first copy)', async () => {
    const row = 'B1,v,Lê,Hoa,1990-01-01,Comirnaty,1,2,2021-06-01'
    const twice = join(tmp, 'old-twice.csv')
    writeFileSync(twice, `${CSV_HEADER}\n${row}\n${row}\n`)
    const fix = join(tmp, 'old-fix.csv')
    writeFileSync(fix, `${CSV_HEADER}\n${row.replace('1990-01-01', '1990-01-02')}\n`)
    const ledger = new Ledger(join(tmp, 'repeat-corrected-since.sqlite'))
    await issue(ledger, twice)
    const fixed = await issue(ledger, fix, { correct: true })
    expect(fixed.report.corrected).toBe(1)
    const again = await issue(ledger, twice)
    expect(again.report).toMatchObject({ rejected: 0, alreadyIssued: 2 })
    expect(again.certificates.map((c) => c.line)).toEqual([2, 3])
    expect(again.certificates.map((c) => c.uvci)).toEqual([
      fixed.certificates[0]?.uvci,
      fixed.certificates[0]?.uvci,
    ])
    ledger.close()
  })

  it('a rerun of the whole input finds record 1 already issued and rejects the repeat the same way', async () => {
    const file = farApart('DUP,v,Second,Other,1985-01-01,Comirnaty,1,2,2021-06-01')
    const ledger = new Ledger(join(tmp, 'far-rerun.sqlite'))
    await issue(ledger, file)
    const again = await issue(ledger, file)
    expect(again.report).toMatchObject({ issued: 0, alreadyIssued: 3501, rejected: 1 })
    expect(again.report.rejections[0]?.reason).toMatch(/record 1 of this input has it/)
    ledger.close()
  })
})

describe('the same holder and event under another key', () => {
  const EVENT = 'v,Lê,An,1980-01-01,Comirnaty,1,2,2021-06-01'

  it('in one input (ids that differ, in case only, or none): all issued, counted, and a warning names the record numbers, not the data', async () => {
    const file = join(tmp, 'same-event.csv')
    writeFileSync(
      file,
      `${CSV_HEADER}\nVN-1,${EVENT}\nvn-1,${EVENT}\n,${EVENT}\nVN-2,${EVENT}\nVN-3,v,Lê,An,1980-01-01,Comirnaty,2,2,2021-08-01\n`,
    )
    for (const dryRun of [false, true]) {
      const ledger = new Ledger(join(tmp, `same-event-${dryRun}.sqlite`))
      const { report } = await issue(ledger, file, { dryRun })
      expect(report).toMatchObject({ rejected: 0, sameHolderEvent: 3 })
      expect(report.warnings).toEqual([
        expect.stringMatching(
          /^3 records \(records 2, 3, 4\) have the holder and vaccination, test or recovery .* of a current certificate under another id/,
        ),
      ])
      holderFree(JSON.stringify(report), 'Lê', 'An,', '1980', 'VN-')
      ledger.close()
    }
  })

  it('in the ledger: counted against the current certificate (a renewal), not against what a correction replaces nor a record already issued', async () => {
    const ledger = new Ledger(join(tmp, 'same-event-ledger.sqlite'))
    const first = join(tmp, 'event-first.csv')
    writeFileSync(first, `${CSV_HEADER}\nA1,${EVENT}\n`)
    expect((await issue(ledger, first)).report).toMatchObject({ issued: 1, sameHolderEvent: 0 })
    // already issued: the same certificate, not another one
    expect((await issue(ledger, first)).report).toMatchObject({ alreadyIssued: 1, sameHolderEvent: 0 })
    // a correction of its product keeps the holder and event: it replaces that certificate, no warning
    const fixed = join(tmp, 'event-fixed.csv')
    writeFileSync(fixed, `${CSV_HEADER}\nA1,v,Lê,An,1980-01-01,Spikevax,1,2,2021-06-01\n`)
    expect((await issue(ledger, fixed, { correct: true })).report).toMatchObject({
      corrected: 1,
      sameHolderEvent: 0,
      warnings: [],
    })
    const at = new Date('2023-01-01T00:00:00Z')
    const renewal = await renewCertificates({
      ledger,
      signer,
      now: at,
      validity: { amount: 12, unit: 'm' },
      dueBy: Math.floor(at.getTime() / 1000),
      batch: 'renew',
    })
    expect(renewal.renewed).toBe(1)
    const other = join(tmp, 'event-other-id.csv')
    writeFileSync(other, `${CSV_HEADER}\nB1,${EVENT}\n`)
    const again = await issue(ledger, other)
    expect(again.report).toMatchObject({ issued: 1, sameHolderEvent: 1 })
    expect(again.report.warnings[0]).toMatch(/^1 record \(record 1\) has the holder .* and was issued/)
    ledger.close()
  })
})

describe('issue --correct', () => {
  it('issues the new content as a correction that supersedes the old certificate, reported as corrected; reruns find the correction', async () => {
    const path = join(tmp, 'correct.sqlite')
    const ledger = new Ledger(path)
    const a = await issue(ledger, join(FIELD, 'reuse_a.csv'))
    // the surname corrected (a typo; the given name and the date of birth kept): the same person
    const fixed = await issue(ledger, join(FIELD, 'reuse_fix.csv'), { correct: true })
    expect(fixed.report).toMatchObject({ issued: 1, corrected: 1, alreadyIssued: 0, rejected: 0 })
    const [line] = fixed.certificates
    expect(line).toMatchObject({ line: 2, id: 'R1', replaces: a.certificates[0]?.uvci })
    expect(line?.uvci).not.toBe(a.certificates[0]?.uvci)
    expect(nameOf(line?.hc1 as string)).toBe('Alise')

    // the corrected input again, with or without --correct: already issued, the correction written out
    for (const correct of [false, true]) {
      const again = await issue(ledger, join(FIELD, 'reuse_fix.csv'), { correct })
      expect(again.report).toMatchObject({ issued: 0, corrected: 0, alreadyIssued: 1, rejected: 0 })
      expect(again.certificates).toEqual(fixed.certificates)
    }
    // the old input is an earlier version of the record, corrected since: the correction is written out
    const old = await issue(ledger, join(FIELD, 'reuse_a.csv'))
    expect(old.report).toMatchObject({ issued: 0, alreadyIssued: 1, alreadyIssuedCorrected: 1, rejected: 0 })
    expect(old.certificates).toEqual(fixed.certificates)

    // renew renews the correction only, and its line carries the record's id
    const renewed: RenewedCertificate[] = []
    const at = new Date('2023-01-01T00:00:00Z')
    const renewal = await renewCertificates({
      ledger,
      signer,
      now: at,
      validity: { amount: 12, unit: 'm' },
      dueBy: Math.floor(at.getTime() / 1000),
      batch: 'renew',
      onCertificate: (c) => renewed.push(c),
    })
    expect(renewal.renewed).toBe(1)
    expect(renewed[0]).toMatchObject({ id: 'R1', replaces: line?.uvci })
    ledger.close()

    const { all } = rows(path)
    expect(all.map((r) => [r.key.replace(/URN.*/, 'U'), r.replaces, r.supersededBy])).toEqual([
      ['id:R1', null, 2],
      ['correct:U', 1, 3],
      ['renew:U', 2, null],
    ])
  })

  it('does not give an id to another person: every holder field changed is rejected, with --correct too, nothing superseded', async () => {
    const path = join(tmp, 'correct-other-person.sqlite')
    const ledger = new Ledger(path)
    const first = join(tmp, 'site-a.csv')
    const second = join(tmp, 'site-b.csv')
    writeFileSync(first, `${CSV_HEADER}\n1,v,Nguyễn,An,1980-01-01,Comirnaty,1,2,2021-06-01\n`)
    writeFileSync(second, `${CSV_HEADER}\n1,v,Lê,Cường,1990-05-05,Spikevax,2,2,2021-08-01\n`)
    await issue(ledger, first)
    for (const correct of [false, true]) {
      const { report, certificates } = await issue(ledger, second, { correct })
      expect(report).toMatchObject({ issued: 0, corrected: 0, rejected: 1 })
      expect(certificates).toEqual([])
      expect(report.rejections[0]).toMatchObject({
        field: 'id',
        reason: expect.stringMatching(/seems to belong to another person.*give this record an id of its own/),
      })
      holderFree(JSON.stringify(report), 'Nguy', 'An', 'Lê', 'Cư', '1980', '1990')
    }
    ledger.close()
    expect(rows(path).all.map((r) => r.supersededBy)).toEqual([null])
  })

  for (const [what, row] of [
    ['the surname', '1,v,Nguyen,An,1980-01-01,Comirnaty,1,2,2021-06-01'],
    ['the given name', '1,v,Nguyễn,Anh,1980-01-01,Comirnaty,1,2,2021-06-01'],
    ['the date of birth', '1,v,Nguyễn,An,1981-01-01,Comirnaty,1,2,2021-06-01'],
  ] as const)
    it(`corrects ${what}: the same person, a correction (and without --correct, the reason suggests it)`, async () => {
      const ledger = new Ledger(join(tmp, `correct-${what.replaceAll(' ', '-')}.sqlite`))
      const first = join(tmp, 'person.csv')
      const fixed = join(tmp, `person-${what.replaceAll(' ', '-')}.csv`)
      writeFileSync(first, `${CSV_HEADER}\n1,v,Nguyễn Văn,An,1980-01-01,Comirnaty,1,2,2021-06-01\n`)
      writeFileSync(
        fixed,
        `${CSV_HEADER}\n${row.replace('Nguyễn,', 'Nguyễn Văn,').replace('Nguyen,', 'Nguyen Van,')}\n`,
      )
      await issue(ledger, first)
      const plain = await issue(ledger, fixed)
      expect(plain.report.rejections[0]?.reason).toMatch(/or correct that certificate with --correct$/)
      const corrected = await issue(ledger, fixed, { correct: true })
      expect(corrected.report).toMatchObject({ issued: 1, corrected: 1, rejected: 0 })
      ledger.close()
    })

  // a surname shared by millions (Nguyễn, Trần, Lê) is no proof of the same person: two of the three
  // holder fields changed is someone else given the same id (two sites numbering rows 1, 2, 3)
  for (const [what, row] of [
    [
      'the given name and the date of birth (the surname shared)',
      '1,v,Nguyễn Văn,Thị Bích,1992-11-03,Spikevax,2,2,2021-09-09',
    ],
    [
      'the surname and the date of birth (the given name shared)',
      '1,v,Tran,An,1981-01-10,Comirnaty,1,2,2021-06-01',
    ],
    ['the two names (the date of birth shared)', '1,v,Tran,Binh,1980-01-01,Spikevax,1,2,2021-06-02'],
  ] as const)
    it(`does not correct ${what}: another person, rejected with --correct too, nothing superseded`, async () => {
      const path = join(tmp, `other-${what.replace(/\W+/g, '-')}.sqlite`)
      const ledger = new Ledger(path)
      const first = join(tmp, 'person-other.csv')
      const second = join(tmp, `other-${what.replace(/\W+/g, '-')}.csv`)
      writeFileSync(first, `${CSV_HEADER}\n1,v,Nguyễn Văn,An,1980-01-01,Comirnaty,1,2,2021-06-01\n`)
      writeFileSync(second, `${CSV_HEADER}\n${row}\n`)
      await issue(ledger, first)
      for (const correct of [false, true]) {
        const { report, certificates } = await issue(ledger, second, { correct })
        expect(report).toMatchObject({ issued: 0, corrected: 0, rejected: 1 })
        expect(certificates).toEqual([])
        expect(report.rejections[0]).toMatchObject({
          field: 'id',
          reason: expect.stringMatching(/^the id \(column id\) seems to belong to another person/),
        })
        holderFree(JSON.stringify(report), 'Nguy', 'Bích', 'Tran', 'Binh', '1980', '1981', '1992')
      }
      ledger.close()
      expect(rows(path).all.map((r) => r.supersededBy)).toEqual([null])
    })

  // an ICVP has one name field: a name entirely changed (no word shared) counts as both names
  const icvp = (name: string, dob: string): string =>
    JSON.stringify({
      id: '1',
      name,
      dob,
      nationality: 'VN',
      product: 'STAMARIL',
      date: '2021-06-01',
      batch: 'L1',
      issuer: 'Pasteur Institute',
    })
  for (const [what, name, dob, same] of [
    ['another name, the date of birth shared', 'Trần Thị Bích', '1980-05-17', false],
    ['the name and the date of birth', 'Nguyễn Văn Anh', '1981-05-17', false],
    ['a typo in the name', 'Nguyễn Văn Ann', '1980-05-17', true],
    ['the date of birth', 'Nguyễn Văn An', '1981-05-17', true],
  ] as const)
    it(`ICVP --correct, ${what}: ${same ? 'a correction' : 'another person, rejected'}`, async () => {
      const ledger = new Ledger(join(tmp, `icvp-${what.replace(/\W+/g, '-')}.sqlite`))
      const first = join(tmp, 'icvp-a.jsonl')
      const second = join(tmp, `icvp-${what.replace(/\W+/g, '-')}.jsonl`)
      writeFileSync(first, `${icvp('Nguyễn Văn An', '1980-05-17')}\n`)
      writeFileSync(second, `${icvp(name, dob)}\n`)
      expect((await issue(ledger, first, { kind: 'icvp' })).report).toMatchObject({ issued: 1 })
      const { report } = await issue(ledger, second, { kind: 'icvp', correct: true })
      if (same) expect(report).toMatchObject({ issued: 1, corrected: 1, rejected: 0 })
      else {
        expect(report).toMatchObject({ issued: 0, corrected: 0, rejected: 1 })
        expect(report.rejections[0]?.reason).toMatch(
          /^the id \(column id\) seems to belong to another person/,
        )
      }
      ledger.close()
    })

  it('does not decide between two contents for one id in one input: the second is still rejected', async () => {
    const ledger = new Ledger(join(tmp, 'correct-dupid.sqlite'))
    const { report } = await issue(ledger, join(FIELD, 'dupid.csv'), { correct: true })
    expect(report).toMatchObject({ issued: 1, corrected: 0, rejected: 1 })
    expect(report.rejections[0]?.reason).toMatch(/reused for different content/)
    ledger.close()
  })
})

describe('a ledger made by the previous version (schema 1)', () => {
  it('opens, is migrated to schema 4 (user_version, content column, record keys, reservations), and keeps its records: same content already issued, other content rejected', () => {
    const path = join(tmp, 'schema-1.sqlite')
    copyFileSync(join(FIXTURES, 'schema-1.sqlite'), path)
    const before = rows(path).all
    const base = ['--key-dir', KEYS_EXAMPLE, '--ledger', path, '--at', '2022-07-01T00:00:00Z', '--json']
    const a = runCli(['issue', join(FIELD, 'reuse_a.csv'), ...base])
    expect(a.code).toBe(0)
    const report = JSON.parse(a.stdout)
    expect(report).toMatchObject({ issued: 0, alreadyIssued: 1, rejected: 0 })
    // the record's current certificate: the renewal, which replaced the first
    expect(report.certificates).toEqual([
      {
        line: 2,
        id: 'R1',
        uvci: before[2]?.uvci,
        type: 'v',
        iat: expect.any(Number),
        exp: expect.any(Number),
        hc1: before[2]?.hc1,
        replaces: before[0]?.uvci,
      },
    ])
    const noId = runCli(['issue', join(FIXTURES, 'schema-1-no-id.csv'), ...base])
    expect(JSON.parse(noId.stdout)).toMatchObject({ issued: 0, alreadyIssued: 1, rejected: 0 })
    const b = runCli(['issue', join(FIELD, 'reuse_b.csv'), ...base])
    expect(b.code).toBe(4)
    expect(JSON.parse(b.stdout)).toMatchObject({ issued: 0, alreadyIssued: 0, rejected: 1 })
    const db = new Database(path, { readonly: true })
    expect(db.pragma('user_version', { simple: true })).toBe(SCHEMA_VERSION)
    expect(db.prepare(`SELECT name FROM pragma_table_info('certificates')`).pluck().all()).toContain(
      'content',
    )
    db.close()
    // the record without an id has its key from its payload now; nothing else changed
    const after = rows(path).all
    expect(before[1]?.key).toMatch(/^sha256:/)
    expect(after[1]?.key).toMatch(/^record:[0-9a-f]{64}$/)
    expect(after.map((r) => ({ ...r, key: r.key.replace(/^record:.*/, 'record') }))).toEqual(
      before.map((r) => ({ ...r, key: r.key.replace(/^sha256:.*/, 'record') })),
    )
  })

  it('a record without an id issued before the upgrade is found again in any form after it (schema 2 → 3 key migration)', () => {
    const path = join(tmp, 'schema-1-forms.sqlite')
    copyFileSync(join(FIXTURES, 'schema-1.sqlite'), path)
    const base = ['--key-dir', KEYS_EXAMPLE, '--ledger', path, '--at', '2022-07-01T00:00:00Z', '--json']
    // schema-1-no-id.csv as a JSON object: numbers for the doses, the vaccine by its code, NFD text
    const json = join(tmp, 'schema-1-no-id.json')
    writeFileSync(
      json,
      JSON.stringify({
        type: 'v',
        fn: 'Carol',
        gn: 'Chen',
        dob: '1975-03-03',
        vaccine: 'EU/1/20/1528',
        dose: 1,
        doses: 2,
        date: '2021-05-01',
        country: 'vn',
      }),
    )
    const again = runCli(['issue', json, ...base])
    expect(again.code).toBe(0)
    expect(JSON.parse(again.stdout)).toMatchObject({ issued: 0, alreadyIssued: 1, rejected: 0 })
  })

  it('a dry run opens an old ledger read only: not migrated, not a byte changed', () => {
    const path = join(tmp, 'schema-1-dry.sqlite')
    copyFileSync(join(FIXTURES, 'schema-1.sqlite'), path)
    const bytes = readFileSync(path)
    const base = ['--key-dir', KEYS_EXAMPLE, '--ledger', path, '--at', '2022-07-01T00:00:00Z', '--json']
    const result = runCli(['issue', join(FIELD, 'reuse_b.csv'), ...base, '--dry-run'])
    expect(result.code).toBe(4)
    expect(JSON.parse(result.stdout)).toMatchObject({ issued: 0, rejected: 1, dryRun: true })
    expect(readFileSync(path).equals(bytes)).toBe(true)
  })

  it('a ledger from a newer hcert is refused with ERR_LEDGER, untouched', () => {
    const path = join(tmp, 'newer.sqlite')
    copyFileSync(join(FIXTURES, 'schema-1.sqlite'), path)
    const db = new Database(path)
    db.pragma('user_version = 99')
    db.close()
    const bytes = readFileSync(path)
    const result = runCli(['export', '--all', '--ledger', path, '--json'])
    expect(result.code).toBe(2)
    expect(JSON.parse(result.stdout).error).toMatchObject({
      code: 'ERR_LEDGER',
      message: expect.stringContaining(`schema version 99, newer than this hcert knows (${SCHEMA_VERSION})`),
    })
    expect(readFileSync(path).equals(bytes)).toBe(true)
  })
})
