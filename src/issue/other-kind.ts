/**
 * A file of the other kind of record than the batch's (`hcert issue --kind`): an EU DCC export given
 * with `--kind icvp`, or an ICVP export given without it. Told by the CSV header, or by the keys of
 * the first JSON record, and refused before any record is read (one usage error naming the kind
 * the file looks like and the flag to use), rather than every record rejected column by column.
 *
 * Only a file that clearly belongs to the other kind is refused: at least two columns only the
 * other kind has, and more of them than columns only the batch's kind has. A file of the batch's
 * kind with a few odd columns goes on, and its records get their own reasons.
 */
import { DccError } from '../errors.js'
import { DCC_ONLY_COLUMNS, ICVP_INPUT_COLUMNS } from './icvp-columns.js'
import type { IssueKind } from './issue-types.js'
import { INPUT_COLUMNS } from './input-columns.js'

/** The columns (and, in JSON, the DCC payload keys) only a DCC record has: type, fn, gn, vaccine… nam, ver, v */
const DCC_ONLY: ReadonlySet<string> = new Set([...DCC_ONLY_COLUMNS, 'nam', 'ver', 'v', 't', 'r'])

/** The columns only an ICVP record has: name, product, batch, clinician… */
const ICVP_ONLY: ReadonlySet<string> = new Set([...ICVP_INPUT_COLUMNS].filter((c) => !INPUT_COLUMNS.has(c)))

const ONLY: Record<IssueKind, ReadonlySet<string>> = { dcc: DCC_ONLY, icvp: ICVP_ONLY }

/** The other kind when `names` (a header's cells, lower case; a record's keys) clearly are its columns. */
export function otherKindOf(names: Iterable<string>, kind: IssueKind): IssueKind | undefined {
  const other: IssueKind = kind === 'icvp' ? 'dcc' : 'icvp'
  const unique = new Set(names)
  const count = (set: ReadonlySet<string>): number => [...unique].filter((n) => set.has(n)).length
  const theirs = count(ONLY[other])
  return theirs >= 2 && theirs > count(ONLY[kind]) ? other : undefined
}

/**
 * The usage error for a file of `other` kind given to a `kind` batch; `where`: what told it (the
 * CSV header, the first record's keys). Names no cell or value: only the two kinds' column names.
 */
export function otherKindError(kind: IssueKind, other: IssueKind, where: string): DccError {
  const fix =
    other === 'icvp'
      ? 'issue it with --kind icvp (README "Issuing ICVP certificates")'
      : 'issue it without --kind icvp, or with --kind dcc (README "Input columns")'
  return new DccError(
    'ERR_USAGE',
    `input: ${where} ${other === 'icvp' ? 'names columns of ICVP records (name, product, batch…), not of EU DCC records (type, fn, gn, vaccine…)' : 'names columns of EU DCC records (type, fn, gn, vaccine…), not of ICVP records (name, product, batch…)'}: the file looks like ${other === 'icvp' ? 'an ICVP' : 'an EU DCC'} file, and this batch is ${kind === 'icvp' ? '--kind icvp' : 'EU DCC (--kind dcc, the default)'}; ${fix}`,
  )
}
