/**
 * findIssuedSince (the rejects carry-over's look among the certificates issued since): the rows
 * are indexed, the certificates streamed a page at a time past them, and the reading stops once
 * every row has found its own record. Both engines.
 */
import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import type { Holder } from '../../src/issue/holder-match.js'
import { findIssuedSince, type WaitingRow } from '../../src/issue/issued-since.js'
import type { IssuedRow } from '../../src/ledger/ledger.js'
import type { LedgerStore } from '../../src/ledger/store.js'
import { ENGINES, requirePgInCi } from '../helpers/pg.js'
import { letters, vaccinationEntry } from '../helpers/records.js'

requirePgInCi()
const tmp = mkdtempSync(join(tmpdir(), 'hcert-issued-since-'))
const T0 = Date.UTC(2021, 5, 14, 12) / 1000

/** Certificate i: dose 1 of Comirnaty on 2021-06-01 for NGUYEN VAN<letters(i)>, born 1980-01-01. */
function row(i: number): IssuedRow {
  const payload = {
    ver: '1.3.0',
    nam: { fn: 'Nguyen', fnt: 'NGUYEN', gn: `Van ${letters(i)}`, gnt: `VAN<${letters(i)}` },
    dob: '1980-01-01',
    v: [vaccinationEntry({ ci: `URN:UVCI:01:VN:T${i}` })],
  }
  return {
    idempotencyKey: `id:P${i}`,
    uvci: `URN:UVCI:01:VN:T${i}`,
    type: 'v',
    country: 'VN',
    issuer: 'Ministry of Health',
    kid: 'a2lk',
    iat: T0,
    exp: T0 + 86_400,
    product: 'EU/1/20/1528',
    dose: 1,
    doses: 2,
    payload: JSON.stringify(payload),
    hc1: `HC1:${i}`,
    batch: 'b.csv',
    line: i,
    holderEvent: `h${i}`,
    origin: 'issue',
    replaces: null,
    content: `c${i}`,
  }
}

/** A row waiting for certificate i's holder (given name VAN<letters(i)>), its reason naming `fixable`. */
const waiting = (i: number, fixable: Array<keyof Holder> = []): WaitingRow => ({
  holder: { surname: 'NGUYEN', given: `VAN<${letters(i)}`, dob: '1980-01-01' },
  fixable: new Set(fixable),
  own: (other) => other.holder.given === `VAN<${letters(i)}` && other.events[0]?.fields.dt === '2021-06-01',
})

/** `ledger` counting the pages its payloadsSince gives. */
function pagesCounted(ledger: LedgerStore): { ledger: LedgerStore; pages: () => number } {
  let pages = 0
  const counted = Object.create(ledger) as LedgerStore
  counted.payloadsSince = (query, size) => {
    const inner = ledger.payloadsSince(query, size)
    return {
      *[Symbol.iterator]() {
        for (const page of inner) {
          pages++
          yield page
        }
      },
    }
  }
  return { ledger: counted, pages: () => pages }
}

describe.each(ENGINES)('findIssuedSince on $name', (engine) => {
  it('finds rows across pages, by whichever holder field their reason left, and reads every page while one is missing', () => {
    const store = engine.open(engine.spec(tmp, 'found'))
    try {
      store.record(
        Array.from({ length: 25 }, (_, i) => row(i + 1)),
        [],
        new Date((T0 + 10) * 1000),
      )
      const rows = [waiting(3), waiting(22, ['dob']), waiting(17, ['dob', 'surname', 'given']), waiting(99)]
      const { ledger, pages } = pagesCounted(store)
      findIssuedSince(rows, ledger, { writtenAt: T0, issuedNow: new Set() }, 10)
      expect(rows.map((r) => r.found ?? false)).toEqual([true, true, true, false])
      expect(pages()).toBe(3)
      // written after they were created, and none of them issued now: none is since
      const later = [waiting(3)]
      findIssuedSince(later, store, { writtenAt: T0 + 10, issuedNow: new Set() }, 10)
      expect(later[0]?.found).toBeUndefined()
    } finally {
      store.close()
    }
  })

  it('stops reading once every row has found its record', () => {
    const store = engine.open(engine.spec(tmp, 'stops'))
    try {
      store.record(
        Array.from({ length: 25 }, (_, i) => row(i + 1)),
        [],
        new Date((T0 + 10) * 1000),
      )
      const rows = [waiting(2), waiting(5)]
      const { ledger, pages } = pagesCounted(store)
      findIssuedSince(rows, ledger, { writtenAt: T0, issuedNow: new Set() }, 10)
      expect(rows.every((r) => r.found)).toBe(true)
      expect(pages()).toBe(1)
      const none = pagesCounted(store)
      findIssuedSince([], none.ledger, { writtenAt: T0, issuedNow: new Set() }, 10)
      expect(none.pages()).toBe(0)
    } finally {
      store.close()
    }
  })
})
