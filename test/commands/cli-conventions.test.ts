/** What every command shares on the command line: help, did-you-mean, usage errors, hints. */
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { beforeAll, describe, expect, it } from 'vitest'
import { spawnSync } from 'node:child_process'
import { BIN, runCli } from '../helpers/cli.js'
import { runMany, type Run } from '../helpers/run-many.js'

const tmp = mkdtempSync(join(tmpdir(), 'hcert-conventions-'))
const EMPTY_FOLDER = join(tmp, 'empty')
const FILE = join(tmp, 'file.txt')
mkdirSync(EMPTY_FOLDER)
writeFileSync(FILE, 'x')

const LINES = {
  help: ['help'],
  helpIssue: ['help', 'issue'],
  helpKeysGenerate: ['help', 'keys', 'generate'],
  issueHelp: ['issue', '--help'],
  renewHelp: ['renew', '--help'],
  keysGenerateHelp: ['keys', 'generate', '--help'],
  issueH: ['issue', '-h'],
  keysGenerateH: ['keys', 'generate', '-h'],
  rootH: ['-h'],
  mistyped: ['isue', 'records.csv'],
  mistypedJson: ['isue', 'records.csv', '--json'],
  mistypedSub: ['keys', 'generat'],
  unknown: ['xyzzy'],
  jsonAlone: ['--json'],
  helpUnknown: ['help', 'nosuch'],
  helpUnknownJson: ['help', 'nosuch', '--json'],
  helpMistyped: ['help', 'isue'],
  helpUnknownSub: ['help', 'keys', 'nope'],
  helpIssueJson: ['help', 'issue', '--json'],
  badValidity: ['issue', 'records.csv', '--validity', 'garbage', '--json'],
  badValidFrom: ['keys', 'generate', '--valid-from', 'soon'],
  exclusive: ['renew', '--expired', '--expiring-within', '3d', '--json'],
  conformanceMissing: ['conformance', join(tmp, 'nosuch'), '--json'],
  conformanceFile: ['conformance', FILE, '--json'],
  conformanceEmpty: ['conformance', EMPTY_FOLDER, '--json'],
  knownIssuesMissing: ['conformance', EMPTY_FOLDER, '--known-issues', join(tmp, 'nosuch.csv'), '--json'],
} satisfies Record<string, string[]>

const ran = {} as Record<keyof typeof LINES, Run>
beforeAll(async () => {
  const names = Object.keys(LINES) as Array<keyof typeof LINES>
  const runs = await runMany(
    names.map((n) => LINES[n]),
    { cwd: tmp },
  )
  names.forEach((n, i) => (ran[n] = runs[i] as Run))
}, 120_000)

const errorOf = (run: Run): { code: string; message: string } => JSON.parse(run.stdout).error

describe('hcert help', () => {
  it('lists the commands, and shows one command or topic', () => {
    expect(ran.help.code).toBe(0)
    expect(ran.help.stdout).toMatch(/COMMANDS[\s\S]*issue[\s\S]*verify/)
    expect(ran.helpIssue.code).toBe(0)
    expect(ran.helpIssue.stdout).toContain('$ hcert issue [INPUT]')
    expect(ran.helpKeysGenerate.code).toBe(0)
    expect(ran.helpKeysGenerate.stdout).toContain('$ hcert keys generate')
  })

  it('-h is help, as the hint for a bare -h says (hcert <command> -h); was "Nonexistent flag: -h"', () => {
    expect(ran.issueH.code).toBe(0)
    expect(ran.issueH.stdout).toBe(ran.issueHelp.stdout)
    expect(ran.keysGenerateH.code).toBe(0)
    expect(ran.keysGenerateH.stdout).toBe(ran.keysGenerateHelp.stdout)
    expect(ran.rootH.code).toBe(0)
    expect(ran.rootH.stdout).toMatch(/COMMANDS[\s\S]*issue/)
  })

  it('hcert help read only in part (| head -1) exits 0 quietly, as issue --help does (was ERR_USAGE EPIPE)', () => {
    // help issue prints ~80 lines: head closes the pipe long before; hcert's own exit code is asserted
    const out = spawnSync(
      'bash',
      ['-c', `"${process.execPath}" "${BIN}" help issue | head -1; exit \${PIPESTATUS[0]}`],
      { encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' } },
    )
    expect(out.stdout.split('\n').filter(Boolean)).toHaveLength(1)
    expect(out.stderr).toBe('')
    expect(out.status).toBe(0)
  })

  it('shows defaults as typed, never [object Object]', () => {
    for (const run of [ran.issueHelp, ran.renewHelp, ran.keysGenerateHelp])
      expect(run.stdout).not.toContain('[object Object]')
    expect(ran.issueHelp.stdout).toMatch(/--validity=<12m\|365d\|4y>\s+\[default: 12m\]/)
    expect(ran.keysGenerateHelp.stdout).toMatch(/--csca-validity=<12m\|365d\|4y>\s+\[default: 4y\]/)
    expect(ran.keysGenerateHelp.stdout).toMatch(/--dsc-validity=<12m\|365d\|4y>\s+\[default: 2y\]/)
  })
})

describe('a mistyped command', () => {
  it('is a usage error (exit 2) that names the command meant, without asking when stdin is no terminal', () => {
    expect(ran.mistyped.code).toBe(2)
    expect(ran.mistyped.stderr).toContain("'isue' is not an hcert command; did you mean 'hcert issue'?")
    expect(ran.mistypedJson.code).toBe(2)
    expect(errorOf(ran.mistypedJson)).toMatchObject({
      code: 'ERR_USAGE',
      message: expect.stringContaining("'hcert issue'"),
    })
    expect(ran.mistypedSub.code).toBe(2)
    expect(ran.mistypedSub.stderr).toContain("did you mean 'hcert keys generate'?")
    expect(ran.unknown.code).toBe(2)
    expect(ran.unknown.stderr).toContain("'xyzzy' is not an hcert command")
    expect(ran.unknown.stderr).not.toContain('did you mean')
  })

  it('hcert --json alone: a JSON usage error saying a command is missing (was text, calling --json a command)', () => {
    expect(ran.jsonAlone.code).toBe(2)
    expect(errorOf(ran.jsonAlone)).toMatchObject({
      code: 'ERR_USAGE',
      message: expect.stringMatching(/^no command given/),
    })
  })

  it('hcert help <unknown> is the same usage error (exit 2, JSON with --json); help <known> --json prints the help', () => {
    expect(ran.helpUnknown.code).toBe(2)
    expect(ran.helpUnknown.stderr).toContain("error [ERR_USAGE] 'nosuch' is not an hcert command")
    expect(ran.helpUnknown.stderr).not.toMatch(/›|at .*\.js:\d+/)
    expect(ran.helpUnknownJson.code).toBe(2)
    expect(errorOf(ran.helpUnknownJson)).toEqual({
      code: 'ERR_USAGE',
      layer: 'usage',
      message: "'nosuch' is not an hcert command",
    })
    expect(ran.helpMistyped.code).toBe(2)
    expect(ran.helpMistyped.stderr).toContain("'isue' is not an hcert command; did you mean 'hcert issue'?")
    expect(ran.helpUnknownSub.code).toBe(2)
    expect(ran.helpUnknownSub.stderr).toContain("'keys nope' is not an hcert command")
    expect(ran.helpIssueJson.code).toBe(0)
    expect(ran.helpIssueJson.stdout).toContain('$ hcert issue [INPUT]')
    expect(ran.helpIssueJson.stderr).toBe('')
  })

  it('does not wait for an answer in a real process with a piped stdin', () => {
    const result = runCli(['stast'], { input: 'y\n' })
    expect(result.code).toBe(2)
    expect(result.stderr).toContain("did you mean 'hcert stats'?")
  })
})

describe('usage errors', () => {
  it('name the flag once, on one line, and hint at help in the form users type', () => {
    expect(ran.badValidity.code).toBe(2)
    expect(errorOf(ran.badValidity)).toEqual({
      code: 'ERR_USAGE',
      layer: 'usage',
      message: "--validity: 'garbage' is not a duration such as 12m, 365d or 4y",
    })
    expect(ran.badValidFrom.code).toBe(2)
    expect(ran.badValidFrom.stderr).toContain("--valid-from: 'soon' is not an ISO 8601 date or date-time\n")
    expect(ran.badValidFrom.stderr).toContain('See: hcert keys generate --help')
    expect(ran.badValidFrom.stderr).not.toMatch(/keys:generate|See more help/)
    expect(errorOf(ran.exclusive).message).toBe(
      '--expiring-within cannot also be provided when using --expired',
    )
  })

  it('conformance: a missing folder, a file, a missing known-issues file and a folder without vectors', () => {
    for (const run of [
      ran.conformanceMissing,
      ran.conformanceFile,
      ran.conformanceEmpty,
      ran.knownIssuesMissing,
    ])
      expect([run.code, errorOf(run).code]).toEqual([2, 'ERR_USAGE'])
    expect(errorOf(ran.conformanceMissing).message).toMatch(
      /nosuch does not exist; give the folder of test vectors$/,
    )
    expect(errorOf(ran.conformanceFile).message).toContain('is a file, not a folder')
    expect(errorOf(ran.conformanceEmpty).message).toContain('holds no test vectors')
    expect(errorOf(ran.knownIssuesMissing).message).toMatch(/known-issues file .*nosuch\.csv does not exist$/)
  })
})
