/**
 * LedgerStore.payloadsSince on both engines (SQLite, PostgreSQL): the certificates recorded after
 * an instant or among given ids, in id order, a page at a time (one query a page), exactly those.
 */
import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import type { IssuedRow } from '../../src/ledger/ledger.js'
import type { LedgerStore } from '../../src/ledger/store.js'
import { ENGINES, requirePgInCi } from '../helpers/pg.js'

requirePgInCi()
const tmp = mkdtempSync(join(tmpdir(), 'hcert-payloads-since-'))
const T0 = Date.UTC(2021, 5, 14, 12) / 1000

function row(i: number): IssuedRow {
  return {
    idempotencyKey: `id:P${i}`,
    uvci: `URN:UVCI:01:VN:T${i}`,
    type: i % 5 === 0 ? 'icvp' : 'v',
    country: 'VN',
    issuer: 'Ministry of Health',
    kid: 'a2lk',
    iat: T0,
    exp: T0 + 86_400,
    product: null,
    dose: null,
    doses: null,
    payload: JSON.stringify({ n: i }),
    hc1: `HC1:${i}`,
    batch: 'b.csv',
    line: i,
    holderEvent: `h${i}`,
    origin: 'issue',
    replaces: null,
    content: `c${i}`,
  }
}

/** Records rows 1..n, row i at T0 + i seconds (one chunk a row), and returns their ids in order. */
function fill(ledger: LedgerStore, n: number): number[] {
  const ids: number[] = []
  for (let i = 1; i <= n; i++) {
    const [outcome] = ledger.record([row(i)], [], new Date((T0 + i) * 1000))
    if (!outcome || !('id' in outcome)) throw new Error(`row ${i} not recorded`)
    ids.push(outcome.id)
  }
  return ids
}

const read = (pages: Iterable<Array<{ id: number; type: string; payload: string }>>) => [...pages]

describe.each(ENGINES)('payloadsSince on $name', (engine) => {
  it('gives the certificates created after the instant or among the ids, in id order, with their type and payload', () => {
    const ledger = engine.open(engine.spec(tmp, 'since'))
    try {
      const ids = fill(ledger, 12)
      const id = (i: number) => ids[i - 1] as number
      // created after T0 + 9: rows 10..12; and rows 2 and 4 by id
      const pages = read(ledger.payloadsSince({ createdAfter: T0 + 9, ids: new Set([id(4), id(2)]) }))
      const all = pages.flat()
      expect(all.map((c) => c.id)).toEqual([2, 4, 10, 11, 12].map(id))
      expect(all[0]).toEqual({ id: id(2), type: 'v', payload: '{"n":2}' })
      expect(all.find((c) => c.id === id(10))).toEqual({ id: id(10), type: 'icvp', payload: '{"n":10}' })
      // the ids alone, the instant alone, neither
      expect(
        read(ledger.payloadsSince({ ids: new Set([id(7)]) }))
          .flat()
          .map((c) => c.id),
      ).toEqual([id(7)])
      expect(
        read(ledger.payloadsSince({ createdAfter: T0 + 11 }))
          .flat()
          .map((c) => c.id),
      ).toEqual([id(12)])
      expect(read(ledger.payloadsSince({ createdAfter: T0 + 12, ids: new Set() }))).toEqual([])
      expect(read(ledger.payloadsSince({}))).toEqual([])
      // an id no certificate has is no certificate
      expect(read(ledger.payloadsSince({ ids: new Set([999_999]) }))).toEqual([])
    } finally {
      ledger.close()
    }
  })

  it('reads a page of at most pageSize rows a query, and no page is empty', () => {
    const ledger = engine.open(engine.spec(tmp, 'pages'))
    try {
      const ids = fill(ledger, 25)
      const id = (i: number) => ids[i - 1] as number
      const pages = read(ledger.payloadsSince({ createdAfter: T0 + 3 }, 10))
      expect(pages.map((p) => p.length)).toEqual([10, 10, 2])
      expect(pages.flat().map((c) => c.id)).toEqual(ids.slice(3))
      // ids far apart across pages, none created after: only they, in pages with something in them
      const sparse = read(ledger.payloadsSince({ ids: new Set([id(25), id(3), id(14)]) }, 4))
      expect(sparse.every((p) => p.length > 0)).toBe(true)
      expect(sparse.flat().map((c) => c.id)).toEqual([3, 14, 25].map(id))
      // the first page as soon as it is taken
      const iterator = ledger.payloadsSince({ createdAfter: T0 }, 10)[Symbol.iterator]()
      expect(iterator.next().value?.map((c: { id: number }) => c.id)).toEqual(ids.slice(0, 10))
      expect(() => ledger.payloadsSince({ createdAfter: T0 }, 0)[Symbol.iterator]().next()).toThrow(
        RangeError,
      )
    } finally {
      ledger.close()
    }
  })
})
