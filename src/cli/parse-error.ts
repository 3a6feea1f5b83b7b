/**
 * Whatever fails while oclif parses the command line (a flag's value, a missing argument, an
 * unknown flag, an argument naming a missing file) is the user's mistake: a usage error, exit 2,
 * with oclif's message on one line and the flag it concerns named once.
 */
import { DccError } from '../errors.js'

export function usageErrorFromParse(err: unknown): DccError {
  const text = err instanceof Error ? err.message : String(err)
  const message = flatten(
    missingArgsNamed(nameTheFlag(unknownFlagsNamedOnly(withoutHelpHint(stripAnsi(text))))),
  )
  if (err instanceof DccError) return new DccError(err.code, message, { cause: err })
  return new DccError('ERR_USAGE', message || 'usage error', { cause: err })
}

function withoutHelpHint(text: string): string {
  return text.replaceAll(/\n?See more help with --help/g, '')
}

/** a secret's name: typed as a flag, its value would show in `ps` and the shell history */
const SECRET_FLAG = /pin|pass|secret/i

/**
 * oclif quotes an unknown flag whole ("Nonexistent flag: --pin=1234"): its value may be a PIN or a
 * passphrase typed where it should not be, so only the flag's name is kept, and a secret-like name is
 * pointed to the environment variable hcert reads it from.
 */
function unknownFlagsNamedOnly(text: string): string {
  const m = /^Nonexistent flags?: ([^\n]*)/.exec(text)
  if (!m) return text
  const names = (m[1] ?? '').split(', ').map((flag) => flag.replace(/=[\s\S]*$/, ''))
  const hints: string[] = []
  if (names.some((name) => /pin/i.test(name)))
    hints.push('the PKCS#11 user PIN is read from HCERT_PKCS11_PIN (or typed at the prompt), never a flag')
  if (names.some((name) => SECRET_FLAG.test(name) && !/pin/i.test(name)))
    hints.push('a key passphrase is read from HCERT_KEY_PASSPHRASE (or typed at the prompt), never a flag')
  const head = `Nonexistent flag${names.length === 1 ? '' : 's'}: ${names.join(', ')}`
  return hints.length > 0 ? `${head}; ${hints.join('; ')}` : head
}

/**
 * oclif lists missing arguments as "name  description" lines, which read as one run-on phrase once
 * on one line ("dir folder of test vectors"): the description goes in parentheses.
 */
function missingArgsNamed(text: string): string {
  if (!/^Missing \d+ required args?:\n/.test(text)) return text
  return text.replace(/^(\S+) {2,}(.+)$/gm, '$1 ($2)')
}

/** oclif reports a flag's failed parse as "Parsing --name \n\t<reason>". */
function nameTheFlag(text: string): string {
  const m = /^Parsing (--[\w-]+) *\n\t?([\s\S]*)$/.exec(text)
  if (!m) return text
  const [, flag = '', reason = ''] = m
  return reason.startsWith(flag) ? reason : `${flag}: ${reason}`
}

function flatten(text: string): string {
  return text
    .replaceAll('=[object Object]', '') // oclif quotes a parsed value in exclusive-flag errors
    .replace(/^The following errors? occurred:/, '')
    .split('\n')
    .map((line) => line.trim().replaceAll(/\s{2,}/g, ' '))
    .filter(Boolean)
    .join(' ')
}

function stripAnsi(text: string): string {
  // eslint-disable-next-line no-control-regex
  return text.replace(/\u001b\[[0-9;]*m/g, '')
}

/** A flag as oclif defines it: what refuseValuedBooleans needs. */
interface FlagShape {
  type?: string
  char?: string
  aliases?: readonly string[]
  allowNo?: boolean
}

/**
 * ERR_USAGE for a boolean flag given a value (`--correct=yes`, `--json=1`, `-i=true`): oclif takes
 * the flag and reads the value as an argument of its own, so `--correct=yes a.csv` read `yes` as
 * the input and called a.csv an "Unexpected argument" (and a command taking several inputs read a
 * file named `1`). A boolean flag is given alone or left out; the message names the flag, never
 * the value (it may be a secret typed in the wrong place). Arguments after `--` are arguments.
 */
export function refuseValuedBooleans(
  argv: readonly string[],
  flags: Readonly<Record<string, FlagShape>>,
): void {
  const booleans = new Map<string, string>()
  for (const [name, flag] of Object.entries(flags)) {
    if (flag.type !== 'boolean') continue
    booleans.set(`--${name}`, name)
    if (flag.allowNo) booleans.set(`--no-${name}`, `no-${name}`)
    for (const alias of flag.aliases ?? []) booleans.set(`--${alias}`, alias)
    if (flag.char) booleans.set(`-${flag.char}`, flag.char)
  }
  for (const arg of argv) {
    if (arg === '--') return
    const equals = arg.indexOf('=')
    if (!arg.startsWith('-') || equals < 2) continue
    const name = booleans.get(arg.slice(0, equals))
    if (name === undefined) continue
    const flag = name.length === 1 ? `-${name}` : `--${name}`
    throw new DccError('ERR_USAGE', `${flag} takes no value: give ${flag} alone, or leave it out`)
  }
}
