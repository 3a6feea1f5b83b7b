/**
 * CSV rows this run could not read as records (a row of 11 fields under a 10-column header, a quote
 * closed mid-cell), by the id cell they show: a resent rejects row the site fixed but broke anew is
 * in the new rejects file with this run's reason, and the earlier row of the same record should not
 * be carried beside it (two rows for one record). Its cells cannot be read by column, so it stands for
 * an earlier row only when it shows the row's id under the id column AND every name and date of
 * birth of the row that the row's reason did not name among its cells (one name at least), and
 * every cell of its event (type, disease, vaccine, dose, test type, date; an ICVP's product and
 * date) the reason did not name: sites number rows 1, 2, 3 every day, and another person's row, or
 * the same person's other dose or test, under the id must never replace it.
 */
import type { IssueKind } from './issue-types.js'
import type { InputRecord } from './read-records.js'
import { fieldsOfReason } from './rejected-holder.js'
import { EVENT_COLUMNS, fieldsNamedBy } from './rejected-event.js'

const clean = (v: unknown): string =>
  typeof v === 'string' || typeof v === 'number' ? String(v).normalize('NFC').trim() : ''

/** The holder columns of a flat record, each with the Holder field a reason names it by. */
const HOLDER_COLUMNS: Readonly<
  Record<IssueKind, ReadonlyArray<readonly [string, 'surname' | 'given' | 'dob']>>
> = {
  dcc: [
    ['fn', 'surname'],
    ['fnt', 'surname'],
    ['gn', 'given'],
    ['gnt', 'given'],
    ['dob', 'dob'],
  ],
  icvp: [
    ['name', 'surname'],
    ['dob', 'dob'],
  ],
}

export class UnsplitRows {
  private readonly byId = new Map<string, Array<ReadonlySet<string>>>()

  /** Notes a record of this run, when it is a CSV row that could not be read as a record. */
  add(record: InputRecord): void {
    if (!record.error || !record.cells || !record.header) return
    const at = record.header.findIndex((h) => h.trim().toLowerCase() === 'id')
    const id = at >= 0 ? clean(record.cells[at]) : ''
    if (id === '') return
    const rows = this.byId.get(id) ?? []
    rows.push(new Set(record.cells.map(clean).filter((c) => c !== '')))
    this.byId.set(id, rows)
  }

  /** Whether a row noted stands for the earlier record `record` of `key` (`id:…`), as the module comment says. */
  standsFor(record: InputRecord, key: string, kind: IssueKind | undefined): boolean {
    if (!key.startsWith('id:') || record.error) return false
    const rows = this.byId.get(key.slice(3))
    if (!rows) return false
    const named = fieldsOfReason(kind, record.resentReason)
    const wanted = HOLDER_COLUMNS[kind ?? 'dcc'].flatMap(([column, field]) => {
      const value = clean(record.raw[column])
      return value === '' || named.has(field) ? [] : [{ value, name: field !== 'dob' }]
    })
    if (!wanted.some((w) => w.name)) return false
    // and its own event: the same person's other dose or test under the id is another record
    const columns = fieldsNamedBy(record.resentReason)
    for (const column of EVENT_COLUMNS[kind ?? 'dcc']) {
      const value = clean(record.raw[column])
      if (value !== '' && !columns.has(column)) wanted.push({ value, name: false })
    }
    return rows.some((cells) => wanted.every((w) => cells.has(w.value)))
  }
}
