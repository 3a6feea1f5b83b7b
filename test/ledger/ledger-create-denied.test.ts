/**
 * Round 8 of testers: a ledger that does not exist yet, in a folder the user cannot write, was
 * "cannot be opened for writing (EACCES): check the path, that it is a file, and its permissions";
 * it says that the folder cannot be written, as other outputs do ("no permission to write in …").
 * Tests run as root (which writes any folder), so the wording is checked where the error is made.
 */
import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { ledgerError } from '../../src/ledger/ledger-error.js'

const dir = mkdtempSync(join(tmpdir(), 'hcert-ledger-denied-'))
const denied = (code: string): Error => Object.assign(new Error(`${code}: permission denied`), { code })

describe('a new ledger in a folder that cannot be written', () => {
  it.each(['EACCES', 'EPERM'])('%s on a ledger not there yet names the folder', (code) => {
    const path = join(dir, 'ro', 'l.sqlite')
    const err = ledgerError(denied(code), path)
    expect(err.code).toBe('ERR_LEDGER')
    expect(err.message).toBe(
      `ledger: ${path} cannot be created (${code}): no permission to write in ${join(dir, 'ro')}; give --ledger a path in a folder you can write, or make that folder writable for you`,
    )
  })

  it('EACCES on a ledger that exists keeps the words on the file', () => {
    const path = join(dir, 'there.sqlite')
    writeFileSync(path, '')
    expect(ledgerError(denied('EACCES'), path).message).toMatch(/cannot be opened for writing \(EACCES\)/)
  })
})
