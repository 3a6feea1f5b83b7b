/**
 * The ledger's numeric environment settings (HCERT_LEDGER_TIMEOUT, HCERT_LEDGER_LEASE): whole
 * milliseconds, 1..2147483647 (the largest timer Node and SQLite's busy_timeout take, and what
 * PostgreSQL's statement_timeout and lock_timeout accept). Anything else is ERR_USAGE (exit 2)
 * naming the variable and the range, read before any ledger is opened or any server reached.
 */
import { DccError } from '../errors.js'

/** the largest value a setting in milliseconds may take (2^31 - 1: about 24.8 days) */
export const MAX_MS = 2_147_483_647

/**
 * $`name` as whole milliseconds, or `fallback` when it is unset or empty.
 * @throws DccError ERR_USAGE when it is set to anything but an integer in 1..2147483647
 */
export function envMilliseconds(
  name: string,
  fallback: number,
  env: NodeJS.ProcessEnv = process.env,
): number {
  const given = env[name]?.trim()
  if (given === undefined || given === '') return fallback
  const value = /^\+?\d+$/.test(given) ? Number(given) : Number.NaN
  if (!Number.isSafeInteger(value) || value < 1 || value > MAX_MS)
    throw new DccError(
      'ERR_USAGE',
      `$${name} ${describeBadNumber(given)}: it must be a whole number of milliseconds from 1 to ${MAX_MS} (about 24.8 days); unset it for the default (${fallback} ms)`,
    )
  return value
}

/**
 * What is wrong with `given`, a setting that should be a whole number, for a message: a number is
 * quoted (`is 0`, `is 1.5`), anything else is not (it may be a password pasted into the wrong
 * variable): `is not a number (its value is not shown)`.
 */
export function describeBadNumber(given: string): string {
  return /^[+-]?\d{1,20}(?:\.\d{1,20})?$/.test(given)
    ? `is ${given}`
    : 'is not a number (its value is not shown)'
}

/** Checks every numeric ledger setting at once (ERR_USAGE on the first wrong one). */
export function checkLedgerEnv(env: NodeJS.ProcessEnv = process.env): void {
  envMilliseconds('HCERT_LEDGER_TIMEOUT', 30_000, env)
  envMilliseconds('HCERT_LEDGER_LEASE', 60_000, env)
}
