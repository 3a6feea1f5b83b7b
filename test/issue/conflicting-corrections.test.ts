/**
 * Two different records of an issued id in one `--correct` input (tester round 7, finding B): two
 * contradicting fixes of one person's certificate (one fixing `gn`, one `dob`). Which is right is
 * not hcert's to guess, so neither is signed, however far apart (the input is signed a chunk at a
 * time), and each reason names the other record, never the id's text or a holder's data. A new id
 * given twice stays the first record's, as without --correct.
 */
import { execFileSync } from 'node:child_process'
import { createWriteStream } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { Ledger } from '../../src/ledger/ledger.js'
import { CHUNK_SIZE } from '../../src/services/issue.js'
import { fileMaker, issueFile } from '../helpers/issue.js'
import { CSV_HEADER, letters } from '../helpers/records.js'

const file = fileMaker('hcert-conflicting-corrections-')
const csv = (rows: readonly string[]): string => file('in.csv', `${CSV_HEADER}\n${rows.join('\n')}\n`)

/** id 7's holder: Tran Thi ALM (letters), born 1985-03-04 */
const GIVEN = `Thi ${letters(1000)}`
const record7 = (given = GIVEN, dob = '1985-03-04'): string =>
  `7,v,Tran,${given},${dob},Comirnaty,1,2,2021-06-01`
/** a close typo of GIVEN (two neighbours swapped: one edit), a correction of the same person */
const typoGiven = `Thi ${letters(1000).replace(/(.)(.)$/, '$2$1')}`
/** `n` other people's records, ids O1…On */
const others = (n: number): string[] =>
  Array.from(
    { length: n },
    (_, i) => `O${i + 1},v,Nguyen,Van ${letters(i)},1980-01-01,Comirnaty,1,2,2021-06-01`,
  )

/** the reasons of record `index` */
const reasonsOf = (
  report: { rejections: Array<{ index: number; reason: string }> },
  index: number,
): string[] => report.rejections.filter((r) => r.index === index).map((r) => r.reason)

const noData = (reason: string): void => {
  expect(reason).not.toMatch(/Tran|Thi |1985|ALM|AML/)
}

describe('--correct with two different records of an issued id in one input', () => {
  it('a fix of the given name and a fix of the date of birth, chunks apart: neither signed, each naming the other record', async () => {
    const ledger = new Ledger(':memory:')
    expect((await issueFile(ledger, csv([record7()]))).report.issued).toBe(1)
    // record 1: the given name's typo fixed; record CHUNK_SIZE + 2: the date of birth fixed
    const rows = [record7(typoGiven), ...others(CHUNK_SIZE), record7(GIVEN, '1985-04-03')]
    const { report, certificates } = await issueFile(ledger, csv(rows), { correct: true })
    expect(report).toMatchObject({ issued: CHUNK_SIZE, corrected: 0, rejected: 2 })
    expect(certificates.some((c) => c.id === '7')).toBe(false)
    const last = CHUNK_SIZE + 2
    const [first] = reasonsOf(report, 1)
    const [second] = reasonsOf(report, last)
    expect(first).toMatch(
      new RegExp(
        `^--correct: the id \\(column id\\), issued before, has other contents in record ${last} of this input too: .*none of them is signed`,
      ),
    )
    expect(second).toMatch(
      /^--correct: the id \(column id\), issued before, has other contents in record 1 of this input too/,
    )
    noData(first ?? '')
    noData(second ?? '')
    // the certificate of id 7 stays as it was: not superseded
    expect(ledger.issuedForKeys(['id:7']).get('id:7')?.uvcis).toHaveLength(1)
    ledger.close()
  })

  it('the certificate as issued and a fix of it, in one input: the fix is not signed', async () => {
    const ledger = new Ledger(':memory:')
    await issueFile(ledger, csv([record7()]))
    const { report } = await issueFile(ledger, csv([record7(), record7(typoGiven)]), { correct: true })
    expect(report).toMatchObject({ issued: 0, corrected: 0, alreadyIssued: 1, rejected: 1 })
    expect(reasonsOf(report, 2)[0]).toMatch(/has other contents in record 1 of this input too/)
    expect(ledger.issuedForKeys(['id:7']).get('id:7')?.uvcis).toHaveLength(1)
    // the fix first: both rejected, nothing signed
    const reversed = await issueFile(ledger, csv([record7(typoGiven), record7()]), { correct: true })
    expect(reversed.report).toMatchObject({ issued: 0, corrected: 0, rejected: 2 })
    expect(reasonsOf(reversed.report, 2)[0]).toMatch(/has other contents in record 1 of this input too/)
    expect(ledger.issuedForKeys(['id:7']).get('id:7')?.uvcis).toHaveLength(1)
    ledger.close()
  })

  it('one fix given twice (the same content) is one correction, signed once', async () => {
    const ledger = new Ledger(':memory:')
    await issueFile(ledger, csv([record7()]))
    const { report } = await issueFile(ledger, csv([record7(typoGiven), record7(typoGiven)]), {
      correct: true,
    })
    // the repeat is the first record again: already issued, not sent back
    expect(report).toMatchObject({ issued: 1, corrected: 1, rejected: 0, alreadyIssued: 1 })
    expect(ledger.issuedForKeys(['id:7']).get('id:7')?.uvcis).toHaveLength(2)
    ledger.close()
  })

  it('an id the ledger does not hold, given twice: the first record owns it (signed), the second is its reuse, as without --correct', async () => {
    const ledger = new Ledger(':memory:')
    const { report } = await issueFile(ledger, csv([record7(), record7(typoGiven)]), { correct: true })
    expect(report).toMatchObject({ issued: 1, corrected: 0, rejected: 1 })
    expect(reasonsOf(report, 2)[0]).toMatch(/reused for different content: record 1 of this input has it/)
    ledger.close()
  })
})

describe('an input that cannot be read twice', () => {
  it('a named pipe with --correct is read once: its records are issued (no pre-read empties it)', async () => {
    const ledger = new Ledger(':memory:')
    const fifo = join(file.folder, 'in.fifo.csv')
    execFileSync('mkfifo', [fifo])
    const writer = createWriteStream(fifo)
    writer.end(`${CSV_HEADER}\n${others(2).join('\n')}\n`)
    const { report } = await issueFile(ledger, fifo, { correct: true })
    expect(report).toMatchObject({ records: 2, issued: 2 })
    ledger.close()
  })
})
