/**
 * PostgreSQL's failures as ERR_LEDGER errors that say what happened and what to check: the server
 * (host and port), never the password, and never a value the server quotes from the data (SQLSTATE
 * classes 22 and 23 are reported by their code alone).
 */
import { DccError } from '../../errors.js'
import { plainName } from './url.js'
import { committedByRun, NOTHING_COMMITTED, saysRunAgain, timeoutInForce } from '../ledger-error.js'

const WRITTEN =
  'what earlier chunks committed is kept, and a rerun of the same input resumes where this one stopped'

/** what to check for a system error connecting (Node's code), by code */
const SYSTEM_ADVICE: Record<string, string> = {
  ENOTDIR:
    "the socket folder is not a folder: a host that starts with / (?host=/…, $PGHOST) names the folder holding the server's socket, such as /var/run/postgresql, not a file",
  EACCES:
    'permission denied on the socket or its folder: check the folder given as host (?host=/…, $PGHOST) and that this user may use it',
  EPERM:
    'the operation was not permitted (a firewall, or a sandbox): check that this user and machine may connect there',
  ENAMETOOLONG: 'the socket path is too long: give a shorter socket folder (?host=/…, $PGHOST)',
  EADDRNOTAVAIL: 'the address cannot be used from this machine: check the host in the URL or $PGHOST',
}

/** how committedByRun's words start: a writing run's, which had a chunk in flight */
const RUN_WORDS = committedByRun(0).slice(0, 30)

/**
 * Where settings sent at login come from: the URL's `options` parameter (shown in `where`), else
 * $PGOPTIONS, as pg reads them.
 */
function optionsSource(where: string): string {
  if (/[?&]options=/.test(where)) return "the URL's options parameter"
  if (process.env.PGOPTIONS) return '$PGOPTIONS'
  return "the URL's options or $PGOPTIONS (neither is set here: the role's or database's settings?)"
}

/**
 * `cause` (a PgFailureError or a DccError) as ERR_LEDGER; `where` is the redacted URL, `target`
 * host:port. `after`: true for a run that only reads (stats, export, dry runs: no chunks to keep or
 * resume), or the words to say instead (ledger copy).
 */
export function pgLedgerError(
  cause: unknown,
  where: string,
  target: string,
  after: boolean | string = false,
  sslFrom = 'sslmode in the URL',
  /** what to say of the password file (pgpass-file.ts passwordFileNote): missing, or found and ignored */
  passwordFile?: string,
  /** where the URL was given, for the advice: `--ledger, $HCERT_LEDGER` or ledger copy's second argument */
  given = '--ledger, $HCERT_LEDGER',
  /** the lock_timeout in force (HCERT_LEDGER_TIMEOUT), in milliseconds, for 55P03 */
  lockTimeoutMs?: number,
): DccError {
  if (cause instanceof DccError) return cause
  const COMMITTED = typeof after === 'string' ? after : after ? 'nothing was written' : WRITTEN
  const code = String((cause as { code?: unknown })?.code ?? '')
  // the server quotes the user and database it was given ('for user "…"'): one typed with a
  // password in it (?user=a:secret, postgres:///user:secret@host/db) is not shown
  const text = String((cause as Error)?.message ?? cause).replace(/"([^"]*)"/g, (quoted, name: string) =>
    plainName(name) ? quoted : '"…"',
  )
  const at = `ledger: ${where}`
  let message: string
  if (code === 'ERR_INVALID_URL') {
    // the URL could not be read: no host or port of it is known, so none is named
    message = `${at}: the URL is not valid (check its port, 1-65535, and brackets around an IPv6 host). Percent-encode special characters in the user and password (# as %23, ? as %3F, / as %2F, @ as %40, : as %3A)`
  } else if (/password must be a string|no password/i.test(text)) {
    // the note on a file found and ignored says what to do already
    const advice = passwordFile?.includes('set PGPASSWORD')
      ? ''
      : '. Set PGPASSWORD, or put it in ~/.pgpass (or $PGPASSFILE) with mode 0600: a .pgpass that others may read (0644) is ignored, as psql does'
    message = `${at}: the PostgreSQL server at ${target} asks for a password and none was given${passwordFile ? `: ${passwordFile}` : ''}${advice}`
  } else if (/does not support SSL/i.test(text)) {
    message = `${at}: the PostgreSQL server at ${target} does not accept SSL, which ${sslFrom} asks for. Enable ssl on the server, or ask for SSL only when the server has it (sslmode=prefer, or leave it out) or for none (sslmode=disable) on a trusted network`
  } else if (code === 'NOT_POSTGRES') {
    // the silent case says how long it waited (connecting thread); the others, what was seen
    const why = /^it accepted the connection/.test(text)
      ? text
      : 'it closed the connection, or answered something else, at the start'
    message = `${at}: the server at ${target} does not answer as PostgreSQL (${why}); check the port, and the host, in ${given} or $PGHOST/$PGPORT; ${COMMITTED}`
  } else if (
    [
      'ECONNREFUSED',
      'ENOTFOUND',
      'EAI_AGAIN',
      'EHOSTUNREACH',
      'ENETUNREACH',
      'ECONNRESET',
      'ETIMEDOUT',
      'ENOENT', // no socket file in a socket folder (?host=/var/run/postgresql)
    ].includes(code)
  ) {
    // ETIMEDOUT says which wait ran out (pg's connection timeout, or no answer to a call)
    const detail =
      code === 'ETIMEDOUT'
        ? `${code}: ${text}; a server merely slow to accept may be given longer with PGCONNECT_TIMEOUT (seconds)`
        : code
    message = `${at}: cannot reach the PostgreSQL server at ${target} (${detail}). Check that the server is running and accepts connections there (listen_addresses, port, pg_hba.conf), and the host and port in ${given} or $PGHOST/$PGPORT; ${COMMITTED}`
  } else if (code.startsWith('28')) {
    message = `${at}: the PostgreSQL server at ${target} refused the login (${code}: ${text}). Check the user and password (in the URL, $PGUSER/$PGPASSWORD or ~/.pgpass) and pg_hba.conf`
  } else if (code === '3D000') {
    message = `${at}: the database does not exist on ${target} (${code}: ${text}). Create it (createdb), or check the database name in the URL or $PGDATABASE`
  } else if (code === '42501') {
    message = `${at}: permission denied on ${target} (${code}: ${text}). The role in the URL or $PGUSER needs CREATE on the database (and on its schema) for the first issue to make the tables, then SELECT, INSERT, UPDATE and DELETE on them (GRANT …; stats and export need SELECT only); ${COMMITTED}`
  } else if (code === '25006') {
    // a session that may only read: a standby (or an old primary after a failover), or default_transaction_read_only
    message = `${at}: the server at ${target} accepts only reads (${code}: ${text}): a standby (read-only replica), a primary that became one after a failover, or default_transaction_read_only set (in the URL's options, $PGOPTIONS, or for the role or database). Give ${given.replace(/, .*/, '')} the primary server, or remove that setting for hcert's role, and run again; ${COMMITTED}`
  } else if (code === '3F000') {
    message = `${at}: a schema named in the search_path does not exist on ${target} (${code}): check search_path in the URL's options (options=-c search_path=…), $PGOPTIONS, and the role's or database's setting (ALTER ROLE … SET search_path); the default, "$user", public, finds the tables hcert made; ${COMMITTED}`
  } else if (code === '22023') {
    // a setting the server refused (in the URL's options, $PGOPTIONS, the role's): named, its value not quoted
    const parameter = /parameter "([\w.]+)"/.exec(text)?.[1]
    message = `${at}: the server at ${target} refused the value of ${parameter ? `the setting ${parameter}` : 'a setting'} (${code}): check the settings in the URL's options (options=-c name=value, spaces as %20), $PGOPTIONS (${process.env.PGOPTIONS ? 'set' : 'not set'} here), and the role's or database's (ALTER ROLE/DATABASE … SET); hcert sets lock_timeout from HCERT_LEDGER_TIMEOUT itself; ${COMMITTED}`
  } else if (code === '42704' && /configuration parameter/i.test(text)) {
    // a setting the server does not know, sent at login: from the URL's options or $PGOPTIONS
    const parameter = /parameter "([\w.]+)"/.exec(text)?.[1]
    message = `${at}: the server at ${target} does not know the setting ${parameter ?? '(not shown)'} (${code}: unrecognized configuration parameter), which ${optionsSource(where)} sets: correct or remove it (options=-c name=value in the URL, spaces as %20; PGOPTIONS='-c name=value'); ${COMMITTED}`
  } else if (code === '53300') {
    message = `${at}: the server at ${target} has no connection free (${code}: max_connections is reached: many runs at once, or sessions left open). Run again when fewer are connected, or raise max_connections (or put a pooler in front); ${COMMITTED}`
  } else if (code === '53100') {
    message = `${at}: the server at ${target} has no disk space left (${code}): the chunk being written was not committed; ${COMMITTED}. Free space on the server's disk and run again`
  } else if (code.startsWith('53')) {
    message = `${at}: the server at ${target} ran out of resources (${code}: ${text}): the chunk being written was not committed; ${COMMITTED}. Free space or connections on the server and run again`
  } else if (code === '55P03') {
    // the value in force, and "run again" once (COMMITTED may say it already)
    const limit = lockTimeoutMs === undefined ? 'HCERT_LEDGER_TIMEOUT' : timeoutInForce(lockTimeoutMs)
    const advice = saysRunAgain(COMMITTED)
      ? 'Wait for it to finish, or give HCERT_LEDGER_TIMEOUT more'
      : 'Run again once it is done, or give HCERT_LEDGER_TIMEOUT more'
    message = `${at}: this run waited longer than ${limit} for a lock another session on ${target} holds (${code}: ${text}): another hcert run, or a session such as psql in an open transaction. ${advice}; ${COMMITTED}`
  } else if (code === '40P01' || code === '40001') {
    message = `${at}: the server at ${target} stopped this run's statement in favour of another session's (${code}: ${text}). Run again; ${COMMITTED}`
  } else if (code === '57014') {
    message = `${at}: the server at ${target} cancelled this run's statement (${code}: ${text}): the server's or the role's statement_timeout, or an administrator (pg_cancel_backend). Check those settings and run again; ${COMMITTED}`
  } else if (code === '54000') {
    // a value longer than the server's index takes (a batch name of thousands of characters, copied
    // from a SQLite ledger): the same value fails every time
    message = `${at}: a value is too long for the ledger's index on ${target} (${code}: ${text.replace(/".*"/g, '…')}). Running again cannot help: batch names have at most 255 characters (--batch), ids 128; ${COMMITTED}`
  } else if (code === '42703') {
    // a `certificates` table without hcert's columns: another application's database
    message = `${at}: the database on ${target} holds no hcert ledger: its tables are another application's (${code}: ${text}). Check the database name in the URL or $PGDATABASE, or give hcert a database of its own (createdb)`
  } else if (code === '42P01') {
    // a table hcert made is gone (dropped, renamed, a restore of part of the database): running again cannot help
    message = `${at}: the ledger on ${target} is damaged or not complete: one of hcert's tables is missing (${code}: ${text}). Running again cannot help: check whether someone dropped or renamed a table (psql \\dt), or whether a restore left part of the database out, and restore the database from a backup`
  } else if (code === '57P01' || code === 'CONNECTION_LOST' || code === 'EPIPE') {
    // admin_shutdown (pg_terminate_backend, or a fast shutdown), or a connection that went away mid-run:
    // what was in flight is rolled back by the server, unless its commit had gone through
    const why =
      code === '57P01'
        ? 'an administrator ended this session (pg_terminate_backend), or the server is shutting down'
        : 'the server was stopped or restarted, an administrator ended this session, or the network or a proxy cut the connection'
    // a run that writes chunks (not a read, not ledger copy's one transaction) had one in flight
    const chunk =
      after === false ||
      after === NOTHING_COMMITTED ||
      (typeof after === 'string' && after.startsWith(RUN_WORDS))
        ? ' The chunk in flight was rolled back by the server (unless its commit had already gone through, which a rerun finds: nothing is signed twice).'
        : ''
    message = `${at}: the PostgreSQL server at ${target} closed this run's connection (${code === '57P01' ? `${code}: ${text}` : code}): ${why}.${chunk} Run the same command again once the server is back up; ${COMMITTED}`
  } else if (code === '57P02' || code === '57P03') {
    // crash_shutdown, cannot_connect_now (starting up, shutting down, in recovery)
    message = `${at}: the server at ${target} is ${code === '57P03' ? 'starting up, shutting down or in recovery, and takes no connection now' : 'restarting after a crash of one of its processes'} (${code}: ${text}). Run again once it is back up; ${COMMITTED}`
  } else if (code === '57P04') {
    message = `${at}: the database on ${target} was dropped while this run used it (${code}). Check the database name in the URL or $PGDATABASE; ${COMMITTED}`
  } else if (/^08/.test(code) || code === 'CLOSED') {
    message = `${at}: the connection to the server at ${target} broke off (${code}: ${text}): the server restarted, or the network or a proxy cut it. Run again; ${COMMITTED}`
  } else if (/^(57|0A|42|XX)/.test(code)) {
    message = `${at}: PostgreSQL at ${target} failed (${code}: ${text}); ${COMMITTED}`
  } else if (/^E[A-Z]{3,}$/.test(code)) {
    // a system error on the way to the server (Node's code, not a SQLSTATE): named as such
    message = `${at}: the system could not connect to ${target} (system error ${code}: ${SYSTEM_ADVICE[code] ?? 'check the host and port (or socket folder) in the URL, $PGHOST and $PGPORT'}); ${COMMITTED}`
  } else {
    message = `${at}: PostgreSQL at ${target} failed (SQLSTATE ${code || 'unknown'}); ${COMMITTED}`
  }
  return new DccError('ERR_LEDGER', message, { cause })
}
