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

/** The URL without its password (nor a `password=` parameter): what messages and --json may show. */
export function redactUrl(spec: string): string {
  try {
    const url = new URL(spec)
    url.password = ''
    url.searchParams.delete('password')
    return url.toString()
  } catch {
    return spec.replace(/(\/\/[^:/@]*):[^@]*@/, '$1@').replace(/([?&]password=)[^&]*/gi, '$1…')
  }
}

/** host:port the connection goes to, as pg would resolve it (URL, else PGHOST/PGPORT, else localhost:5432). */
export function targetOf(spec: string): string {
  let host = ''
  let port = ''
  try {
    const url = new URL(spec)
    host = decodeURIComponent(url.hostname)
    port = url.port
  } catch {
    // left to the environment
  }
  return `${host || process.env.PGHOST || 'localhost'}:${port || process.env.PGPORT || '5432'}`
}

/** sslmode values libpq knows (and pg's `no-verify`) */
const SSL_MODES = ['disable', 'allow', 'prefer', 'require', 'verify-ca', 'verify-full', 'no-verify']

/**
 * The URL's sslmode when it is not one libpq knows (pg would take any other value for "use SSL"
 * and report the server's refusal of SSL instead); undefined when it is one, or none is given.
 */
export function unknownSslMode(spec: string): string | undefined {
  let mode: string | null
  try {
    mode = new URL(spec).searchParams.get('sslmode')
  } catch {
    return undefined
  }
  return mode === null || SSL_MODES.includes(mode) ? undefined : mode
}
