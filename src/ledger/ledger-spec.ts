/**
 * What a ledger spec (--ledger, $HCERT_LEDGER, an argument of `ledger copy`) names, decided before
 * anything is created or reached: a PostgreSQL server for a `postgres://` or `postgresql://` URL,
 * else a SQLite file. A value that is neither a postgres URL nor a plausible file name, but reads as
 * a server address (a mistyped URL, another scheme, a `user:password@host`, libpq's `key=value`
 * string, a URL with spaces around it), is refused (ERR_LEDGER) instead of becoming a SQLite file
 * named after it, with the password in its name. redactLedgerSpec is what every message shows of a
 * spec: never a password.
 */
import { DccError } from '../errors.js'
import { isPostgresUrl, redactUrl } from './pg/url.js'

/** the form hcert expects, for the messages */
export const LEDGER_FORMS =
  "hcert takes a PostgreSQL ledger as postgres://user@host:port/db (or postgresql://; the password in PGPASSWORD or ~/.pgpass, or percent-encoded in the URL), and a SQLite ledger as a file's path"

const NAMES = '(?:pg|postgres|postgresql|psql)'

/**
 * `spec` as messages may show it: a postgres URL rebuilt from its parts that hold no secret
 * (redactUrl); anything else refused as a server address with what reads as a password masked
 * (`user:***@host`; after a scheme, `user:***` before the path when there is no `@`; `password=***`, `passwd=***`, `pwd=***`).
 * A file path is unchanged.
 */
export function redactLedgerSpec(spec: string): string {
  if (isPostgresUrl(spec)) return redactUrl(spec)
  let shown = spec.replace(
    /((?:ssl)?(?:password|passwd|passphrase|pwd|pass|secret|token)\s*[=:]\s*)('[^']*'?|[^&\s]*)/gi,
    '$1***',
  )
  // after a scheme (`pg://`, `postgres:`, `postgres//`) or from the start: user:password@host
  const head = new RegExp(`^\\s*(?:[a-z][a-z0-9+.-]*://|${NAMES}:/*|${NAMES}/+)`, 'i').exec(shown)?.[0] ?? ''
  const rest = shown.slice(head.length)
  const at = rest.lastIndexOf('@')
  const colon = at < 0 ? -1 : rest.indexOf(':')
  if (colon >= 0 && colon < at) shown = `${head}${rest.slice(0, colon + 1)}***${rest.slice(at)}`
  // a scheme, then user:password and no @ (`pg://hcert:secret/db`): what follows the colon up to the
  // path, unless it is a port number
  else if (head !== '' && at < 0)
    shown = `${head}${rest.replace(/^([^:/?#\s]*):(?!\d+(?:[/?#]|$))[^/?#\s]*/, '$1:***')}`
  return shown
}

/** Why `value` (trimmed) reads as a server's address rather than a file; undefined when it does not. */
function serverLike(value: string): string | undefined {
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(value)) return 'hcert reads only postgres:// and postgresql:// URLs'
  if (new RegExp(`^${NAMES}(?::|//|/[^/]*[@:])`, 'i').test(value))
    return 'it reads as a PostgreSQL URL with a mistyped scheme (postgres:// has a colon and two slashes)'
  if (/(?:^|\s)(?:host|hostaddr|port|dbname|user|password|sslmode|service)\s*=/i.test(value))
    return "hcert does not read libpq's key=value connection strings"
  if (/[^\s@:/]+:[^\s@]*@[^\s@/]+/.test(value))
    return 'it reads as user:password@host, a server address without its postgres:// scheme'
  // `sqlite:`, `sqlite:ledger.db`, `file:ledger.db`, `mysql:…`: a scheme, not a file's name
  if (/^[a-z][a-z0-9+.-]*:/i.test(value))
    return 'it begins with a scheme (word:); a SQLite ledger is given as a plain path (ledger.sqlite), and a file whose name holds a colon as ./name'
  return undefined
}

/**
 * ERR_LEDGER (exit 2) when `spec` reads as a server address that is not a postgres URL hcert takes,
 * or as one with spaces around it; `source` begins the message and names where it came from
 * (`ledger: --ledger`, `ledger: $HCERT_LEDGER`).
 * Nothing is created or reached before this check.
 */
export function checkLedgerSpec(spec: string, source = 'ledger: --ledger'): void {
  const trimmed = spec.trim()
  const why =
    trimmed !== spec && (isPostgresUrl(trimmed) || serverLike(trimmed))
      ? 'it has spaces around it (an extra space in the quotes, or a copied line?)'
      : isPostgresUrl(spec)
        ? undefined
        : serverLike(spec)
  if (why === undefined) return
  throw new DccError(
    'ERR_LEDGER',
    `${source} ${JSON.stringify(redactLedgerSpec(trimmed))} is neither a PostgreSQL URL hcert reads nor a ledger file: ${why}. ${LEDGER_FORMS}. Nothing was created`,
  )
}
