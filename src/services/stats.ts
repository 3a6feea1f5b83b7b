/** `hcert stats`: the ledger's figures, with product codes named from the value sets. */
import { displayName } from '../dcc/valuesets.js'
import { productName } from '../gdhcn/who-codes.js'
import { ISSUE_TYPE_NAMES } from '../issue/issue-types.js'
import type { LedgerStore as Ledger } from '../ledger/store.js'
import { type Count, type LedgerStats, type StatsQuery } from '../ledger/stats.js'

export interface NamedCount extends Count {
  name: string
}

export interface StatsResult extends Omit<LedgerStats, 'byProduct' | 'byType'> {
  byType: NamedCount[]
  byProduct: NamedCount[]
  /** seconds the queries took */
  seconds: number
}

const TYPE_NAMES: Readonly<Record<string, string>> = ISSUE_TYPE_NAMES

export function statsOf(ledger: Ledger, query: StatsQuery): StatsResult {
  const started = performance.now()
  const stats = ledger.stats(query)
  return {
    ...stats,
    byType: stats.byType.map((c) => ({ ...c, name: TYPE_NAMES[c.key] ?? c.key })),
    byProduct: stats.byProduct.map((c) => ({
      ...c,
      name:
        displayName('vaccine-medicinal-product', c.key) ??
        displayName('test-type', c.key) ??
        productName(c.key) ??
        (c.key || 'none'),
    })),
    seconds: (performance.now() - started) / 1000,
  }
}
