/**
 * The ledger a --ledger value (or $HCERT_LEDGER) names: a PostgreSQL server for a `postgres://` or
 * `postgresql://` URL, else a SQLite file.
 */
import { existsSync } from 'node:fs'
import { DccError } from '../errors.js'
import { checkLedgerEnv } from './env-number.js'
import { existingLedgerPath } from '../services/ledger-path.js'
import { Ledger } from './ledger.js'
import { PostgresLedger } from './pg/postgres-ledger.js'
import { isPostgresUrl } from './pg/url.js'
import { checkLedgerSpec } from './ledger-spec.js'
import type { LedgerStore } from './store.js'

export interface OpenLedgerOptions {
  /** only issue and ledger copy create a ledger; the other commands need one that exists (ERR_LEDGER) */
  create: boolean
  /**
   * stats, export and dry runs: a SQLite file opened read only (one the user may only read is
   * enough, and nothing is migrated); a server ledger is only read by them anyway
   */
  readOnly?: boolean
  /**
   * dry runs: a ledger that does not exist yet (no SQLite file, a PostgreSQL database without
   * tables) is an empty one in memory, and nothing is created
   */
  absentAsEmpty?: boolean
}

export function openLedger(spec: string, options: OpenLedgerOptions): LedgerStore {
  // settings in the environment are checked before any file is touched or server reached
  checkLedgerEnv()
  // a mistyped server address never becomes a SQLite file named after it
  checkLedgerSpec(spec)
  if (isPostgresUrl(spec))
    try {
      return new PostgresLedger(spec, { create: options.create, readOnly: options.readOnly ?? false })
    } catch (err) {
      if (options.absentAsEmpty && err instanceof DccError && err.details?.noLedger === true)
        return new Ledger(':memory:')
      throw err
    }
  if (options.absentAsEmpty && !existsSync(spec)) return new Ledger(':memory:')
  return new Ledger(options.create ? spec : existingLedgerPath(spec), { readOnly: options.readOnly ?? false })
}

/** The file a ledger spec names, for the checks that no output overwrites it; none for a server. */
export function ledgerFileOf(spec: string): string | undefined {
  checkLedgerSpec(spec)
  return isPostgresUrl(spec) ? undefined : spec
}
