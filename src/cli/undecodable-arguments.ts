/**
 * A flag's value given as bytes that are not UTF-8 (`--org $'\xff\xfe'`, a script saved in
 * Latin-1): Node reads each such byte as U+FFFD, and the value then failed later with a message
 * about a file read in the wrong encoding, or named a file that does not exist. Refused while the
 * command line is parsed: ERR_USAGE naming the flag, never the value.
 */
import { readFileSync } from 'node:fs'
import { DccError } from '../errors.js'

/** A flag as oclif defines it: what refuseUndecodableFlagValues needs. */
interface FlagShape {
  type?: string
  char?: string
  aliases?: readonly string[]
}

/**
 * true when the command line this process got holds bytes that are not UTF-8: on Linux, read from
 * /proc/self/cmdline (a U+FFFD typed as such, valid UTF-8, is text like any other); elsewhere a
 * U+FFFD in an argument is taken for one.
 */
function commandLineNotUtf8(): boolean {
  let raw: Buffer
  try {
    raw = readFileSync('/proc/self/cmdline')
  } catch {
    return true
  }
  try {
    new TextDecoder('utf-8', { fatal: true }).decode(raw)
    return false
  } catch {
    return true
  }
}

/**
 * Throws ERR_USAGE when the value of a flag in `argv` (`--name value`, `--name=value`, `-c value`)
 * was given as bytes that are not UTF-8. Arguments that are not flag values (input files, HC1
 * strings) are left to the command; so is everything after `--`.
 */
export function refuseUndecodableFlagValues(
  argv: readonly string[],
  flags: Readonly<Record<string, FlagShape>>,
): void {
  if (!argv.some((arg) => arg.includes('\uFFFD'))) return
  const valued = new Map<string, string>()
  for (const [name, flag] of Object.entries(flags)) {
    if (flag.type === 'boolean') continue
    for (const spelling of [`--${name}`, ...(flag.aliases ?? []).map((a) => `--${a}`)])
      valued.set(spelling, `--${name}`)
    if (flag.char) valued.set(`-${flag.char}`, `--${name}`)
  }
  let checked: boolean | undefined
  for (const [i, arg] of argv.entries()) {
    if (arg === '--') return
    const equals = arg.startsWith('--') ? arg.indexOf('=') : -1
    const flag = equals > 2 ? valued.get(arg.slice(0, equals)) : valued.get(argv[i - 1] ?? '')
    const value = equals > 2 ? arg.slice(equals + 1) : arg
    if (flag === undefined || !value.includes('\uFFFD')) continue
    checked ??= commandLineNotUtf8()
    if (!checked) return
    const at = [...value].indexOf('\uFFFD') + 1
    throw new DccError(
      'ERR_USAGE',
      `${flag} is not valid text (UTF-8): the command line gave it bytes that are not UTF-8 (at character ${at}); type the value again in UTF-8, or set the terminal or script to UTF-8`,
    )
  }
}
