import { existsSync, lstatSync } from 'node:fs'
import { homedir } from 'node:os'
import { join } from 'node:path'
import { DccError } from '../errors.js'
import { checkLedgerPath } from '../ledger/ledger-file.js'
import { checkLedgerSpec, redactLedgerSpec } from '../ledger/ledger-spec.js'

export const LEDGER_ENV = 'HCERT_LEDGER'

/** $HCERT_LEDGER, else the user's data directory: $XDG_DATA_HOME/hcert/ledger.sqlite or ~/.local/share/hcert/ledger.sqlite. */
export function defaultLedgerPath(): string {
  const fromEnv = process.env[LEDGER_ENV]
  // set to nothing is refused (checkLedgerPath), as --ledger '' is: never the default ledger instead
  if (fromEnv !== undefined) return fromEnv
  const dataHome = process.env.XDG_DATA_HOME || join(homedir(), '.local', 'share')
  const dir = join(dataHome, 'hcert')
  // a folder whose name hcert chooses: a symbolic link planted there would lead the ledger elsewhere
  if (lstatSync(dir, { throwIfNoEntry: false })?.isSymbolicLink())
    throw new DccError(
      'ERR_LEDGER',
      `ledger: ${dir}, the folder of the default ledger, is a symbolic link: hcert does not follow one there; remove it (or make it a folder), or give --ledger or ${LEDGER_ENV}`,
    )
  return join(dir, 'ledger.sqlite')
}

/**
 * The ledger a command works on: `given` (--ledger), else $HCERT_LEDGER, else the default file;
 * ERR_LEDGER before anything is created when it reads as a server address that is not a postgres
 * URL (ledger-spec.ts).
 */
export function ledgerSpec(given: string | undefined): string {
  const spec = given ?? defaultLedgerPath()
  checkLedgerSpec(spec, given === undefined ? `ledger: $${LEDGER_ENV}` : 'ledger: --ledger')
  return spec
}

/**
 * The ledger of a command that only reads or extends one (renew, stats): only `issue` creates a
 * ledger, so a path that does not exist (a typing mistake) is ERR_LEDGER (exit 2), not a new empty
 * ledger that reports nothing to do; nor is a 0-byte file (ERR_LEDGER "is empty"), left as it is.
 */
export function existingLedgerPath(path: string): string {
  if (path.trim() === '') checkLedgerPath(path)
  if (path !== ':memory:' && !existsSync(path))
    throw new DccError(
      'ERR_LEDGER',
      `ledger: ${redactLedgerSpec(path)} does not exist (issue certificates first, or pass --ledger)`,
    )
  // a 0-byte file (touch, `: > file`, a run stopped before its first commit) is no ledger either:
  // opened for writing it would become a new one, as stats and export (read only) already refuse
  if (path !== ':memory:' && isEmptyFile(path) && !hasContent(`${path}-wal`))
    throw new DccError(
      'ERR_LEDGER',
      `ledger: ${redactLedgerSpec(path)} is empty (no certificates were issued into it yet); only hcert issue makes a ledger`,
    )
  return path
}

function isEmptyFile(path: string): boolean {
  const stat = lstatSync(path, { throwIfNoEntry: false })
  return stat?.isFile() === true && stat.size === 0
}

function hasContent(path: string): boolean {
  return (lstatSync(path, { throwIfNoEntry: false })?.size ?? 0) > 0
}
