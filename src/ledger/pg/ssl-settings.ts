/**
 * SSL for a PostgreSQL ledger as libpq takes it (PostgreSQL docs §34.19 "SSL Support", table 34.1):
 * `sslmode` in the URL, else $PGSSLMODE, else prefer. disable: no SSL; allow: without SSL first,
 * then with it if the server asks; prefer: SSL first, then without if the server has none;
 * require: SSL, the server not verified (verify-ca when a root certificate is given, as libpq);
 * verify-ca: the server's certificate signed by the root; verify-full: and its name the host's.
 * pg's own `ssl=true|1|false|0` URL parameter is taken as require or disable. The certificate, key
 * and root files (`sslcert`, `sslkey`, `sslrootcert` in the URL, else $PGSSLCERT, $PGSSLKEY,
 * $PGSSLROOTCERT) are read here, so that a missing one is named. ERR_LEDGER for any value libpq
 * would refuse, every occurrence of a parameter checked.
 */
import { readFileSync } from 'node:fs'
import { DccError } from '../../errors.js'

export type SslMode = 'disable' | 'allow' | 'prefer' | 'require' | 'verify-ca' | 'verify-full' | 'no-verify'

/** sslmode values libpq knows (and pg's `no-verify`: SSL, the server not verified) */
const SSL_MODES: readonly string[] = [
  'disable',
  'allow',
  'prefer',
  'require',
  'verify-ca',
  'verify-full',
  'no-verify',
]

/** What the connection thread is given: plain data (it builds node's TLS options from it). */
export interface SslSettings {
  mode: SslMode
  /** where the mode came from, for messages: `sslmode=require in the URL`, `$PGSSLMODE (require)`, or `the default (prefer)` */
  from: string
  /** PEM texts read from the files named */
  ca?: string
  cert?: string
  key?: string
}

/** the URL parameters hcert reads itself (pg is given the URL without them) */
export const SSL_PARAMS = ['sslmode', 'ssl', 'sslcert', 'sslkey', 'sslrootcert']

const FILES = [
  ['sslrootcert', 'PGSSLROOTCERT', 'ca'],
  ['sslcert', 'PGSSLCERT', 'cert'],
  ['sslkey', 'PGSSLKEY', 'key'],
] as const

/**
 * The SSL settings of `spec` (a postgres:// URL pg can read) and the environment; `where` is the
 * redacted URL for messages. ERR_LEDGER for an unknown sslmode (in the URL, or in $PGSSLMODE when
 * the URL gives none), an `ssl=` value that is not true/false/1/0, or a file that cannot be read.
 */
export function sslSettings(spec: string, where: string, env: NodeJS.ProcessEnv = process.env): SslSettings {
  const params = new URL(spec).searchParams
  const refuse = (message: string): never => {
    throw new DccError('ERR_LEDGER', `ledger: ${where}: ${message}`)
  }
  const modes = params.getAll('sslmode')
  const ssl = params.getAll('ssl')
  let mode: SslMode
  let from: string
  if (modes.length > 0) {
    for (const m of modes)
      if (!SSL_MODES.includes(m))
        refuse(
          `the sslmode in the URL is not one libpq knows. Use sslmode=disable, allow, prefer, require, verify-ca or verify-full (or leave it out)`,
        )
    mode = modes[modes.length - 1] as SslMode
    from = `sslmode=${mode} in the URL`
  } else if (ssl.length > 0) {
    for (const s of ssl)
      if (!['true', '1', 'false', '0'].includes(s))
        refuse(
          `ssl= in the URL is true, false, 1 or 0; for more, use sslmode=disable, allow, prefer, require, verify-ca or verify-full`,
        )
    const last = ssl[ssl.length - 1] as string
    mode = last === 'true' || last === '1' ? 'require' : 'disable'
    from = `ssl=${last} in the URL`
  } else if (env.PGSSLMODE) {
    if (!SSL_MODES.includes(env.PGSSLMODE))
      refuse(
        `$PGSSLMODE is not an sslmode libpq knows. Set it to disable, allow, prefer, require, verify-ca or verify-full (or unset it)`,
      )
    mode = env.PGSSLMODE as SslMode
    from = `$PGSSLMODE (${mode})`
  } else {
    mode = 'prefer'
    from = 'the default (prefer)'
  }
  const settings: SslSettings = { mode, from }
  for (const [param, variable, field] of FILES) {
    const inUrl = params.getAll(param)
    const path = inUrl.length > 0 ? inUrl[inUrl.length - 1] : env[variable] || undefined
    if (path === undefined || mode === 'disable') continue
    const named = inUrl.length > 0 ? `${param}=${path} in the URL` : `$${variable} (${path})`
    try {
      settings[field] = readFileSync(path, 'utf8')
    } catch (cause) {
      const code = (cause as NodeJS.ErrnoException).code ?? 'error'
      throw new DccError(
        'ERR_LEDGER',
        `ledger: ${where}: the ${field === 'ca' ? 'root certificate' : field === 'cert' ? 'client certificate' : 'client key'} file ${named} cannot be read (${code}). Check the path, or leave ${param} out`,
        { cause },
      )
    }
  }
  // libpq: require with a root certificate verifies the server's certificate as verify-ca does
  if (mode === 'require' && settings.ca !== undefined) settings.mode = 'verify-ca'
  return settings
}

/** `spec` without the SSL parameters, for pg (which would otherwise read them its own way). */
export function withoutSslParams(spec: string): string {
  const url = new URL(spec)
  for (const name of SSL_PARAMS) url.searchParams.delete(name)
  return url.toString()
}
