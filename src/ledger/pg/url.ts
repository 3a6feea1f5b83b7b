/**
 * PostgreSQL ledger addresses: `postgres://` or `postgresql://` URLs, as libpq takes them
 * (`postgres://user@host:port/db`, every part optional: what the URL leaves out comes from PGHOST,
 * PGPORT, PGUSER, PGDATABASE and PGPASSWORD, then ~/.pgpass, as psql does). What hcert prints of
 * an address never holds its password (redactUrl).
 */

/** Whether a --ledger value names a PostgreSQL server rather than a SQLite file. */
export function isPostgresUrl(spec: string): boolean {
  return /^postgres(ql)?:\/\//i.test(spec)
}

/**
 * Query parameters shown as given: none carries a secret. Any other parameter (password, passwd,
 * sslpassword, a misspelt key, …) is shown by its name alone, its value masked.
 */
const SHOWN_PARAMS = new Set([
  'host',
  'hostaddr',
  'port',
  'dbname',
  'sslmode',
  'ssl',
  'sslrootcert',
  'sslcert',
  'sslkey',
  'sslnegotiation',
  'connect_timeout',
  'application_name',
  'options',
  'target_session_attrs',
  'client_encoding',
  'keepalives',
  'uselibpqcompat',
])

/** a user or database name that cannot hold a password typed in the wrong place (no `:`, `@`, `/`, space) */
export function plainName(value: string): boolean {
  return /^[\p{L}\p{N}_.$-]{1,63}$/u.test(value)
}

const decoded = (value: string): string => {
  try {
    return decodeURIComponent(value)
  } catch {
    return value
  }
}

/**
 * `spec` read as WHATWG URLs read it, or, as pg does, with a placeholder host where it has none
 * (`postgres://user@/db?host=/socket`); undefined when neither reads it.
 */
function parsed(spec: string): { url: URL; host: string } | undefined {
  try {
    const url = new URL(spec)
    return { url, host: url.host }
  } catch {
    try {
      return { url: new URL(spec.replace('@/', '@placeholder.invalid/')), host: '' }
    } catch {
      return undefined
    }
  }
}

/**
 * What messages and --json show of a postgres URL: rebuilt from its parts, never echoed. The
 * scheme, the user (when a plain name), the host and port, the database (when a plain name, else
 * `…`), and the query with every value masked (`***`) but those of SHOWN_PARAMS; never a password,
 * in whatever place it was typed (`user:password@`, `?password=`, `?passwd=`, `?user=a:b`, the path
 * of `postgres:///user:password@host/db`, a fragment). A URL that cannot be read at all is not
 * shown: `postgres://… (not shown: …)`.
 */
export function redactUrl(spec: string): string {
  const scheme = /^(postgres(?:ql)?):\/\//i.exec(spec)?.[1]?.toLowerCase() ?? 'postgres'
  const read = parsed(spec)
  // an `@` after the host (postgres:///user:password@host/db, or a password holding a `/`): the
  // parts are not where they seem, so none is shown
  if (!read || read.url.pathname.includes('@'))
    return `${scheme}://… (not shown: hcert cannot read this URL, and it may hold a password)`
  const { url, host } = read
  const user = decoded(url.username)
  const database = decoded(url.pathname.replace(/^\//, ''))
  const query: string[] = []
  for (const [key, value] of url.searchParams) {
    const name = key.toLowerCase()
    if (!/^[a-z_]{1,40}$/.test(name)) query.push('***')
    else if (name === 'user') query.push(plainName(value) ? `user=${encodeURIComponent(value)}` : 'user=***')
    else if (SHOWN_PARAMS.has(name)) query.push(`${key}=${encodeURIComponent(value).replace(/%2F/gi, '/')}`)
    else query.push(`${key}=***`)
  }
  return (
    `${scheme}://` +
    (user === '' ? '' : plainName(user) ? `${encodeURIComponent(user)}@` : '***@') +
    host +
    (database === '' ? '' : plainName(database) ? `/${encodeURIComponent(database)}` : '/…') +
    (query.length > 0 ? `?${query.join('&')}` : '')
  )
}

/**
 * Why the URL's path is no database name (`postgres:///user:password@host/db`, with a third slash,
 * makes `user:password@host/db` the database): undefined when it is one.
 */
export function badUrlPath(spec: string): string | undefined {
  const path = parsed(spec)?.url.pathname.replace(/^\//, '') ?? ''
  if (path.includes('@') || path.includes('/'))
    return 'what follows the host is not a database name (an @ or a / in it: a third slash after postgres:, or a / or @ in the password not percent-encoded as %2F and %40?)'
  return undefined
}

/**
 * Where the connection goes, as pg would resolve it (URL host or `?host=`, else PGHOST, else
 * localhost; URL port, else PGPORT, else 5432): `host:port`, or the socket file
 * (`/var/run/postgresql/.s.PGSQL.5432`) for a host that is a folder.
 */
export function targetOf(spec: string, env: NodeJS.ProcessEnv = process.env): string {
  let host = ''
  let port = ''
  try {
    const url = new URL(spec)
    // the query's host= and port= win over the address's, as libpq and pg-connection-string take
    // them (the last one given, when one is given twice)
    host = lastParam(url, 'host') || decodeURIComponent(url.hostname)
    port = lastParam(url, 'port') || url.port
  } catch {
    // an address WHATWG URLs refuse (`postgres://user@/db?host=/socket`): its parameters alone
    const param = (name: string): string => {
      const m = new RegExp(`[?&]${name}=([^&#]*)`).exec(spec)
      try {
        return m ? decodeURIComponent(m[1] ?? '') : ''
      } catch {
        return ''
      }
    }
    host = param('host')
    port = param('port')
  }
  const h = host || env.PGHOST || 'localhost'
  const p = port || env.PGPORT || '5432'
  return h.startsWith('/') ? `${h.replace(/\/+$/, '')}/.s.PGSQL.${p}` : `${h}:${p}`
}

/** the last non-empty value of the query parameter `name` (pg reads the last), or '' */
function lastParam(url: URL, name: string): string {
  return url.searchParams.getAll(name).at(-1) ?? ''
}

/**
 * $PGPORT when the URL gives no port and it is not a port number (1-65535); undefined otherwise.
 */
export function badEnvPort(spec: string, env: NodeJS.ProcessEnv = process.env): string | undefined {
  try {
    const url = new URL(spec)
    if (url.port || url.searchParams.get('port')) return undefined
  } catch {
    return undefined
  }
  const given = env.PGPORT?.trim()
  if (!given) return undefined
  const port = /^\d+$/.test(given) ? Number(given) : Number.NaN
  return port >= 1 && port <= 65535 ? undefined : given
}

/**
 * The URL's port (`:0` after the host, or `?port=`) when it is not a port number (1-65535); undefined
 * otherwise. WHATWG URLs take port 0, where pg would try to connect and be refused.
 */
export function badUrlPort(spec: string): string | undefined {
  let given: string
  try {
    const url = new URL(spec)
    given = lastParam(url, 'port') || url.port
  } catch {
    return undefined
  }
  if (given === '') return undefined
  const port = /^\d+$/.test(given) ? Number(given) : Number.NaN
  return port >= 1 && port <= 65535 ? undefined : given
}

/** Whether WHATWG URLs read `spec` (pg reads some that they do not: `postgres://user@/db?host=/socket`). */
export function readableUrl(spec: string): boolean {
  try {
    new URL(spec)
    return true
  } catch {
    return false
  }
}

/**
 * Where the SSL setting comes from: `sslmode=… in the URL`, `ssl=… in the URL` or `$PGSSLMODE`
 * (pg reads $PGSSLMODE only when the URL says nothing of SSL); undefined when nothing asks.
 */
export function sslSource(spec: string, env: NodeJS.ProcessEnv = process.env): string | undefined {
  let params: URLSearchParams | undefined
  try {
    params = new URL(spec).searchParams
  } catch {
    return undefined
  }
  const mode = params.get('sslmode')
  if (mode !== null) return `sslmode=${mode} in the URL`
  const ssl = params.get('ssl')
  if (ssl !== null) return `ssl=${ssl} in the URL`
  return env.PGSSLMODE ? `$PGSSLMODE (${env.PGSSLMODE})` : undefined
}

/** a control character (NUL, a line break, a tab, DEL, …): no user, password, database or setting holds one */
// eslint-disable-next-line no-control-regex -- control characters are what it looks for
const CONTROL = /[\u0000-\u001f\u007f]/

/**
 * Why the URL cannot be sent to the server as it is, checked before connecting; undefined when it
 * can. A list of hosts (libpq's `postgres://user@host1,host2:port/db`, or `?host=a,b`): hcert
 * connects to one server, and pg would take the list for one host name. A control character (a
 * percent-encoded NUL, `%00`, a line break, a tab) in the user, password, database name or a
 * parameter: the server's protocol cannot carry a NUL (the connection broke off) and no name holds
 * the others. The reason names the part, never its value.
 */
export function badUrlParts(spec: string): string | undefined {
  const authority = /^[a-z]+:\/\/([^/?#]*)/i.exec(spec)?.[1] ?? ''
  const hosts = authority.slice(authority.lastIndexOf('@') + 1)
  const read = parsed(spec)
  const params = read?.url.searchParams
  if (hosts.includes(',') || params?.get('host')?.includes(',') || params?.get('hostaddr')?.includes(','))
    return 'it names a list of hosts (host1,host2), which hcert does not support: give one host (the primary server), as postgres://user@host:port/db'
  if (!read) return undefined
  const parts: Array<[string, string]> = [
    ['the user', decoded(read.url.username)],
    ['the password', decoded(read.url.password)],
    ['the database name', decoded(read.url.pathname)],
  ]
  for (const [key, value] of read.url.searchParams)
    parts.push([/^[a-z_]{1,40}$/i.test(key) ? `the parameter ${key}` : 'a parameter', `${key}${value}`])
  const undecodable = notUtf8Part(spec, read.url)
  if (undecodable)
    return `${undecodable} is not valid: it must be percent-encoded UTF-8 (each byte of a character as %XX, as encodeURIComponent gives; a % alone as %25): correct it`
  const bad = parts.find(([, value]) => CONTROL.test(value))
  if (bad)
    return `${bad[0]} holds a control character (a NUL %00, a line break %0A, a tab %09 or another below %20): remove it`
  return undefined
}

/** whether `raw` decodes (percent-decoding to UTF-8) as pg decodes it: a byte not UTF-8 or a stray % does not */
function decodes(raw: string): boolean {
  try {
    decodeURIComponent(raw)
    return true
  } catch {
    return false
  }
}

/**
 * The part of the URL (the user, the password, the database name, a parameter; named, never its
 * value) that is not percent-encoded UTF-8 (`p%E9ss`, Latin-1's é, or `db_%FF`): pg could not
 * decode it (a URIError) or would send U+FFFD in its place. Undefined when every part decodes.
 */
function notUtf8Part(spec: string, url: URL): string | undefined {
  if (!decodes(url.username)) return 'the user'
  if (!decodes(url.password)) return 'the password'
  if (!decodes(url.pathname)) return 'the database name'
  // the query as typed: URLSearchParams would have put U+FFFD in place of what does not decode
  const query = /\?([^#]*)/.exec(spec)?.[1] ?? ''
  for (const pair of query.split('&')) {
    const [key = '', value = ''] = pair.replace(/\+/g, ' ').split(/=(.*)/s)
    if (!decodes(key)) return 'a parameter'
    if (!decodes(value)) return /^[a-z_]{1,40}$/i.test(key) ? `the parameter ${key}` : 'a parameter'
  }
  return undefined
}

/**
 * Why a connection service (pg_service.conf, which psql reads and hcert does not) would have
 * changed where the URL leads; undefined when none is asked for. `?service=` in the URL always;
 * $PGSERVICE when the URL leaves out the host or the database name (which the service would have
 * given, as psql takes them; a URL that names both leads where psql's would).
 */
export function unreadService(spec: string, env: NodeJS.ProcessEnv = process.env): string | undefined {
  const read = parsed(spec)
  if (read?.url.searchParams.has('service'))
    return 'its service parameter names a connection service (pg_service.conf), which hcert does not read: give the host, port, user and database in the URL instead'
  if (!env.PGSERVICE) return undefined
  const host = read ? read.host !== '' || read.url.searchParams.has('host') : false
  const database = read
    ? read.url.pathname.replace(/^\//, '') !== '' || read.url.searchParams.has('dbname')
    : false
  if (host && database) return undefined
  return `$PGSERVICE is set, but hcert does not read connection services (pg_service.conf) as psql does, and the URL leaves out its ${host ? 'database name' : database ? 'host' : 'host and database name'}: give them in the URL (postgres://user@host:port/db), or unset PGSERVICE`
}
