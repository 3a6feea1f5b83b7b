/**
 * A race between one run's lookup and its commit, made deterministic: while run A signs (after it
 * looked its records up and found nothing), run B, on a connection of its own to the same ledger
 * file, issues and commits. A's commit then finds B's rows: it must not insert a second
 * certificate, nor fail, but report B's certificates as already issued (or reject other content).
 */
import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import Database from 'better-sqlite3'
import { describe, expect, it } from 'vitest'
import { inlineSigner, type JobSigner } from '../../src/issue/sign-jobs.js'
import { Ledger, type IssuedRow } from '../../src/ledger/ledger.js'
import { issueCertificates, type IssuedCertificate, type IssueOptions } from '../../src/services/issue.js'
import { exampleSigner } from '../helpers/keys.js'

// Leases that lapse at once: B takes over the keys A reserved while A signs. With leases as they
// are (engines.test.ts), B would wait for A instead; this is the race the commit must still
// resolve when a lease runs out mid-chunk (a run stalled past its lease).
process.env.HCERT_LEDGER_LEASE = '1'

const tmp = mkdtempSync(join(tmpdir(), 'hcert-conflicts-'))
const signer = exampleSigner('ES256')
const FIELD = join(import.meta.dirname, '..', 'fixtures', 'field-reports')

function run(ledger: Ledger, source: string, jobSigner: JobSigner, extra: Partial<IssueOptions> = {}) {
  const certificates: IssuedCertificate[] = []
  const report = issueCertificates({
    source,
    signer,
    jobSigner,
    ledger,
    batch: source.split('/').pop() as string,
    now: new Date('2021-12-21T00:00:00Z'),
    validity: { amount: 12, unit: 'm' },
    defaults: { country: 'VN', issuer: 'Ministry of Health' },
    dryRun: false,
    onCertificate: (c) => certificates.push(c),
    ...extra,
  })
  return report.then((r) => ({ report: r, certificates }))
}

/** Signs as `inlineSigner` does, but first lets `meanwhile` (the other run) finish. */
function signerThatWaitsFor(meanwhile: () => Promise<unknown>): JobSigner {
  const inline = inlineSigner(signer)
  let first = true
  return {
    ...inline,
    sign: async (jobs) => {
      if (first) {
        first = false
        await meanwhile()
      }
      return inline.sign(jobs)
    },
  }
}

describe('a commit that finds what another run committed since the lookup', () => {
  it('the same records: none inserted twice, all reported already issued with the other run’s certificates', async () => {
    const path = join(tmp, 'same.sqlite')
    const file = join(tmp, 'records.csv')
    const rows = ['id,type,fn,gn,dob,vaccine,dose,doses,date']
    for (const gn of ['An', 'Binh', 'Chi', 'Dung'])
      rows.push(`${gn},v,Nguyen,${gn},1980-01-01,Comirnaty,1,2,2021-06-01`)
    writeFileSync(file, rows.join('\n'))
    const a = new Ledger(path)
    const b = new Ledger(path)
    let other: Awaited<ReturnType<typeof run>> | undefined
    const mine = await run(
      a,
      file,
      signerThatWaitsFor(async () => {
        other = await run(b, file, inlineSigner(signer))
      }),
    )
    expect(other?.report).toMatchObject({ issued: 4, alreadyIssued: 0 })
    expect(mine.report).toMatchObject({ records: 4, issued: 0, alreadyIssued: 4, rejected: 0 })
    expect(mine.certificates).toEqual(other?.certificates)
    a.close()
    b.close()
    const db = new Database(path, { readonly: true })
    expect(db.prepare('SELECT count(*) FROM certificates').pluck().get()).toBe(4)
    expect(db.prepare('SELECT sum(count) FROM daily_counts').pluck().get()).toBe(4)
    db.close()
  })

  it('the same id with other content (reuse_a.csv against reuse_b.csv): rejected, naming the id column (not its value)', async () => {
    const path = join(tmp, 'other.sqlite')
    const a = new Ledger(path)
    const b = new Ledger(path)
    const mine = await run(
      a,
      join(FIELD, 'reuse_b.csv'),
      signerThatWaitsFor(() => run(b, join(FIELD, 'reuse_a.csv'), inlineSigner(signer))),
    )
    expect(mine.report).toMatchObject({ issued: 0, alreadyIssued: 0, rejected: 1 })
    expect(mine.report.rejections[0]).toMatchObject({
      field: 'id',
      reason: expect.stringMatching(/^the id \(column id\) seems to belong to another person/),
    })
    // the reason names the column, never the id's value (an office may use a national id number)
    expect(mine.report.rejections[0]?.reason).not.toContain('R1')
    expect(mine.certificates).toEqual([])
    a.close()
    b.close()
  })

  it('two corrections of one certificate at once: one lands; the other is already issued when it is the same, else rejected', async () => {
    const path = join(tmp, 'corrections.sqlite')
    const a = new Ledger(path)
    const b = new Ledger(path)
    await run(a, join(FIELD, 'reuse_a.csv'), inlineSigner(signer))
    const third = join(tmp, 'reuse_c.csv')
    writeFileSync(
      third,
      'id,type,fn,gn,dob,vaccine,dose,doses,date,country\nR1,v,Alice,Andersen,1980-01-01,Comirnaty,2,2,2021-05-01,VN\n',
    )
    let other: Awaited<ReturnType<typeof run>> | undefined
    const mine = await run(
      a,
      third,
      signerThatWaitsFor(async () => {
        other = await run(b, join(FIELD, 'reuse_fix.csv'), inlineSigner(signer), { correct: true })
      }),
      { correct: true },
    )
    expect(other?.report).toMatchObject({ issued: 1, corrected: 1 })
    expect(mine.report).toMatchObject({ issued: 0, corrected: 0, rejected: 1 })
    expect(mine.report.rejections[0]?.reason).toMatch(
      /another run corrected or renewed this record at the same time/,
    )
    const same = await run(
      a,
      join(FIELD, 'reuse_fix.csv'),
      signerThatWaitsFor(() => Promise.resolve()),
      { correct: true },
    )
    expect(same.report).toMatchObject({ issued: 0, alreadyIssued: 1 })
    expect(same.certificates).toEqual(other?.certificates)
    a.close()
    b.close()
  })
})

describe('Ledger.record', () => {
  it('leaves out a row whose key or UVCI is taken, or whose replaced certificate is already superseded, and says which', () => {
    const ledger = new Ledger(join(tmp, 'record.sqlite'))
    const row = (key: string, uvci: string, replaces: number | null = null): IssuedRow => ({
      idempotencyKey: key,
      uvci,
      type: 'v',
      country: 'VN',
      issuer: 'MoH',
      kid: 'k',
      iat: 1640000000,
      exp: 1670000000,
      product: null,
      dose: 1,
      doses: 2,
      payload: '{}',
      hc1: 'HC1:X',
      batch: 'b',
      line: 2,
      holderEvent: 'h',
      origin: replaces === null ? 'issue' : 'renew',
      replaces,
      content: 'c',
    })
    const now = new Date()
    const [first] = ledger.record([row('id:1', 'U1')], [], now)
    expect(first).toEqual({ id: 1 })
    expect(
      ledger.record(
        [
          row('id:1', 'U2'),
          row('id:2', 'U1'),
          row('renew:U1', 'U3', 1),
          row('renew:U1b', 'U4', 1),
          row('id:3', 'U5'),
        ],
        [],
        now,
      ),
    ).toEqual([{ conflict: 'key' }, { conflict: 'uvci' }, { id: 2 }, { conflict: 'superseded' }, { id: 3 }])
    expect(ledger.findById(1)?.supersededBy).toBe(2)
    expect(ledger.database.prepare('SELECT count(*) FROM certificates').pluck().get()).toBe(3)
    ledger.close()
  })
})
