import {
  lstatSync,
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
