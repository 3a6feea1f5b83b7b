/**
 * RunKeys: the keys one issue run accepted, kept in bounded memory (20 bytes a slot, at most 3/4
 * full) whatever the keys' length, each with its first record and content tag.
 */
import { describe, expect, it } from 'vitest'
import { contentTag, RunKeys } from '../../src/issue/run-keys.js'

describe('RunKeys', () => {
  it('finds every key added, with its first record and content tag, and nothing else', () => {
    const keys = new RunKeys()
    const n = 50_000
    for (let i = 1; i <= n; i++)
      keys.add(`id:${'X'.repeat(i % 100)}-${i}`, i, (i * 2654435761).toString(16).padStart(8, '0'))
    keys.add('id:X-1', 99, 'ffffffff') // a key again: the first record stays
    expect(keys.size).toBe(n)
    expect(keys.get(`id:${'X'.repeat(7)}-7`)).toEqual({
      index: 7,
      content: (7 * 2654435761).toString(16).padStart(8, '0').slice(0, 8),
      rejected: false,
    })
    expect(keys.get('id:X-1')).toMatchObject({ index: 1 })
    let found = 0
    for (let i = 1; i <= n; i++) if (keys.get(`id:${'X'.repeat(i % 100)}-${i}`)?.index === i) found++
    expect(found).toBe(n)
    for (let i = n + 1; i <= n + 1000; i++) expect(keys.get(`id:${'X'.repeat(i % 100)}-${i}`)).toBeUndefined()
  })

  it('memory: 20 bytes a slot, the table at most 3/4 full (40 MB for 1,000,000 keys), whatever the ids', () => {
    const keys = new RunKeys()
    for (let i = 1; i <= 100_000; i++) keys.add(`id:${'long national identifier '.repeat(4)}${i}`, i, '0')
    // 100,000 keys need 2^18 slots (3/4 of 2^17 is 98,304)
    expect(keys.bytes).toBe(20 * 2 ** 18)
  })

  it('keeps whether the first record was rejected; only that record itself may change it', () => {
    const keys = new RunKeys()
    keys.add('id:A', 3, '0000000a', true)
    keys.add('id:A', 9, '0000000b', false) // a later record: the first stays, rejected
    expect(keys.get('id:A')).toEqual({ index: 3, content: '0000000a', rejected: true })
    keys.add('id:B', 2 ** 31 - 1, '0000000c')
    keys.add('id:B', 2 ** 31 - 1, '0000000c', true) // looked at again (held by another run), then rejected
    expect(keys.get('id:B')).toEqual({ index: 2 ** 31 - 1, content: '0000000c', rejected: true })
  })

  it('contentTag is the first 32 bits of a fingerprint, as kept', () => {
    const keys = new RunKeys()
    const content = 'a1b2c3d4e5f60718293a4b5c6d7e8f90a1b2c3d4e5f60718293a4b5c6d7e8f90'
    keys.add('record:x', 1, content)
    expect(keys.get('record:x')?.content).toBe(contentTag(content))
    expect(contentTag(content)).toBe('a1b2c3d4')
  })
})
