/**
 * A rejects file a spreadsheet saved back in its own way (tester round 7, finding A): Excel's plain
 * "CSV" writes the locale's list separator (`;` where the decimal mark is a comma) and a legacy code
 * page (Windows-1252), maybe with a BOM and CRLF. At the `--rejects` path, when read as the earlier
 * rejects, and as the input, hcert says what the file is (the separator, the encoding) and what to
 * save it as, never quoting a cell; a rejects file that is its header row only holds no record, and
 * is replaced as an empty one.
 */
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { DccError } from '../../src/errors.js'
import { Ledger } from '../../src/ledger/ledger.js'
import { fileMaker, issueFile } from '../helpers/issue.js'
import { letters } from '../helpers/records.js'

const file = fileMaker('hcert-resaved-rejects-')
let n = 0
const ledger = (): Ledger => new Ledger(join(file.folder, `${++n}.sqlite`))

const HEADER = 'id,type,fn,gn,dob,vaccine,dose,doses,date'
/** a given name no message may quote: `Mür` (ü is 0xFC in Windows-1252) and letters */
const given = (i: number): string => `Mür${letters(i)}`
const row = (i: number, dose = 1): string =>
  `${i},v,Nguyen,${given(i)},1980-01-01,Comirnaty,${dose},2,2021-06-01`
/** this run's input: record 1 valid, record 2 rejected (dose 5 of 2) */
const input = (): string => file('in.csv', `${HEADER}\n${row(1)}\n${row(2, 5)}\n`)
/** the rejects file hcert writes for record 2, as text */
const REASON =
  '"dose: the dose number exceeds the doses in the series (the EU rules encode a booster as 3/3, 4/4…, or 2/1 after a one-dose vaccine)"'
const rejectsText = `${HEADER},reason\n${row(2, 5)},${REASON}\n`

/** `text` as Excel saves it: `separator`, CRLF, a BOM or Windows-1252 (Latin-1 for these letters) */
function saved(
  text: string,
  how: { separator?: string; cp1252?: boolean; bom?: boolean; crlf?: boolean },
): Buffer {
  let t = how.separator ? text.replaceAll(',', how.separator) : text
  if (how.crlf) t = t.replaceAll('\n', '\r\n')
  const body = Buffer.from(t, how.cp1252 ? 'latin1' : 'utf8')
  return how.bom ? Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), body]) : body
}

/** the DccError an issue run with `--rejects` at `rejects` throws */
async function refusal(rejects: string, source = input()): Promise<DccError> {
  const error = await issueFile(ledger(), source, { rejects }).then(
    () => undefined,
    (e: unknown) => e,
  )
  expect(error).toBeInstanceOf(DccError)
  return error as DccError
}

const noCell = (message: string): void => {
  expect(message).not.toMatch(/Mür|M.r[A-Z]|Nguyen|1980/)
}

describe('a rejects file a spreadsheet saved back, at --rejects', () => {
  it('separated by semicolons: refused naming the separator and what to save it as, not as a file without a reason column; the file intact', async () => {
    const bytes = saved(rejectsText, { separator: ';' })
    const rejects = file('rejects.csv', bytes)
    const error = await refusal(rejects)
    expect(error.code).toBe('ERR_USAGE')
    expect(error.message).toMatch(
      /is a rejects file saved again by a spreadsheet: it is separated by semicolons \(;\)/,
    )
    expect(error.message).toContain('"CSV UTF-8 (Comma delimited)"')
    expect(error.message).not.toMatch(/without a 'reason' column|not UTF-8/)
    noCell(error.message)
    expect(readFileSync(rejects).equals(bytes)).toBe(true)
  })

  it('in Windows-1252 (commas): refused naming the encoding', async () => {
    const rejects = file('rejects.csv', saved(rejectsText, { cp1252: true }))
    const error = await refusal(rejects)
    expect(error.code).toBe('ERR_USAGE')
    expect(error.message).toMatch(/it is not UTF-8 text .*Windows-1252/)
    expect(error.message).not.toMatch(
      /semicolons|cannot be read as a rejects file of this input's format \(csv\), so/,
    )
    noCell(error.message)
  })

  it('semicolons, Windows-1252, a BOM and CRLF at once: both named', async () => {
    const rejects = file(
      'rejects.csv',
      saved(rejectsText, { separator: ';', cp1252: true, bom: true, crlf: true }),
    )
    const error = await refusal(rejects)
    expect(error.message).toMatch(
      /separated by semicolons \(;\) where hcert writes commas, and not UTF-8 text/,
    )
    noCell(error.message)
  })

  it('in UTF-16 ("Unicode text", tabs): named so', async () => {
    const text = Buffer.concat([
      Buffer.from([0xff, 0xfe]),
      Buffer.from(rejectsText.replaceAll(',', '\t'), 'utf16le'),
    ])
    const error = await refusal(file('rejects.csv', text))
    expect(error.message).toMatch(/separated by tabs where hcert writes commas, and UTF-16 text/)
    noCell(error.message)
  })

  it("its header row only, however saved: nothing to lose, replaced by this run's rejects", async () => {
    const headers: Buffer[] = [
      saved(`${HEADER},reason\n`, { separator: ';', crlf: true }),
      saved(`${HEADER},reason\n;;;;;;;;;\n`, { separator: ';', bom: true, crlf: true }),
      saved(`${HEADER},reason\n,,,,,,,,,\n`, {}),
      Buffer.from('reason\n'),
      Buffer.from(`id,type,fn,gn,dob,vaccine,dose,doses,d\xe4te,reason\r\n`, 'latin1'),
    ]
    for (const header of headers) {
      const rejects = file('rejects.csv', header)
      const { report } = await issueFile(ledger(), input(), { rejects })
      expect(report.issued).toBe(1)
      expect(readFileSync(rejects, 'utf8')).toBe(rejectsText)
    }
  })

  it('not UTF-8 past the first bytes looked at: the read refused naming the line and the encoding', async () => {
    const rows: string[] = []
    for (let i = 10; i < 4010; i++) rows.push(`${row(i, 5).replace('Mür', 'Mur')},${REASON}`)
    const text = Buffer.concat([
      Buffer.from(`${HEADER},reason\n${rows.join('\n')}\n`),
      saved(`${row(2, 5)},${REASON}\n`, { cp1252: true }),
    ])
    const error = await refusal(file('rejects.csv', text))
    expect(error.code).toBe('ERR_USAGE')
    expect(error.message).toMatch(
      /cannot be read as a rejects file of this input's format \(csv\): line 4002 is not UTF-8 text .*"CSV UTF-8 \(Comma delimited\)"/,
    )
    noCell(error.message)
  })
})

describe('the same file given as the input', () => {
  it('semicolons and Windows-1252: both named, with what to save it as', async () => {
    const source = file(
      'fixed.csv',
      saved(rejectsText, { separator: ';', cp1252: true, bom: true, crlf: true }),
    )
    const error = await issueFile(ledger(), source).then(
      () => undefined,
      (e: unknown) => e as DccError,
    )
    expect(error?.code).toBe('ERR_INPUT')
    expect(error?.message).toMatch(
      /not UTF-8 text .*, and the file is separated by semicolons \(;\) where hcert reads commas; .*"CSV UTF-8 \(Comma delimited\)"/,
    )
    noCell(error?.message ?? '')
  })
})
