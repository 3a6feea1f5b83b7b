/**
 * The reasons a record is rejected, at most one per column (one wrong value yields one reason, not a
 * cascade), in the order found; `earlier` reasons (found while building the payload) come first and
 * take their column. `filledFrom` names the columns filled in from others (a column whose source
 * is already wrong gets no second reason).
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
  }
}
