/**
 * Paths that are not ordinary files, given where hcert reads or makes one: a pipe (FIFO) with no
 * writer, a 1 GB file, a folder in /proc. Each answers at once with its coded error, never hangs or
 * spins (before: a FIFO as --trust or --known-issues waited forever, a 1 GB trust file was
 * ERR_INTERNAL, and `--out /proc/x/keys` spun in Node's recursive mkdir).
 */
import { execFileSync } from 'node:child_process'
import { mkdirSync, mkdtempSync, readFileSync, symlinkSync, truncateSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { runCli, type CliResult } from '../helpers/cli.js'

const BUGS = join(import.meta.dirname, '..', 'fixtures', 'bug-reports')
const TRUST = join(BUGS, 'trust', 'es256-trust-list.json')
const HC1 = readFileSync(join(BUGS, 'bug16a-exp-iat-8byte-int.txt'), 'utf8').trim()
const tmp = mkdtempSync(join(tmpdir(), 'hcert-special-'))
const fifo = join(tmp, 'fifo.json')
execFileSync('mkfifo', [fifo])

/** the built CLI, killed after 20 s (a hang then shows as code -1) */
const run = (args: string[]): CliResult => runCli([...args, '--json'], { timeout: 20_000 })
const errorOf = (result: CliResult): { code: string; message: string } =>
  (JSON.parse(result.stdout) as { error: { code: string; message: string } }).error

describe.skipIf(process.platform !== 'linux')('paths that are not ordinary files', () => {
  it('a FIFO as --trust is ERR_TRUST (exit 2) at once; in a trust folder it is passed over by name', () => {
    const direct = run(['verify', HC1, '--trust', fifo, '--at', '2021-12-01'])
    expect(direct.code).toBe(2)
    expect(errorOf(direct)).toMatchObject({
      code: 'ERR_TRUST',
      message: expect.stringMatching(/not a regular file/),
    })
    const folder = join(tmp, 'trust-folder')
    mkdirSync(folder)
    symlinkSync(fifo, join(folder, 'a.pem'))
    const inFolder = run(['verify', HC1, '--trust', folder, '--at', '2021-12-01'])
    expect(inFolder.code).toBe(2)
    expect(errorOf(inFolder).message).toMatch(/a\.pem: is a pipe \(FIFO\), not a regular file/)
  })

  it('a 1 GB trust file is ERR_TRUST naming the file and the 16 MB cap, unread', () => {
    const big = join(tmp, 'big-trust.json')
    writeFileSync(big, '[')
    truncateSync(big, 1 << 30) // sparse: no gigabyte written
    const result = run(['verify', HC1, '--trust', big, '--at', '2021-12-01'])
    expect(result.code).toBe(2)
    expect(errorOf(result)).toEqual({
      code: 'ERR_TRUST',
      layer: 'trust',
      message: `trust: ${big} is 1073741824 bytes, more than the 16777216 accepted for a trust file`,
    })
  })

  it('a FIFO as the input of decode and verify is ERR_INPUT pointing to stdin; the trust list still loads', () => {
    const decode = run(['decode', fifo])
    expect(decode.code).toBe(3)
    expect(errorOf(decode)).toMatchObject({
      code: 'ERR_INPUT',
      message: `input: ${fifo} is a pipe (FIFO), not a file; give it on stdin instead (- < ${fifo})`,
    })
    const verify = run(['verify', fifo, '--trust', TRUST, '--at', '2021-12-01'])
    expect(verify.code).toBe(3)
    expect(verify.stdout).toMatch(/is a pipe \(FIFO\), not a file/)
  })

  it('a FIFO as --known-issues of conformance is a usage error (exit 2)', () => {
    const vectors = join(import.meta.dirname, '..', 'fixtures', 'dgc-testdata')
    const result = run(['conformance', vectors, '--known-issues', fifo])
    expect(result.code).toBe(2)
    expect(errorOf(result).message).toMatch(/known-issues file .* is a pipe \(FIFO\), not a file/)
  })

  it('a folder to make under /proc is ERR_USAGE (exit 2) at once, not a spin in mkdir', () => {
    const result = run(['keys', 'generate', '--out', '/proc/hcert-test/keys'])
    expect(result.code).toBe(2)
    expect(errorOf(result)).toMatchObject({
      code: 'ERR_USAGE',
      message: expect.stringMatching(
        /cannot write \/proc\/hcert-test\/keys: no permission to write in \/proc/,
      ),
    })
  })

  it('a ledger or a QR folder to make under /proc is a coded error (exit 2) at once, not a spin in mkdir', () => {
    const examples = join(import.meta.dirname, '..', '..', 'examples', 'batch.csv')
    const keys = join(import.meta.dirname, '..', '..', 'keys-example')
    const ledger = run(['issue', examples, '-k', keys, '--ledger', '/proc/hcert-test/ledger.sqlite'])
    expect(ledger.code).toBe(2)
    expect(errorOf(ledger).code).toBe('ERR_LEDGER')
    const qr = run([
      'issue',
      examples,
      '-k',
      keys,
      '--ledger',
      join(tmp, 'l.sqlite'),
      '--qr-dir',
      '/proc/hcert-test/qr',
    ])
    expect(qr.code).toBe(2)
    expect(errorOf(qr).code).toBe('ERR_USAGE')
  })

  it('a device, a FIFO or a huge file as a certificate, key or key-folder member is ERR_KEYS (exit 2) at once, unread', () => {
    const keys = join(import.meta.dirname, '..', '..', 'keys-example')
    const examples = join(import.meta.dirname, '..', '..', 'examples', 'batch.csv')
    for (const device of ['/dev/zero', '/dev/urandom', fifo]) {
      const show = run(['keys', 'show', device])
      expect(show.code).toBe(2)
      expect(errorOf(show)).toMatchObject({
        code: 'ERR_KEYS',
        message: expect.stringMatching(/not a regular file/),
      })
    }
    const big = join(tmp, 'big.crt.pem')
    writeFileSync(big, '-----BEGIN CERTIFICATE-----\n')
    truncateSync(big, 1 << 30)
    const huge = run(['keys', 'show', big])
    expect(huge.code).toBe(2)
    expect(errorOf(huge).message).toBe(
      `keys: ${big} is 1073741824 bytes, more than the 1048576 accepted for a key, certificate or key-folder file`,
    )
    // a key folder whose DSC certificate (then its key, then its trust list) is a link to /dev/zero
    for (const member of ['dsc.crt.pem', 'dsc.key.pem', 'trust-list.json']) {
      const folder = join(tmp, `keys-zero-${member}`)
      mkdirSync(folder)
      for (const name of ['csca.crt.pem', 'dsc.crt.pem', 'dsc.key.pem', 'trust-list.json'])
        if (name === member) symlinkSync('/dev/zero', join(folder, name))
        else writeFileSync(join(folder, name), readFileSync(join(keys, name)))
      const args =
        member === 'trust-list.json'
          ? ['keys', 'generate', '--out', folder, '--force', '--csca', folder]
          : ['issue', examples, '--key-dir', folder, '--ledger', join(tmp, `l-${member}.sqlite`)]
      const result = run(args)
      expect(result.code, member).toBe(2)
      expect(errorOf(result), member).toMatchObject({
        code: 'ERR_KEYS',
        message: `keys: ${join(folder, member)} is a device, not a regular file`,
      })
    }
  })

  it('a FIFO (or a link to one) as --ledger is ERR_LEDGER "is not a file" (exit 2) at once for every command that reads a ledger', () => {
    const ledgerFifo = join(tmp, 'ledger-fifo.sqlite')
    execFileSync('mkfifo', [ledgerFifo])
    const link = join(tmp, 'ledger-link.sqlite')
    symlinkSync(ledgerFifo, link)
    const examples = join(import.meta.dirname, '..', '..', 'examples', 'batch.csv')
    const keys = join(import.meta.dirname, '..', '..', 'keys-example')
    for (const args of [
      ['stats', '--ledger', ledgerFifo],
      ['export', '--all', '--ledger', ledgerFifo],
      ['stats', '--ledger', link],
      ['issue', examples, '-k', keys, '--ledger', ledgerFifo],
    ]) {
      const result = run(args)
      expect(result.code, args.join(' ')).toBe(2)
      expect(errorOf(result)).toMatchObject({
        code: 'ERR_LEDGER',
        message: expect.stringMatching(/is not a file/),
      })
    }
  })
})
