/**
 * Round 8 of testers: $PGPASSFILE naming a folder was "not a plain file. Make it readable by you
 * alone, or set PGPASSWORD": advice on modes, where the variable should name the password file.
 * The advice on modes stays for a file others may read.
 */
import { chmodSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { passwordFileNote } from '../../src/ledger/pg/pgpass-file.js'

const dir = mkdtempSync(join(tmpdir(), 'hcert-pgpass-'))

describe('what is said of an ignored password file', () => {
  it('$PGPASSFILE naming a folder: point it at the password file, no advice on modes', () => {
    const note = passwordFileNote({ PGPASSFILE: dir, HOME: dir })
    expect(note).toContain(`${dir} is not a plain file`)
    expect(note).toContain(
      'Point $PGPASSFILE at the password file itself (a plain file, mode 0600), or set PGPASSWORD',
    )
    expect(note).not.toMatch(/readable by you alone/)
  })

  it('~/.pgpass a folder: point ~/.pgpass at the password file', () => {
    const home = mkdtempSync(join(tmpdir(), 'hcert-pgpass-home-'))
    const folder = join(home, '.pgpass')
    mkdirSync(folder)
    expect(passwordFileNote({ HOME: home })).toContain('Point ~/.pgpass at the password file itself')
  })

  it('a file others may read keeps the advice on modes', () => {
    const file = join(dir, 'pgpass')
    writeFileSync(file, '*:*:*:*:x\n')
    chmodSync(file, 0o644)
    const note = passwordFileNote({ PGPASSFILE: file, HOME: dir })
    expect(note).toContain('has mode 0644')
    expect(note).toContain('Make it readable by you alone, or set PGPASSWORD')
  })
})
