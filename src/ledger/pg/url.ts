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

/** URL parameters that carry a secret: never shown (the key's passphrase, the password) */
const SECRET_PARAMS = ['password', 'sslpassword']

/**
 * The URL without its password nor any secret-bearing parameter (`password=`, `sslpassword=`):
 * what messages and --json may show.
 */
export function redactUrl(spec: string): string {
  try {
    const url = new URL(spec)
    url.password = ''
    for (const name of [...url.searchParams.keys()])
      if (SECRET_PARAMS.includes(name.toLowerCase())) url.searchParams.delete(name)
    return url.toString()
  } catch {
    return spec.replace(/(\/\/[^:/@]*):[^@]*@/, '$1@').replace(/([?&](?:ssl)?password=)[^&]*/gi, '$1…')
  }
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
    host = decodeURIComponent(url.hostname) || url.searchParams.get('host') || ''
    port = url.port || url.searchParams.get('port') || ''
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
    given = url.port || url.searchParams.get('port') || ''
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
