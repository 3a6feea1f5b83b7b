import { spawn } from 'node:child_process'
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { BIN, runCli } from '../helpers/cli.js'
import { vector } from '../helpers/vectors.js'

const BUGS = join(import.meta.dirname, '..', 'fixtures', 'bug-reports')
const TRUST = ['--trust', join(BUGS, 'trust', 'es256-trust-list.json'), '--at', '2021-12-01']
const bug = (name: string): string => join(BUGS, name)
const tmp = mkdtempSync(join(tmpdir(), 'hcert-inputs-'))
interface VerifyLine {
  source: string
  valid: boolean
  errors: Array<{ code: string; check: string; message: string }>
  warnings: Array<{ check: string; message: string }>
}
const lines = (stdout: string): VerifyLine[] =>
  stdout
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as VerifyLine)

describe('hcert verify: foreign prefixes and dates (bug reports)', () => {
  it('bug10a: an NL2: code is ERR_PREFIX naming the Dutch code, with no hint that cannot work', () => {
    const result = runCli(['verify', bug('bug10a-nl2-prefix.txt'), ...TRUST, '--json'])
    expect(result.code).toBe(3)
    const [json] = lines(result.stdout)
    expect(json?.errors[0]).toMatchObject({ code: 'ERR_PREFIX', check: 'unprefix' })
    expect(json?.errors[0]?.message).toMatch(
      /not an EU DCC: the text starts with 'NL2:', a Dutch domestic CoronaCheck code/,
    )
    expect(result.stdout).not.toMatch(/allow-missing-prefix/)
    const lenient = runCli([
      'verify',
      bug('bug10a-nl2-prefix.txt'),
      ...TRUST,
      '--allow-missing-prefix',
      '--json',
    ])
    expect(lines(lenient.stdout)[0]?.errors[0]?.code).toBe('ERR_PREFIX')
  })

  it('bug06c: a dob of 1988-02-30 is VALID with a warning that it is not a calendar date, without the date', () => {
    const result = runCli(['verify', bug('bug06c-dob-feb30.txt'), ...TRUST, '--json'])
    expect(result.code).toBe(0)
    const [json] = lines(result.stdout)
    expect(json?.warnings).toContainEqual({ check: 'schema', message: '/dob is not a calendar date' })
    const text = runCli(['verify', bug('bug06c-dob-feb30.txt'), ...TRUST])
    expect(text.stdout).toContain('warning (schema): /dob is not a calendar date')
    expect(text.stdout).not.toContain('1988')
  })
})

describe('hcert verify: trust as verifiers do', () => {
  it.each(['LV/2DCode/raw/1.json', 'ES/2DCode/raw/502.json'])(
    'the EU vector %s, signed by a certificate marked CA:TRUE, is VALID with a warning naming the flag',
    (name) => {
      const v = vector(name)
      const pem = join(tmp, `${name.slice(0, 2)}.pem`)
      const lines64 = (v.TESTCTX?.CERTIFICATE as string).match(/.{1,64}/g)?.join('\n')
      writeFileSync(pem, `-----BEGIN CERTIFICATE-----\n${lines64}\n-----END CERTIFICATE-----\n`)
      const result = runCli(['verify', v.PREFIX as string, '--trust', pem, '--at', '2021-12-01', '--json'])
      expect(result.code, result.stdout + result.stderr).toBe(0)
      const [json] = lines(result.stdout)
      expect(json?.valid).toBe(true)
      expect(json?.warnings).toContainEqual({
        check: 'signature',
        message: expect.stringMatching(/marked CA:TRUE \(basicConstraints\)/),
      })
    },
  )

  it('a trust list with malformed entries loads the good one and names the others by index on stderr', () => {
    const good = JSON.parse(readFileSync(join(BUGS, 'trust', 'es256-trust-list.json'), 'utf8')) as unknown
    const list = join(tmp, 'partly.json')
    writeFileSync(list, JSON.stringify([null, 1, 'a', ...(good as { certificates: unknown[] }).certificates]))
    const result = runCli([
      'verify',
      bug('bug06c-dob-feb30.txt'),
      '--trust',
      list,
      '--at',
      '2021-12-01',
      '--json',
    ])
    expect(result.code).toBe(0)
    expect(result.stderr).toMatch(/entry at index 0: is null/)
    expect(result.stderr).toMatch(/entry at index 2: is a string/)
    expect(lines(result.stdout)[0]?.valid).toBe(true) // stdout stays JSON Lines
    const none = join(tmp, 'none.json')
    writeFileSync(none, '[null, 1, "a"]')
    const refused = runCli(['verify', bug('bug06c-dob-feb30.txt'), '--trust', none, '--json'])
    expect(refused.code).toBe(2)
    expect(JSON.parse(refused.stdout).error).toMatchObject({ code: 'ERR_TRUST' })
    expect(refused.stdout + refused.stderr).not.toMatch(/ERR_INTERNAL|at .*\.js:\d+/)
  })
})

describe('hcert verify: inputs as people give them', () => {
  it('a path that does not exist is ERR_INPUT (exit 3), not read as certificate text', () => {
    for (const path of ['certs/missing.txt', 'missing.png', './nope']) {
      const result = runCli(['verify', path, ...TRUST, '--json'])
      expect(result.code, path).toBe(3)
      expect(lines(result.stdout)[0]?.errors[0]).toMatchObject({
        code: 'ERR_INPUT',
        check: 'input',
        message: `input: ${path} does not exist (read as a file path)`,
      })
    }
    const decode = runCli(['decode', 'certs/missing.txt', '--json'])
    expect(decode.code).toBe(3)
    expect(JSON.parse(decode.stdout).error.code).toBe('ERR_INPUT')
  })

  it('a file with several certificates, one per line, verifies each; the summary counts them by verdict', () => {
    const good = readFileSync(bug('bug06c-dob-feb30.txt'), 'utf8').trim()
    const file = join(tmp, 'several.txt')
    writeFileSync(
      file,
      `${good}\r\n\n${readFileSync(bug('bug10a-nl2-prefix.txt'), 'utf8').trim()}\n  ${good}\t\n${vector('LV/2DCode/raw/1.json').PREFIX as string}\n`,
    )
    const result = runCli(['verify', file, ...TRUST])
    expect(result.code).toBe(4)
    const out = result.stdout.split('\n')
    expect(out.filter((l) => /^(VALID|INVALID)/.test(l))).toEqual([
      `VALID  ${file}:1`,
      `INVALID  ${file}:3`,
      `VALID  ${file}:4`,
      `INVALID  ${file}:5`,
    ])
    expect(result.stdout).toContain(
      'warning (input): whitespace around the certificate text was trimmed (before it: 2 × space; after it: tab)',
    )
    expect(out.filter(Boolean).at(-1)).toBe('4 certificates: 2 valid, 1 invalid, 1 undecodable')
    const json = lines(runCli(['verify', file, ...TRUST, '--json']).stdout)
    expect(json.map((r) => r.source)).toEqual([`${file}:1`, `${file}:3`, `${file}:4`, `${file}:5`])
  })

  it('the summary says how many were valid and invalid, not "N verified"', () => {
    const good = bug('bug06c-dob-feb30.txt')
    const result = runCli(['verify', good, good, ...TRUST])
    expect(result.stdout.trim().split('\n').at(-1)).toBe('2 certificates: 2 valid, 0 invalid')
  })

  it('whitespace around the text of a file is a warning in verify and in decode --layers', () => {
    const good = readFileSync(bug('bug06c-dob-feb30.txt'), 'utf8').trim()
    const file = join(tmp, 'spaced.txt')
    writeFileSync(file, ` ${good} \n`)
    const verify = lines(runCli(['verify', file, ...TRUST, '--json']).stdout)[0]
    expect(verify?.warnings[0]).toEqual({
      check: 'input',
      message: expect.stringMatching(
        /^whitespace around the certificate text was trimmed \(before it: space; after it: space\)/,
      ),
    })
    const decode = runCli(['decode', file, '--layers'])
    expect(decode.code).toBe(0)
    expect(decode.stdout).toMatch(/warning: whitespace around the certificate text was trimmed/)
    expect(JSON.parse(runCli(['decode', file, '--json']).stdout).warnings).toHaveLength(1)
    const plain = join(tmp, 'plain.txt')
    writeFileSync(plain, `${good}\n`) // a final line end is no whitespace around the text
    expect(JSON.parse(runCli(['decode', plain, '--json']).stdout).warnings).toEqual([])
  })

  it('a 300 MB stdin line with no newline ends quickly with a coded error, in bounded memory', async () => {
    // the child reports its peak resident set size as it exits
    const report =
      'data:text/javascript,import{writeSync}from"node:fs";process.on("exit",()=>writeSync(2,`maxrss=${process.resourceUsage().maxRSS}\\n`))'
    const started = Date.now()
    const child = spawn(process.execPath, ['--import', report, BIN, 'verify', '-', ...TRUST, '--json'], {
      env: { ...process.env, NO_COLOR: '1' },
    })
    let stdout = ''
    let stderr = ''
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()))
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()))
    const block = Buffer.alloc(1024 * 1024, 'A')
    const closed = new Promise<number | null>((resolve) => child.on('close', resolve))
    let finished = false
    void closed.then(() => (finished = true))
    child.stdin.on('error', () => {}) // the reader stops reading and exits before the writer is done
    for (let i = 0; i < 300 && !finished; i++) {
      if (!child.stdin.write(block))
        await Promise.race([new Promise((resolve) => child.stdin.once('drain', resolve)), closed])
    }
    child.stdin.end()
    const code = await closed
    const seconds = (Date.now() - started) / 1000
    expect(code, stderr).toBe(3)
    const [json] = lines(stdout)
    expect(json?.errors[0]).toMatchObject({ code: 'ERR_INPUT', check: 'input' })
    expect(json?.errors[0]?.message).toMatch(
      // whole when the writer ended first, or cut off once past the input cap (read-certificate-stream.ts)
      /line 1 of stdin (is 314572800 bytes long, more than the 17184 read as one certificate|runs past 33554432 bytes without a line end; the rest of stdin is not read)/,
    )
    const maxRssKb = Number(/maxrss=(\d+)/.exec(stderr)?.[1])
    console.log(`300 MB stdin line: ${seconds.toFixed(1)} s, max RSS ${(maxRssKb / 1024).toFixed(0)} MB`)
    expect(seconds).toBeLessThan(15) // ~3 s of CPU; the machine is shared
    expect(maxRssKb).toBeLessThan(200 * 1024)
  }, 30_000)
})
