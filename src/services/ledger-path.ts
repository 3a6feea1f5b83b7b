import { homedir } from 'node:os'
import { join } from 'node:path'

export const LEDGER_ENV = 'HCERT_LEDGER'

/** $HCERT_LEDGER, else the user's data directory: $XDG_DATA_HOME/hcert/ledger.sqlite or ~/.local/share/hcert/ledger.sqlite. */
export function defaultLedgerPath(): string {
  const fromEnv = process.env[LEDGER_ENV]
  if (fromEnv) return fromEnv
  const dataHome = process.env.XDG_DATA_HOME || join(homedir(), '.local', 'share')
  return join(dataHome, 'hcert', 'ledger.sqlite')
}
