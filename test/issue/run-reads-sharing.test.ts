/**
 * What a run keeps of each record read when it replaces an earlier rejects file (RunReads) is kept
 * small: one holder object for the look-up by key and by holder, and the events, surnames and dates
 * of birth a batch's records share kept once, not once a record (bench/rejects-carry.js: ~1.4 KB a
 * record read before, ~0.5 KB after). What is compared stays the same.
 */
import { describe, expect, it } from 'vitest'
import { buildDcc } from '../../src/issue/build-dcc.js'
import { readRecords, type InputRecord } from '../../src/issue/read-records.js'
import { RunReads } from '../../src/issue/run-reads.js'
import { fileMaker } from '../helpers/issue.js'
import { letters, vaccinationCsv } from '../helpers/records.js'

const file = fileMaker('hcert-run-reads-')
const DEFAULTS = { country: 'VN', issuer: 'Ministry of Health' }

async function readAll(text: string): Promise<RunReads> {
  const reads = new RunReads(undefined, DEFAULTS)
  const records: InputRecord[] = []
  for await (const record of readRecords(file('in.csv', text), 'csv')) records.push(record)
  for (const record of records) reads.add(record, buildDcc(record.raw, DEFAULTS).key)
  return reads
}

describe('RunReads keeps what records share once', () => {
  it('one holder object under the key and in the holder index; one event list for the same event; one surname and date of birth', async () => {
    const reads = await readAll(vaccinationCsv({ to: 3 }))
    const byKey = [1, 2, 3].map((i) => reads.keys.get(`id:P${i}`)?.[0])
    const byHolder = reads.records.candidates(
      { surname: 'NGUYEN', given: '', dob: '1980-01-01' },
      new Set(['surname', 'given']),
    )
    expect(byHolder).toHaveLength(3)
    expect(byHolder.map((e) => e.holder)).toEqual(byKey.map((h) => expect.objectContaining({ ...h })))
    for (const [i, entry] of byHolder.entries()) expect(entry.holder).toBe(byKey[i])
    // the same event (Comirnaty dose 1/2 of 2021-06-01): the same list, frozen
    expect(byHolder[1]?.events).toBe(byHolder[0]?.events)
    expect(byHolder[2]?.events).toBe(byHolder[0]?.events)
    expect(Object.isFrozen(byHolder[0]?.events)).toBe(true)
    expect(byHolder[0]?.events).toEqual([
      { type: 'v', fields: expect.objectContaining({ mp: 'EU/1/20/1528', dn: '1', dt: '2021-06-01' }) },
    ])
    // the holders: their own given names, as read
    expect(byKey.map((h) => h?.given)).toEqual([1, 2, 3].map((i) => `VAN<${letters(i)}`))
    expect(byKey.map((h) => h?.type)).toEqual(['v', 'v', 'v'])
  })

  it('another event, another list; a record read twice under one key: both holders kept', async () => {
    const text = `${vaccinationCsv({ to: 2 })}P1,v,Nguyen,Van B,1980-01-01,Comirnaty,2,2,2021-07-01\n`
    const reads = await readAll(text)
    expect(reads.keys.get('id:P1')).toHaveLength(2)
    const [first, second] = reads.keys.get('id:P1') ?? []
    const entries = reads.records.candidates(
      { surname: 'NGUYEN', given: '', dob: '1980-01-01' },
      new Set(['surname', 'given']),
    )
    expect(entries).toHaveLength(3)
    const events = (holder: unknown) => entries.find((e) => e.holder === holder)?.events
    expect(events(second)).not.toBe(events(first))
    expect(events(second)?.[0]?.fields).toMatchObject({ dn: '2', dt: '2021-07-01' })
  })
})
