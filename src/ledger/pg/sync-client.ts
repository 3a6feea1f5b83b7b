/**
 * A PostgreSQL connection that answers synchronously: `pg` (node-postgres) runs on a thread of its
 * own, and the calling thread waits for each answer on a shared flag (Atomics.wait), then takes it
 * from a message port (receiveMessageOnPort). The ledger's callers (issue's chunk preparation, renew,
 * stats, export) are synchronous with SQLite; this keeps one synchronous ledger interface for both
 * engines, and costs ~50 µs a call over the network round trip itself, which is once a chunk.
 * Errors come back as plain objects: `code` (PostgreSQL's SQLSTATE, or a system error code such
 * as ECONNREFUSED) and `message`, never the connection's password. A query on a connection the
 * server ended (pg_terminate_backend, a shutdown) or that was cut comes back as the server's word on
 * it (57P01), else as `CONNECTION_LOST`, never as a bare EPIPE or an error without a code.
 */
import { createRequire } from 'node:module'
import { MessageChannel, receiveMessageOnPort, Worker, type MessagePort } from 'node:worker_threads'
import type { SslSettings } from './ssl-settings.js'

/** What the thread is given to connect: pg's client configuration, as plain data. */
export interface PgConnectionConfig {
  connectionString?: string
  host?: string
  port?: number
  user?: string
  database?: string
  password?: string
  /** ms to wait for the server before giving up (pg's connectionTimeoutMillis) */
  connectionTimeoutMillis?: number
  application_name?: string
  /** SSL as libpq takes it (ssl-settings.ts); absent: pg's own reading of the URL and $PGSSLMODE */
  sslPlan?: SslSettings
}

export interface PgFailure {
  code: string
  message: string
  /** SQLSTATE class 40 (deadlock, serialization): the statement may be run again */
  retry?: boolean
}

export class PgFailureError extends Error {
  readonly code: string
  constructor(failure: PgFailure) {
    super(failure.message)
    this.name = 'PgFailureError'
    this.code = failure.code
  }
}

/**
 * The thread's code, as a string so that it runs the same from the sources and the build. bigint
 * (int8) and numeric come back as numbers: ids, seconds and counts all fit in 2^53. The password,
 * when neither the URL nor PGPASSWORD gives one, comes from ~/.pgpass (or $PGPASSFILE) through the
 * `pgpass` module `pg` itself depends on, as libpq would read it (given to pg as its password
 * function: pg's own .pgpass path prints a DeprecationWarning on every connection).
 */
const THREAD = `
const { workerData } = require('node:worker_threads')
const { Client, types } = require(workerData.pg)
const { port, flag, config } = workerData
const signal = new Int32Array(flag)
const parse = (v) => (v === null ? null : Number(v))
const typeParsers = { getTypeParser: (oid, format) => (oid === 20 || oid === 1700 ? parse : types.getTypeParser(oid, format)) }
const answer = (message) => {
  port.postMessage(message)
  // a counter, not a flag: a late notify of an earlier answer must not pass for this one's
  Atomics.add(signal, 0, 1)
  Atomics.notify(signal, 0)
}
// the error that broke the connection while it was idle (the server ended the session: 57P01 after
// pg_terminate_backend or a shutdown; the socket closed), which pg reports only as an 'error' event
let broken
// a query on a connection that is gone fails without a SQLSTATE ('not queryable', 'Connection
// terminated unexpectedly', EPIPE, ECONNRESET): it is reported as the server's own word on why
// (57P01), else as CONNECTION_LOST
const lost = (err) => {
  const code = err && err.code
  if (code && code !== 'EPIPE' && code !== 'ECONNRESET') return false
  return broken !== undefined || /not queryable|terminated|EPIPE|ECONNRESET|write after end|closed/i.test(String(err && err.message) + String(code))
}
const failure = (err, query) => {
  let code = String((err && err.code) || 'UNKNOWN')
  let message = String((err && err.message) || err)
  if (query && lost(err)) {
    const why = broken && broken.code && /^[0-9A-Z]{5}$/.test(String(broken.code)) ? broken : undefined
    code = why ? String(why.code) : 'CONNECTION_LOST'
    message = why ? String(why.message) : message
  }
  return { code, message, retry: code === '40P01' || code === '40001' }
}
let client
// pg's own reading of .pgpass prints a DeprecationWarning (pg 8.x) on stderr; the same module,
// called here, reads the same file the same way, silently
const passwordFromFile = () =>
  new Promise((resolve) => {
    try {
      const pgpass = require(require.resolve('pgpass', { paths: [workerData.pg] }))
      const params = { host: client.host, port: client.port, database: client.database, user: client.user }
      pgpass(params, (pass) => resolve(pass))
    } catch {
      resolve(undefined)
    }
  })
// node's TLS options for an sslmode (ssl-settings.ts): false for no SSL
const tlsFor = (plan, withSsl) => {
  if (!withSsl) return false
  const files = {}
  if (plan.ca !== undefined) files.ca = plan.ca
  if (plan.cert !== undefined) files.cert = plan.cert
  if (plan.key !== undefined) files.key = plan.key
  if (plan.mode === 'verify-full') return { ...files, rejectUnauthorized: true }
  if (plan.mode === 'verify-ca') return { ...files, rejectUnauthorized: true, checkServerIdentity: () => undefined }
  return { ...files, rejectUnauthorized: false }
}
// whether the last attempt's socket was accepted (pg's connection emits 'connect' once it is)
let accepted = false
const connectOnce = async (ssl) => {
  const { sslPlan, ...rest } = config
  client = new Client({ ...rest, ...(sslPlan ? { ssl } : {}), types: typeParsers })
  accepted = false
  client.connection.once('connect', () => { accepted = true })
  // no password in the URL, the config or PGPASSWORD (pg's connection string parsing leaves null)
  if (config.password !== undefined) client.password = config.password
  else if (client.password === null || client.password === undefined) client.password = passwordFromFile
  broken = undefined
  client.on('error', (err) => { broken = broken || err })
  await client.connect()
}
// libpq's fallbacks: prefer tries SSL, then without when the server has none; allow tries
// without, then SSL when the server refuses a connection without it (pg_hba.conf hostssl)
const connect = async () => {
  const plan = config.sslPlan
  if (!plan) return connectOnce(undefined)
  const first = plan.mode !== 'disable' && plan.mode !== 'allow'
  try {
    await connectOnce(tlsFor(plan, first))
  } catch (err) {
    const noSsl = /does not support SSL/i.test(String(err && err.message))
    const needsSsl = err && err.code === '28000' && /no encryption|SSL off/i.test(String(err.message))
    if (plan.mode === 'prefer' && noSsl) return connectOnce(false)
    if (plan.mode === 'allow' && needsSsl) return connectOnce(tlsFor(plan, true))
    throw err
  }
}
port.on('message', async (request) => {
  if (request.op === 'close') {
    try { if (client) await client.end() } catch {}
    answer({ ok: true })
    port.close()
    return
  }
  try {
    if (request.op === 'connect') {
      try {
        await connect()
      } catch (err) {
        // pg's own connectionTimeoutMillis ends with a plain Error: the server did not accept in
        // time, or accepted and sent nothing a PostgreSQL server sends at once (its answer to the
        // SSL request or the startup message): another program on the port (python3 -m http.server)
        const text = String(err && err.message)
        if (!(err && err.code) && /timeout/i.test(text) && accepted)
          throw Object.assign(new Error('it accepted the connection but sent no reply within ' + config.connectionTimeoutMillis / 1000 + ' s, where PostgreSQL answers at once; a server merely too busy to answer may be given longer with PGCONNECT_TIMEOUT (seconds)'), { code: 'NOT_POSTGRES' })
        if (!(err && err.code) && /timeout/i.test(text))
          throw Object.assign(new Error('the server did not accept the connection within ' + config.connectionTimeoutMillis / 1000 + ' s'), { code: 'ETIMEDOUT' })
        // accepted, then closed or answered what PostgreSQL never does (an HTTP server, a proxy):
        // the same whether pg saw the reset (ECONNRESET) or only the end (no code)
        if ((err && err.code === 'ECONNRESET') || (!(err && err.code) && /terminated unexpectedly|error establishing an SSL connection/i.test(text)))
          throw Object.assign(new Error(text), { code: 'NOT_POSTGRES' })
        throw err
      }
      answer({ ok: true, info: { host: client.host, port: client.port, database: client.database, user: client.user } })
      return
    }
    const results = []
    for (const q of request.queries) {
      const r = await client.query({ text: q.text, values: q.values, rowMode: q.rowMode })
      results.push(r.rows)
    }
    answer({ ok: true, results })
  } catch (err) {
    answer({ ok: false, error: failure(err, request.op === 'query') })
  }
})
`

export interface Query {
  text: string
  values?: unknown[]
  rowMode?: 'array'
}

export interface ConnectionInfo {
  host: string
  port: number
  database: string
  user: string
}

/** One connection to a PostgreSQL server, on its own thread, answering synchronously. */
export class SyncPgClient {
  private readonly worker: Worker
  private readonly port: MessagePort
  private readonly signal: Int32Array
  private readonly timeoutMs: number
  private closed = false
  /** where the connection went (as pg resolved the URL and the PG* variables) */
  info: ConnectionInfo | undefined

  /** `timeoutMs`: how long one call may take before it is given up (the thread is then stopped) */
  constructor(config: PgConnectionConfig, timeoutMs: number) {
    const flag = new SharedArrayBuffer(4)
    this.signal = new Int32Array(flag)
    const { port1, port2 } = new MessageChannel()
    this.port = port1
    this.timeoutMs = timeoutMs
    const pg = createRequire(import.meta.url).resolve('pg')
    this.worker = new Worker(THREAD, {
      eval: true,
      workerData: { pg, port: port2, flag, config },
      transferList: [port2],
      resourceLimits: { maxOldGenerationSizeMb: 256 },
    })
    this.worker.unref()
    this.port.unref()
  }

  /**
   * Connects; throws PgFailureError (ECONNREFUSED, 28P01 password authentication failed, …).
   * `limitMs`: how long the thread may take to start and connect (default: the calls' limit); pg's
   * own connectionTimeoutMillis should come first, so that its answer is the one reported.
   */
  connect(limitMs = this.timeoutMs): ConnectionInfo {
    const { info } = this.call({ op: 'connect' }, limitMs) as { info: ConnectionInfo }
    this.info = info
    return info
  }

  /** Runs the queries one after the other on the connection; the rows of each. */
  run(queries: Query[]): unknown[][] {
    return (this.call({ op: 'query', queries }) as { results: unknown[][] }).results
  }

  query<T = Record<string, unknown>>(text: string, values?: unknown[]): T[] {
    return this.run([{ text, ...(values ? { values } : {}) }])[0] as T[]
  }

  private call(request: object, limitMs = this.timeoutMs): unknown {
    if (this.closed) throw new PgFailureError({ code: 'CLOSED', message: 'the connection is closed' })
    this.port.postMessage(request)
    // The thread posts its answer, then counts up and wakes this one. A wake-up may be an earlier
    // answer's late notify (the thread was paused between its count and its notify, as happens on
    // a loaded machine): so the port is looked at after each wake-up, until the answer or the limit.
    const deadline = performance.now() + limitMs
    let reply: { ok: true; [k: string]: unknown } | { ok: false; error: PgFailure } | undefined
    for (;;) {
      const seen = Atomics.load(this.signal, 0)
      reply = receiveMessageOnPort(this.port)?.message as typeof reply
      const left = deadline - performance.now()
      if (reply || left <= 0) break
      Atomics.wait(this.signal, 0, seen, left)
    }
    if (!reply) {
      this.stop()
      throw new PgFailureError({
        code: 'ETIMEDOUT',
        message: `no answer from the server within ${Math.round(limitMs / 1000)} s`,
      })
    }
    if (!reply.ok) throw new PgFailureError(reply.error)
    return reply
  }

  private stop(): void {
    this.closed = true
    void this.worker.terminate()
  }

  /** Ends the session (what was committed stays committed) and stops the thread. Never throws. */
  close(): void {
    if (this.closed) return
    try {
      this.call({ op: 'close' })
    } catch {
      // closing is best effort: the server ends the session when the socket goes
    }
    this.stop()
  }
}
