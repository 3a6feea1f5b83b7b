import {
  lstatSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { DccError } from '../../src/errors.js'
import {
  AtomicFile,
  removeStaleFile,
  removeTemporaryFiles,
  writeFileAtomic,
  writeFileAtomicAsync,
} from '../../src/fs/atomic-file.js'

const tmp = mkdtempSync(join(tmpdir(), 'hcert-atomic-'))

describe('AtomicFile', () => {
  it('leaves the target as it was until commit, then replaces it whole, mode 0600 whatever it had', () => {
    const target = join(tmp, 'a.txt')
    writeFileSync(target, 'old', { mode: 0o644 })
    const file = new AtomicFile(target)
    file.write('new ')
    file.write(Buffer.from('content'))
    expect(readFileSync(target, 'utf8')).toBe('old')
    file.commit()
    expect(readFileSync(target, 'utf8')).toBe('new content')
    expect(statSync(target).mode & 0o777).toBe(0o600)
    expect(readdirSync(tmp).filter((f) => f.includes('.partial'))).toEqual([])
  })

  it('replaces a symbolic link at the target instead of writing through it', () => {
    const victim = join(tmp, 'victim')
    writeFileSync(victim, 'precious')
    const target = join(tmp, 'link')
    symlinkSync(victim, target)
    writeFileAtomic(target, 'mine')
    expect(readFileSync(victim, 'utf8')).toBe('precious')
    expect(lstatSync(target).isFile()).toBe(true)
  })

  it('discard and removeTemporaryFiles leave no temporary file; a missing folder is ERR_USAGE', () => {
    const target = join(tmp, 'b.txt')
    new AtomicFile(target).discard()
    const open = new AtomicFile(join(tmp, 'c.txt'))
    open.write('x')
    removeTemporaryFiles()
    expect(readdirSync(tmp).filter((f) => f.includes('.partial'))).toEqual([])
    expect(() => new AtomicFile(join(tmp, 'missing', 'd.txt'))).toThrow(DccError)
    expect(() => new AtomicFile(join(tmp, 'missing', 'd.txt'))).toThrow(
      /the folder .*missing does not exist \(ENOENT\)/,
    )
  })

  it('removeStaleFile removes a file or a link (not its target), and refuses a folder', () => {
    const victim = join(tmp, 'victim2')
    writeFileSync(victim, 'precious')
    const link = join(tmp, 'link2')
    symlinkSync(victim, link)
    removeStaleFile(link)
    expect(lstatSync(link, { throwIfNoEntry: false })).toBeUndefined()
    expect(readFileSync(victim, 'utf8')).toBe('precious')
    removeStaleFile(join(tmp, 'never-there'))
    expect(() => removeStaleFile(tmp)).toThrow(/is a folder/)
  })
})

describe('writeFileAtomicAsync', () => {
  const partials = (dir: string): string[] => readdirSync(dir).filter((f) => f.includes('.partial'))

  it('writes many files at once (more than it has in flight), each whole and 0600; a planted link is replaced, its target untouched', async () => {
    const dir = join(tmp, 'many')
    mkdirSync(dir)
    const victim = join(tmp, 'victim3')
    writeFileSync(victim, 'precious')
    symlinkSync(victim, join(dir, 'f7'))
    writeFileSync(join(dir, 'f8'), 'old', { mode: 0o644 })
    const data = (i: number): Buffer => Buffer.alloc(5000 + i, i)
    await Promise.all(Array.from({ length: 60 }, (_, i) => writeFileAtomicAsync(join(dir, `f${i}`), data(i))))
    for (let i = 0; i < 60; i++) {
      const path = join(dir, `f${i}`)
      expect(lstatSync(path).isFile(), path).toBe(true)
      expect(statSync(path).mode & 0o777, path).toBe(0o600)
      expect(readFileSync(path).equals(data(i)), path).toBe(true)
    }
    expect(readFileSync(victim, 'utf8')).toBe('precious')
    expect(partials(dir)).toEqual([])
  })

  it('a missing folder is ERR_USAGE naming it; nothing is left behind', async () => {
    await expect(writeFileAtomicAsync(join(tmp, 'absent', 'x.png'), Buffer.from('x'))).rejects.toThrow(
      /the folder .*absent does not exist \(ENOENT\)/,
    )
    expect(partials(tmp)).toEqual([])
  })

  it('removeTemporaryFiles (an interrupt) while files are being created on libuv threads leaves no temporary file', async () => {
    const dir = join(tmp, 'interrupted')
    mkdirSync(dir)
    // started, not awaited: their open() calls are on libuv's threads when the interrupt comes
    const writes = Array.from({ length: 40 }, (_, i) =>
      writeFileAtomicAsync(join(dir, `g${i}`), Buffer.alloc(20_000, i)).then(
        () => 'written',
        () => 'stopped',
      ),
    )
    removeTemporaryFiles()
    expect(partials(dir)).toEqual([])
    const outcomes = await Promise.all(writes)
    expect(partials(dir)).toEqual([])
    // what was not stopped was written whole
    outcomes.forEach((outcome, i) => {
      if (outcome === 'written')
        expect(readFileSync(join(dir, `g${i}`)).equals(Buffer.alloc(20_000, i))).toBe(true)
    })
  })
})
