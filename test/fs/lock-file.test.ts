/**
 * Round 6 of testers: two runs taking over one stale lock at once could both hold it (each read it
 * stale, one removed it and made its own, the other then removed that fresh lock and made its own),
 * and a release removed whatever lock was at the path, another run's too. The interleaving is forced
 * with tryLock's beforeTakeover hook, not left to timing.
 */
import { linkSync, lstatSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { releaseAllLocks, tryLock } from '../../src/fs/lock-file.js'
import { freshFolders } from '../helpers/folders.js'

const folder = freshFolders('hcert-lock-file-')
/** a pid no process has (above Linux's largest, 2^22): a lock holding it is stale */
const GONE = 99_999_999

describe('tryLock: taking over a stale lock (round 6)', () => {
  it('two takeovers of one stale lock at once: the second finds the first one’s fresh lock and leaves it', () => {
    const dir = folder()
    const path = join(dir, '.o.jsonl.hcert-lock')
    writeFileSync(path, `${GONE}\n`)
    let first: (() => void) | undefined
    let firstInode: number | undefined
    // the second run has read the lock and judged it stale; the first takes it over right then
    const second = tryLock(path, {
      beforeTakeover: () => {
        first = tryLock(path)
        firstInode = lstatSync(path).ino
      },
    })
    expect(first).toBeTypeOf('function')
    expect(second).toBeUndefined()
    // the first run's lock is where it was, the same file, nothing left aside
    expect(lstatSync(path).ino).toBe(firstInode)
    expect(readFileSync(path, 'utf8')).toBe(`${process.pid}\n`)
    expect(readdirSync(dir)).toEqual(['.o.jsonl.hcert-lock'])
    first?.()
    expect(readdirSync(dir)).toEqual([])
  })

  it('a stale lock is taken over, nothing left aside', () => {
    const dir = folder()
    const path = join(dir, 'lock')
    writeFileSync(path, `${GONE}\n`)
    const release = tryLock(path)
    expect(release).toBeTypeOf('function')
    expect(readFileSync(path, 'utf8')).toBe(`${process.pid}\n`)
    expect(readdirSync(dir)).toEqual(['lock'])
    release?.()
    expect(readdirSync(dir)).toEqual([])
  })
})

describe('a release removes only its own lock (round 6)', () => {
  it('a lock another run made at the path since is left; so is one holding another pid in the same file', () => {
    const dir = folder()
    const path = join(dir, 'lock')
    const release = tryLock(path)
    expect(release).toBeTypeOf('function')
    // another run's lock is at the path now (ours gone by some other hand)
    rmSync(path)
    writeFileSync(path, `${process.ppid}\n`)
    release?.()
    expect(readFileSync(path, 'utf8')).toBe(`${process.ppid}\n`)
    releaseAllLocks()
    expect(readFileSync(path, 'utf8')).toBe(`${process.ppid}\n`)
  })

  it('a release called twice after the lock was taken again removes nothing of the new holder', () => {
    const dir = folder()
    const path = join(dir, 'lock')
    const first = tryLock(path)
    first?.()
    const second = tryLock(path)
    expect(second).toBeTypeOf('function')
    first?.()
    expect(readFileSync(path, 'utf8')).toBe(`${process.pid}\n`)
    second?.()
    expect(readdirSync(dir)).toEqual([])
  })

  it('a lock renamed aside by a run that found it stale and put back by link is still released', () => {
    const dir = folder()
    const path = join(dir, 'lock')
    const release = tryLock(path)
    // what moveStaleAside does when what it renamed is live: the same file back at the path
    const aside = join(dir, 'aside')
    linkSync(path, aside)
    rmSync(path)
    linkSync(aside, path)
    rmSync(aside)
    release?.()
    expect(readdirSync(dir)).toEqual([])
  })
})
