/**
 * A file of the other kind of record (an EU DCC export with --kind icvp, an ICVP export without it)
 * is refused up front, the same way in both directions and in CSV, JSON and JSON Lines: ERR_USAGE,
 * exit 2, naming the kind the file looks like and the flag to use; nothing issued.
 * A file of the batch's kind with a few odd columns is not refused.
 */
import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it, vi } from 'vitest'
import { runCli } from '../helpers/cli.js'
import { freshFolders } from '../helpers/folders.js'
import { KEYS_EXAMPLE } from '../helpers/keys.js'
import { letters } from '../helpers/records.js'

vi.setConfig({ testTimeout: 60_000 })
const folder = freshFolders('hcert-other-kind-')

const dcc = (i: number): Record<string, string> => ({
  id: `D${letters(i)}`,
  type: 'v',
  fn: 'Nguyen',
  gn: `Van ${letters(i)}`,
  dob: '1980-01-01',
  vaccine: 'Comirnaty',
  dose: '1',
  doses: '2',
  date: '2021-06-01',
})
const icvp = (i: number): Record<string, string> => ({
  id: `I${letters(i)}`,
  name: `Tran Thi ${letters(i)}`,
  dob: '1985-02-03',
  product: 'STAMARIL',
  date: '2021-06-01',
  batch: 'LOTA',
  issuer: 'Pasteur Institute',
})

function write(dir: string, format: string, records: Array<Record<string, string>>): string {
  const file = join(dir, `in.${format}`)
  const keys = Object.keys(records[0] ?? {})
  const text =
    format === 'csv'
      ? [keys.join(','), ...records.map((r) => keys.map((k) => r[k] ?? '').join(','))].join('\n')
      : format === 'json'
        ? JSON.stringify(records)
        : records.map((r) => JSON.stringify(r)).join('\n')
  writeFileSync(file, `${text}\n`)
  return file
}

const issue = (dir: string, file: string, extra: string[]): ReturnType<typeof runCli> =>
  runCli([
    'issue',
    file,
    '--key-dir',
    KEYS_EXAMPLE,
    '--ledger',
    join(dir, 'l.sqlite'),
    '--at',
    '2021-12-21T00:00:00Z',
    '--json',
    ...extra,
  ])

describe('a file of the other kind', () => {
  it.each([
    ['csv', 'dcc', 'icvp'],
    ['json', 'dcc', 'icvp'],
    ['jsonl', 'dcc', 'icvp'],
    ['csv', 'icvp', 'dcc'],
    ['json', 'icvp', 'dcc'],
    ['jsonl', 'icvp', 'dcc'],
  ] as const)('%s: a %s file issued as %s is refused up front, naming the flag', (format, is, as) => {
    const dir = folder()
    const records = [1, 2, 3].map((i) => (is === 'dcc' ? dcc(i) : icvp(i)))
    const r = issue(dir, write(dir, format, records), as === 'icvp' ? ['--kind', 'icvp'] : [])
    expect(r.code).toBe(2)
    const error = (JSON.parse(r.stdout) as { error: { code: string; message: string } }).error
    expect(error.code).toBe('ERR_USAGE')
    expect(error.message).toMatch(is === 'dcc' ? /looks like an EU DCC file/ : /looks like an ICVP file/)
    expect(error.message).toContain(is === 'dcc' ? 'without --kind icvp' : 'with --kind icvp')
    // never the holders' data
    expect(error.message).not.toMatch(/Nguyen|Tran|1980|1985/)
  })

  it.each(['csv', 'jsonl'])(
    '%s: a file of the batch kind with a few odd columns is not refused',
    (format) => {
      const dir = folder()
      // an ICVP file with two DCC columns (empty) and a DCC file with an ICVP column
      const odd = issue(
        dir,
        write(
          dir,
          format,
          [1, 2].map((i) => ({ ...icvp(i), type: '', country: '' })),
        ),
        ['--kind', 'icvp'],
      )
      expect(odd.code).toBe(0)
      expect(JSON.parse(odd.stdout)).toMatchObject({ issued: 2, rejected: 0 })
      const other = folder()
      const batch = issue(
        other,
        write(
          other,
          format,
          [1, 2].map((i) => ({ ...dcc(i), batch: 'LOTA' })),
        ),
        [],
      )
      expect(batch.code).toBe(0)
      expect(JSON.parse(batch.stdout)).toMatchObject({ issued: 2, rejected: 0 })
    },
  )
})
