/**
 * Faults testers found in how verify takes its inputs and flags (issue 12, second round): each case
 * stands for its kind.
 */
import { copyFileSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { runCli } from '../helpers/cli.js'

const BUGS = join(import.meta.dirname, '..', 'fixtures', 'bug-reports')
const TRUST_LIST = join(BUGS, 'trust', 'es256-trust-list.json')
const CERT = join(BUGS, 'bug16a-exp-iat-8byte-int.txt')
const tmp = mkdtempSync(join(tmpdir(), 'hcert-input-faults-'))
const SECRET = 'Nguyen Secret 1980-05-17'

describe('hcert verify --trust <folder>: one unusable file does not fail the folder', () => {
  const junk: Record<string, string> = {
    'a-junk.json': `[${SECRET}]`,
    'b-junk.json': `{"${SECRET}": `,
    'c-other-shape.json': `{"holder": "${SECRET}"}`,
    'd-junk.der': SECRET,
    'e-junk.pem': `-----BEGIN CERTIFICATE-----\n${Buffer.from(SECRET).toString('base64')}\n-----END CERTIFICATE-----\n`,
  }

  it('each junk file is passed over with a warning naming it and the kind of problem, no bytes quoted', () => {
    const dir = join(tmp, 'mixed')
    mkdirSync(dir)
    copyFileSync(TRUST_LIST, join(dir, 'trust-list.json'))
    for (const [name, text] of Object.entries(junk)) writeFileSync(join(dir, name), text)
    const result = runCli(['verify', CERT, '--trust', dir, '--at', '2021-12-01', '--json'])
    expect(result.code, result.stdout + result.stderr).toBe(0)
    expect(JSON.parse(result.stdout).valid).toBe(true)
    for (const name of Object.keys(junk))
      expect(result.stderr).toMatch(new RegExp(`warning: trust: [^\\n]*${name}[^\\n]*: [^\\n]*passed over`))
    expect(result.stderr).toMatch(/a-junk\.json: is not valid JSON/)
    expect(result.stderr).toMatch(/c-other-shape\.json: is neither a list of certificates/)
    expect(result.stderr).toMatch(/d-junk\.der: is not an X\.509 certificate/)
    expect(result.stderr).not.toMatch(/Nguyen|Secret|1980|routines/)
  })

  it('a folder with no usable trust source is ERR_TRUST (exit 2), naming no bytes', () => {
    const dir = join(tmp, 'all-junk')
    mkdirSync(dir)
    for (const [name, text] of Object.entries(junk)) writeFileSync(join(dir, name), text)
    const result = runCli(['verify', CERT, '--trust', dir, '--at', '2021-12-01', '--json'])
    expect(result.code).toBe(2)
    expect(JSON.parse(result.stdout).error).toMatchObject({ code: 'ERR_TRUST' })
    expect(result.stdout + result.stderr).not.toMatch(/Nguyen|Secret|1980|ERR_INTERNAL/)
  })

  it('a trust list file given by name that is not JSON names the fault, not its bytes', () => {
    const file = join(tmp, 'bad-list.json')
    writeFileSync(file, `[${SECRET}]`)
    const result = runCli(['verify', CERT, '--trust', file, '--json'])
    expect(result.code).toBe(2)
    expect(JSON.parse(result.stdout).error.message).toMatch(/is not valid JSON/)
    expect(result.stdout + result.stderr).not.toMatch(/Nguyen|Secret/)
  })
})

describe('hcert verify --trust and --trust-domain: one value each, a closed set of domains', () => {
  const BUG06C = join(BUGS, 'bug06c-dob-feb30.txt')

  it('inputs after --trust <file> are inputs, not trust sources (also -t, and repeated)', () => {
    const result = runCli(['verify', '--trust', TRUST_LIST, CERT, BUG06C, '--at', '2021-12-01', '--json'])
    expect(result.code, result.stdout + result.stderr).toBe(0)
    expect(result.stdout.trim().split('\n')).toHaveLength(2)
    const short = runCli(['verify', '-t', TRUST_LIST, CERT, '--at', '2021-12-01', '--json'])
    expect(short.code, short.stdout + short.stderr).toBe(0)
    const twice = runCli(['verify', '-t', TRUST_LIST, '-t', TRUST_LIST, CERT, '--at', '2021-12-01', '--json'])
    expect(twice.code, twice.stdout + twice.stderr).toBe(0)
  })

  it('an unknown --trust-domain is a usage error (exit 2) naming the flag and the domains, without the value', () => {
    const result = runCli([
      'verify',
      CERT,
      '--trust',
      TRUST_LIST,
      '--trust-domain',
      `Bogus${SECRET}\u001b[31m`,
    ])
    expect(result.code).toBe(2)
    expect(result.stderr).toMatch(/ERR_USAGE.*--trust-domain takes a GDHCN trust domain: DCC, DDCC, ICVP/)
    expect(result.stderr).not.toMatch(/Bogus|Nguyen/)
    expect(result.stderr).not.toContain('\u001b')
    // a known domain, in any case, passes the flag (and is then refused: no DID trust list here)
    const known = runCli(['verify', CERT, '--trust', TRUST_LIST, '--trust-domain', 'icvp'])
    expect(known.stderr).toMatch(/--trust-domain applies to GDHCN DID trust lists/)
  })
})

describe('hcert verify and decode: an image in a format hcert does not read is named as such', () => {
  const webp = Buffer.concat([
    Buffer.from('RIFF'),
    Buffer.from([30, 0, 0, 0]),
    Buffer.from('WEBPVP8 '),
    Buffer.alloc(22),
  ])
  const gif = Buffer.concat([Buffer.from('GIF89a'), Buffer.from([1, 0, 1, 0, 0, 0, 0, 0x3b])])
  const said = /ERR_IMAGE.*is a (WebP|GIF) image: hcert reads PNG and JPEG; convert it/

  it('as a file, on stdin, for verify and for decode: ERR_IMAGE (exit 3), not "does not start with HC1:"', () => {
    const file = join(tmp, 'photo.webp')
    writeFileSync(file, webp)
    const verify = runCli(['verify', file, '--trust', TRUST_LIST, '--json'])
    expect(verify.code).toBe(3)
    expect(JSON.parse(verify.stdout).errors[0]).toMatchObject({
      code: 'ERR_IMAGE',
      message: expect.stringMatching(/photo\.webp is a WebP image: hcert reads PNG and JPEG; convert it/),
    })
    const stdin = runCli(['verify', '-', '--trust', TRUST_LIST], { input: gif })
    expect(stdin.code).toBe(3)
    expect(stdin.stdout).toMatch(said)
    const decode = runCli(['decode', file])
    expect(decode.code).toBe(3)
    expect(decode.stderr).toMatch(said)
    for (const run of [verify, stdin, decode]) expect(run.stdout + run.stderr).not.toMatch(/HC1:|ERR_PREFIX/)
  })
})

describe('--at with a date or time that does not exist', () => {
  it('is a usage error (exit 2) naming the flag and saying "not a calendar date"', () => {
    const result = runCli(['verify', CERT, '--trust', TRUST_LIST, '--at', '2021-02-30', '--json'])
    expect(result.code).toBe(2)
    expect(JSON.parse(result.stdout).error).toMatchObject({
      code: 'ERR_USAGE',
      message: "--at: '2021-02-30' is not a calendar date",
    })
    const time = runCli(['verify', CERT, '--trust', TRUST_LIST, '--at', '2021-06-01T25:00:00Z'])
    expect(time.code).toBe(2)
    expect(time.stderr).toMatch(/--at: '25:00:00' is not a time of day/)
  })
})
