/**
 * Round 6 of testers: `keys generate` on a full disk left a partial key set (the private keys
 * written, the trust list not). A set is now written whole or not at all (fs/file-set.ts); the
 * full-disk run itself is in test/commands/keys-full-disk.test.ts.
 */
import { mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { DccError } from '../../src/errors.js'
import { writeFileSet } from '../../src/fs/file-set.js'
import { freshFolders } from '../helpers/folders.js'

const folder = freshFolders('hcert-file-set-')

describe('writeFileSet', () => {
  it('writes every file with its mode, and leaves no temporary file', () => {
    const dir = folder()
    writeFileSet([
      { path: join(dir, 'a.key'), content: 'secret', mode: 0o600 },
      { path: join(dir, 'a.crt'), content: 'public', mode: 0o644 },
    ])
    expect(readdirSync(dir).sort()).toEqual(['a.crt', 'a.key'])
    expect(statSync(join(dir, 'a.key')).mode & 0o777).toBe(0o600)
    expect(readFileSync(join(dir, 'a.crt'), 'utf8')).toBe('public')
  })

  it('a file that cannot be put in place (a folder at its name): the files the set added are removed again, the error says none was written', () => {
    const dir = folder()
    mkdirSync(join(dir, 'c.json'))
    writeFileSync(join(dir, 'c.json', 'inside'), 'x')
    let error: unknown
    try {
      writeFileSet([
        { path: join(dir, 'a.key'), content: 'secret', mode: 0o600 },
        { path: join(dir, 'b.crt'), content: 'public', mode: 0o644 },
        { path: join(dir, 'c.json'), content: '{}', mode: 0o644 },
      ])
    } catch (err) {
      error = err
    }
    expect(error).toBeInstanceOf(DccError)
    expect((error as DccError).code).toBe('ERR_USAGE')
    expect((error as DccError).message).toMatch(
      /^cannot write .*c\.json: .*; none of the set \(a\.key, b\.crt, c\.json\) was written, nothing in .* replaced$/,
    )
    expect(readdirSync(dir)).toEqual(['c.json'])
  })

  it('when it had replaced files already, the error names them and what was not written', () => {
    const dir = folder()
    writeFileSync(join(dir, 'a.key'), 'old')
    mkdirSync(join(dir, 'c.json'))
    writeFileSync(join(dir, 'c.json', 'inside'), 'x')
    expect(() =>
      writeFileSet([
        { path: join(dir, 'a.key'), content: 'new', mode: 0o600 },
        { path: join(dir, 'b.crt'), content: 'public', mode: 0o644 },
        { path: join(dir, 'c.json'), content: '{}', mode: 0o644 },
      ]),
    ).toThrow(/a\.key was replaced already and c\.json not: .* holds an incomplete set$/)
    expect(readdirSync(dir).sort()).toEqual(['a.key', 'c.json'])
  })
})
