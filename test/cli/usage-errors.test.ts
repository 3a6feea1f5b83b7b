import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { usageErrorFromParse } from '../../src/cli/parse-error.js'
import { usageErrorFromSystem } from '../../src/cli/system-error.js'
import { DccError } from '../../src/errors.js'

describe('usageErrorFromParse', () => {
  it("names the flag once and keeps oclif's reason on one line", () => {
    const err = new Error("Parsing --validity \n\t'x' is not a duration\nSee more help with --help")
    expect(usageErrorFromParse(err).toJSON()).toEqual({
      code: 'ERR_USAGE',
      layer: 'usage',
      message: "--validity: 'x' is not a duration",
    })
  })

  it('keeps the code of a DccError a flag threw', () => {
    const thrown = new DccError('ERR_USAGE', "'x' is not an ISO 8601 date")
    thrown.message = `Parsing --since \n\t${thrown.message}\nSee more help with --help`
    expect(usageErrorFromParse(thrown).message).toBe("--since: 'x' is not an ISO 8601 date")
  })

  it('flattens a multi-line message and never quotes an object', () => {
    const missing = new Error(
      'Missing 1 required arg:\ndir  folder of test vectors\nSee more help with --help',
    )
    expect(usageErrorFromParse(missing).message).toBe('Missing 1 required arg: dir (folder of test vectors)')
    const exclusive = new Error(
      'The following error occurred:\n  --expiring-within=[object Object] cannot also be provided when using --expired\nSee more help with --help',
    )
    expect(usageErrorFromParse(exclusive).message).toBe(
      '--expiring-within cannot also be provided when using --expired',
    )
  })
})

describe('an unknown flag', () => {
  it('is named without its value, and a secret-like name points to the environment variable', () => {
    const pin = usageErrorFromParse(
      new Error('Nonexistent flag: --pin=1234-secret\nSee more help with --help'),
    )
    expect(pin.code).toBe('ERR_USAGE')
    expect(pin.message).not.toContain('1234-secret')
    expect(pin.message).toMatch(/^Nonexistent flag: --pin;.*HCERT_PKCS11_PIN/)
    const two = usageErrorFromParse(new Error('Nonexistent flags: --passphrase=hunter2, --colour=red'))
    expect(two.message).not.toMatch(/hunter2|red/)
    expect(two.message).toMatch(/^Nonexistent flags: --passphrase, --colour;.*HCERT_KEY_PASSPHRASE/)
    expect(usageErrorFromParse(new Error('Nonexistent flag: --colour')).message).toBe(
      'Nonexistent flag: --colour',
    )
  })
})

describe('usageErrorFromSystem', () => {
  const tmp = mkdtempSync(join(tmpdir(), 'hcert-system-error-'))
  const file = join(tmp, 'file')
  writeFileSync(file, 'x')

  const thrown = (f: () => unknown): unknown => {
    try {
      f()
    } catch (err) {
      return err
    }
    throw new Error('did not throw')
  }

  it('a file where a folder should be: a usage error naming the path', () => {
    const error = usageErrorFromSystem(thrown(() => mkdirSync(file)))
    expect(error?.code).toBe('ERR_USAGE')
    expect(error?.message).toBe(
      `cannot create the folder ${file}: something is already there (a file where a folder should be?) (EEXIST)`,
    )
    expect(usageErrorFromSystem(thrown(() => writeFileSync(join(file, 'below'), 'x')))?.message).toContain(
      'part of the path is a file, not a folder (ENOTDIR)',
    )
  })

  it('leaves every other error alone (those stay bugs)', () => {
    expect(usageErrorFromSystem(new TypeError('x is undefined'))).toBeUndefined()
    expect(usageErrorFromSystem(Object.assign(new Error('no path'), { code: 'ENOENT' }))).toBeUndefined()
  })
})
