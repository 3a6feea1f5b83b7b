/**
 * The reasons a record is rejected, at most one per column (one wrong value yields one reason, not a
 * cascade), in the order found; `earlier` reasons (found while building the payload) come first and
 * take their column. `filledFrom` names the columns filled in from others: a column whose source
 * is wrong gets no reason, whichever of the two was found first.
 */
import type { Rejection } from './build-dcc.js'

export class Reasons {
  readonly list: Rejection[]
  private readonly columns = new Set<string>()
  constructor(
    earlier: readonly Rejection[],
    private readonly filledFrom: Readonly<Record<string, readonly string[]>> = {},
  ) {
    this.list = [...earlier]
    for (const r of earlier) this.columns.add(r.field)
  }
  /** true when `column`, or a column it is filled in from, already has its reason */
  covers(column: string): boolean {
    return this.columns.has(column) || (this.filledFrom[column] ?? []).some((c) => this.columns.has(c))
  }
  add(field: string, reason: string): void {
    if (this.covers(field)) return
    this.columns.add(field)
    this.list.push({ field, reason })
    // a column filled in from this one and found wrong before it (the schema lists vp before mp):
    // its reason goes, as it would not have come after this one's
    const filled = Object.keys(this.filledFrom).filter(
      (column) => this.columns.has(column) && (this.filledFrom[column] ?? []).includes(field),
    )
    if (filled.length === 0) return
    for (const column of filled) this.columns.delete(column)
    for (let i = this.list.length - 1; i >= 0; i--)
      if (filled.includes((this.list[i] as Rejection).field)) this.list.splice(i, 1)
  }
}
