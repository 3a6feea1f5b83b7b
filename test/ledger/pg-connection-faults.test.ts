/**
 * PostgreSQL connections as a new ops user meets them: HCERT_LEDGER_TIMEOUT bounds waiting for a
 * lock (lock_timeout), not a statement's own work; sslmode as libpq takes it (prefer and allow fall
 * back to no SSL); a port that is not PostgreSQL named as such; an empty database dry-run as SQLite
 * does. Against the real server of $HCERT_TEST_PG_URL (skipped without one, failed in CI).
 */
import { spawn, type ChildProcess } from 'node:child_process'
import { chmodSync, existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs'
import { tmpdir, userInfo } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { Ledger } from '../../src/ledger/ledger.js'
import { copyLedger } from '../../src/services/ledger-copy.js'
import { inlineSigner, type JobSigner } from '../../src/issue/sign-jobs.js'
import { issueCertificates } from '../../src/services/issue.js'
import { pgLedgerError } from '../../src/ledger/pg/pg-error.js'
import { connectTimeoutMs, PostgresLedger } from '../../src/ledger/pg/postgres-ledger.js'
import { SyncPgClient } from '../../src/ledger/pg/sync-client.js'
import { runCli } from '../helpers/cli.js'
import { exampleSigner, KEYS_EXAMPLE } from '../helpers/keys.js'
import { freshPgUrl, PG_AVAILABLE, PG_URL, requirePgInCi } from '../helpers/pg.js'
import { withEnv } from '../helpers/env.js'
import { failure } from '../helpers/failure.js'

requirePgInCi()

/** the test server's URL with `params` added (the test server has no SSL: ssl = off) */
const urlWith = (params: string): string => `${PG_URL}${PG_URL.includes('?') ? '&' : '?'}${params}`

describe.skipIf(!PG_AVAILABLE)('HCERT_LEDGER_TIMEOUT on PostgreSQL', () => {
  it("bounds waiting for a lock, not a statement's own work (as SQLite's busy timeout)", () => {
    const url = freshPgUrl('lock_timeout')
    new PostgresLedger(url, { create: true }).close()
    const ledger = new PostgresLedger(url, { busyTimeoutMs: 5 })
    const other = new SyncPgClient({ connectionString: url }, 30_000)
    try {
      // a statement that works for 200 ms, alone: not cut short by a 5 ms timeout
      expect(ledger.run([{ text: 'SELECT pg_sleep(0.2) AS slept' }])[0]).toHaveLength(1)
      // a lock another session holds: waited for 5 ms, then named truthfully
      other.connect()
      other.query('BEGIN')
      other.query('LOCK TABLE certificates IN ACCESS EXCLUSIVE MODE')
      const err = failure(() => ledger.run([{ text: 'SELECT count(*) FROM certificates' }]))
      expect(err).toMatchObject({ code: 'ERR_LEDGER' })
      expect(err.message).toMatch(/waited longer than HCERT_LEDGER_TIMEOUT .* for a lock another session/)
      expect(err.message).toContain('55P03')
    } finally {
      other.close()
      ledger.close()
    }
  })
})

describe.skipIf(!PG_AVAILABLE)('sslmode as libpq takes it, against a server without SSL', () => {
  const opens = (url: string): boolean => {
    new PostgresLedger(url, { create: true }).close()
    return true
  }

  it.each(['sslmode=prefer', 'sslmode=allow', 'sslmode=disable', 'ssl=false', 'ssl=0'])(
    '%s in the URL connects (prefer falls back to no SSL, as psql)',
    (params) => {
      expect(withEnv({ PGSSLMODE: undefined }, () => opens(urlWith(params)))).toBe(true)
    },
  )

  it.each(['prefer', 'allow', 'disable'])('PGSSLMODE=%s connects', (mode) => {
    expect(withEnv({ PGSSLMODE: mode }, () => opens(PG_URL))).toBe(true)
  })

  it.each(['sslmode=require', 'ssl=true'])('%s is refused naming where SSL was asked for', (params) => {
    const err = withEnv({ PGSSLMODE: undefined }, () => failure(() => opens(urlWith(params))))
    expect(err).toMatchObject({ code: 'ERR_LEDGER' })
    expect(err.message).toContain(`does not accept SSL, which ${params} in the URL asks for`)
  })

  it('every sslmode in the URL is checked (a second, bogus one too); ssl= other than true/false/1/0', () => {
    for (const params of ['sslmode=disable&sslmode=bogus', 'sslmode=bogus&sslmode=disable']) {
      const err = failure(() => opens(urlWith(params)))
      expect(err).toMatchObject({ code: 'ERR_LEDGER' })
      expect(err.message).toContain('the sslmode in the URL is not one libpq knows')
    }
    expect(failure(() => opens(urlWith('ssl=yes'))).message).toMatch(/ssl= in the URL is true, false, 1 or 0/)
  })

  it('a missing certificate, key or root file is named by its parameter (not "cannot reach")', () => {
    for (const param of ['sslcert', 'sslkey', 'sslrootcert']) {
      const err = failure(() => opens(urlWith(`${param}=/nonexistent/file.pem&sslmode=require`)))
      expect(err).toMatchObject({ code: 'ERR_LEDGER' })
      expect(err.message).toContain(`file ${param}=/nonexistent/file.pem in the URL cannot be read (ENOENT)`)
      expect(err.message).not.toMatch(/cannot reach|hcert:hcert/)
    }
    const env = withEnv({ PGSSLROOTCERT: '/nonexistent/root.crt' }, () =>
      failure(() => opens(urlWith('sslmode=verify-full'))),
    )
    expect(env.message).toContain('file $PGSSLROOTCERT (/nonexistent/root.crt) cannot be read')
  })
})

describe('a port that is not PostgreSQL', () => {
  // servers in a process of their own: opening a ledger blocks this thread until the answer
  const SERVERS = `
const net = require('node:net')
const http = net.createServer((s) => s.on('data', () => s.end('HTTP/1.1 400 Bad Request\\r\\n\\r\\n')))
const reset = net.createServer((s) => s.resetAndDestroy())
const closes = net.createServer((s) => s.end())
const silent = net.createServer(() => undefined) // accepts, then never answers (python3 -m http.server waits for a line)
const all = [http, reset, closes, silent]
let up = 0
const ready = () => { if (++up === all.length) console.log(all.map((x) => x.address().port).join(' ')) }
for (const x of all) x.listen(0, '127.0.0.1', ready)
`
  let servers: ChildProcess
  let ports: number[] = []
  beforeAll(async () => {
    servers = spawn(process.execPath, ['-e', SERVERS], { stdio: ['ignore', 'pipe', 'inherit'] })
    ports = await new Promise<number[]>((resolve) =>
      servers.stdout?.once('data', (d: Buffer) => resolve(String(d).trim().split(' ').map(Number))),
    )
  })
  afterAll(() => {
    servers.kill()
  })

  it.each([
    ['answers HTTP', 0],
    ['resets the connection', 1],
    ['closes at once', 2],
  ])(
    'a server that %s: "does not answer as PostgreSQL; check the port", with or without PGCONNECT_TIMEOUT',
    (_what, index) => {
      for (const timeout of [undefined, '2'])
        for (const sslmode of ['prefer', 'disable']) {
          const port = ports[index]
          const err = withEnv({ PGCONNECT_TIMEOUT: timeout, PGSSLMODE: sslmode, PGPASSWORD: 'pw' }, () =>
            failure(() => new PostgresLedger(`postgres://hcert@127.0.0.1:${port}/db`, { readOnly: true })),
          )
          expect(err).toMatchObject({ code: 'ERR_LEDGER' })
          expect(err.message).toContain(`the server at 127.0.0.1:${port} does not answer as PostgreSQL`)
          expect(err.message).toContain('check the port')
          expect(err.message).not.toMatch(/SQLSTATE|UNKNOWN/)
        }
    },
  )

  it('a server that accepts and never answers: "does not answer as PostgreSQL" after PGCONNECT_TIMEOUT (not "cannot reach … did not accept")', () => {
    for (const sslmode of ['prefer', 'disable']) {
      const port = ports[3]
      const err = withEnv({ PGCONNECT_TIMEOUT: '2', PGSSLMODE: sslmode, PGPASSWORD: 'pw' }, () =>
        failure(() => new PostgresLedger(`postgres://hcert@127.0.0.1:${port}/db`, { readOnly: true })),
      )
      expect(err).toMatchObject({ code: 'ERR_LEDGER' })
      expect(err.message).toContain(`the server at 127.0.0.1:${port} does not answer as PostgreSQL`)
      expect(err.message).toContain('accepted the connection but sent no reply within 2 s')
      expect(err.message).toContain('check the port')
      expect(err.message).not.toMatch(/cannot reach|did not accept|ETIMEDOUT/)
    }
  }, 30_000)

  it('PGCONNECT_TIMEOUT beyond what a timer holds is ERR_USAGE (it fired at once, and the message said 99999999999 s)', () => {
    expect(connectTimeoutMs({ PGCONNECT_TIMEOUT: '2147483' })).toBe(2_147_483_000)
    for (const value of ['2147484', '99999999999']) {
      const err = failure(() => connectTimeoutMs({ PGCONNECT_TIMEOUT: value }))
      expect(err).toMatchObject({ code: 'ERR_USAGE' })
      expect(err.message).toContain(
        `$PGCONNECT_TIMEOUT is ${value}: it must be a whole number of seconds up to 2147483`,
      )
    }
  })
})

describe.skipIf(!PG_AVAILABLE)('issue --dry-run against a new, empty PostgreSQL database', () => {
  // the example batch's five good records (the rest are rejected on purpose)
  const BATCH = join(mkdtempSync(join(tmpdir(), 'hcert-pg-dry-')), 'first.csv')
  writeFileSync(
    BATCH,
    readFileSync(join(import.meta.dirname, '..', '..', 'examples', 'batch.csv'), 'utf8')
      .split('\n')
      .slice(0, 6)
      .join('\n'),
  )
  it('checks against an empty ledger in memory and creates nothing, as on SQLite', () => {
    const url = freshPgUrl('dry_run')
    const r = runCli(['issue', BATCH, '--key-dir', KEYS_EXAMPLE, '--ledger', url, '--dry-run', '--json'])
    expect(r.code, r.stdout + r.stderr).toBe(0)
    expect(JSON.parse(r.stdout)).toMatchObject({ dryRun: true })
    expect(JSON.parse(r.stdout).wouldIssue).toBe(5)
    const client = new SyncPgClient({ connectionString: url }, 30_000)
    client.connect()
    try {
      expect(client.query(`SELECT count(*)::int AS n FROM pg_tables WHERE schemaname = 'public'`)).toEqual([
        { n: 0 },
      ])
      // another application's database is still refused (a real run would refuse it too)
      client.query('CREATE TABLE patients (id int)')
    } finally {
      client.close()
    }
    const foreign = runCli([
      'issue',
      BATCH,
      '--key-dir',
      KEYS_EXAMPLE,
      '--ledger',
      url,
      '--dry-run',
      '--json',
    ])
    expect(foreign.code).toBe(2)
    expect(JSON.parse(foreign.stdout).error.message).toContain("another application's database")
  })
})

describe('--batch is at most 255 characters on every command and engine (PostgreSQL indexes it)', () => {
  const tmp = mkdtempSync(join(tmpdir(), 'hcert-batch-'))
  const csv = join(tmp, 'first.csv')
  writeFileSync(
    csv,
    readFileSync(join(import.meta.dirname, '..', '..', 'examples', 'batch.csv'), 'utf8')
      .split('\n')
      .slice(0, 3)
      .join('\n'),
  )
  const long = 'b'.repeat(256)
  // the flag is checked before any ledger is opened: one engine shows it (PostgreSQL, which indexes it)
  const ledgers = () => [PG_AVAILABLE ? freshPgUrl('batch') : join(tmp, 'l.sqlite')]

  it('a longer one is ERR_USAGE (exit 2) for issue, renew and export, before any ledger is opened', () => {
    for (const ledger of ledgers())
      for (const args of [
        ['issue', csv, '--key-dir', KEYS_EXAMPLE, '--ledger', ledger, '--batch', long, '--json'],
        ['renew', '--key-dir', KEYS_EXAMPLE, '--ledger', ledger, '--batch', long, '--json'],
        ['export', '--ledger', ledger, '--batch', long, '--json'],
      ]) {
        const r = runCli(args)
        expect(r.code, `${args[0]}: ${r.stdout}${r.stderr}`).toBe(2)
        const { error } = JSON.parse(r.stdout) as { error: { code: string; message: string } }
        expect(error.code).toBe('ERR_USAGE')
        expect(error.message).toContain('--batch is 256 characters long; a batch name has at most 255')
        expect(error.message).not.toContain(long)
      }
  })

  it.skipIf(!PG_AVAILABLE)('255 characters of 3-byte letters fit PostgreSQL’s index', () => {
    const url = freshPgUrl('batch_fits')
    const r = runCli([
      'issue',
      csv,
      '--key-dir',
      KEYS_EXAMPLE,
      '--ledger',
      url,
      '--batch',
      '€'.repeat(255),
      '--json',
    ])
    expect(r.code, r.stdout + r.stderr).toBe(0)
    expect(JSON.parse(r.stdout).issued).toBe(2)
  })

  it('a value too long for an index (54000, from a ledger copy) says running again cannot help', () => {
    const err = pgLedgerError(
      Object.assign(
        new Error('index row size 8016 exceeds btree version 4 maximum 2704 for index "certificates_batch"'),
        {
          code: '54000',
        },
      ),
      'postgres://h/db',
      'h:5432',
    )
    expect(err.message).toContain('a value is too long for the ledger')
    expect(err.message).toContain('Running again cannot help')
    expect(err.message).not.toMatch(/SQLSTATE|certificates_batch/)
  })
})

describe.skipIf(!PG_AVAILABLE)('ledger copy only reads the SQLite ledger', () => {
  it('and leaves no -wal or -shm file beside it (as stats and export)', () => {
    const file = join(mkdtempSync(join(tmpdir(), 'hcert-copy-wal-')), 'l.sqlite')
    new Ledger(file).close()
    expect(existsSync(`${file}-wal`) || existsSync(`${file}-shm`)).toBe(false)
    const report = copyLedger(file, freshPgUrl('copy_wal'))
    expect(report.certificates).toEqual({ copied: 0, alreadyThere: 0 })
    expect([existsSync(`${file}-wal`), existsSync(`${file}-shm`)]).toEqual([false, false])
  })
})

describe.skipIf(!PG_AVAILABLE)('who connects, as libpq decides', () => {
  const noPassword = (): string => {
    const url = new URL(PG_URL)
    url.password = ''
    return url.toString()
  }

  it('no user in the URL, $PGUSER or $USER: the operating system user name (not "no user name specified")', () => {
    const url = new URL(PG_URL)
    url.username = ''
    url.password = ''
    const err = withEnv({ PGUSER: undefined, USER: undefined, PGPASSWORD: 'not-the-password' }, () =>
      failure(() => new PostgresLedger(url.toString()).close()),
    )
    expect(err).toMatchObject({ code: 'ERR_LEDGER' })
    expect(err.message).not.toContain('no PostgreSQL user name specified')
    expect(err.message).toContain(`"${userInfo().username}"`)
    expect(err.message).not.toContain('not-the-password')
  })

  it('postgres:///db (no host: $PGHOST) with no user anywhere: the operating system user name too (pg sent none)', () => {
    const url = new URL(PG_URL)
    const err = withEnv(
      {
        PGUSER: undefined,
        USER: undefined,
        PGHOST: url.hostname,
        PGPORT: url.port || '5432',
        PGPASSWORD: 'not-the-password',
      },
      () => failure(() => new PostgresLedger(`postgres://${url.pathname}`).close()),
    )
    expect(err).toMatchObject({ code: 'ERR_LEDGER' })
    expect(err.message).not.toContain('no PostgreSQL user name specified')
    expect(err.message).toContain(`"${userInfo().username}"`)
  })

  it('a .pgpass others may read is named as found and ignored; at 0600 it is used', () => {
    const file = join(mkdtempSync(join(tmpdir(), 'hcert-pgpass-')), 'pgpass')
    const url = new URL(PG_URL)
    writeFileSync(file, `*:*:*:${decodeURIComponent(url.username)}:${decodeURIComponent(url.password)}\n`)
    chmodSync(file, 0o644)
    const err = withEnv({ PGPASSWORD: undefined, PGPASSFILE: file }, () =>
      failure(() => new PostgresLedger(noPassword(), { create: true }).close()),
    )
    expect(err).toMatchObject({ code: 'ERR_LEDGER' })
    expect(err.message).toContain(
      `the password file was found but ignored, as psql ignores it, because ${file} has mode 0644`,
    )
    chmodSync(file, 0o600)
    withEnv({ PGPASSWORD: undefined, PGPASSFILE: file }, () =>
      new PostgresLedger(noPassword(), { create: true }).close(),
    )
  })
})

describe('a run that waits for records another run reserved', () => {
  it('is told once (the command says so on stderr, with the lease), not silent', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'hcert-wait-'))
    const spec = join(dir, 'l.sqlite')
    const file = join(dir, 'wait.csv')
    const rows = ['id,type,fn,gn,dob,vaccine,dose,doses,date']
    for (const gn of ['An', 'Binh', 'Chi'])
      rows.push(`${gn},v,Nguyen,${gn},1980-01-01,Comirnaty,1,2,2021-06-01`)
    writeFileSync(file, rows.join('\n'))
    const a = new Ledger(spec)
    const b = new Ledger(spec)
    const signer = exampleSigner('ES256')
    const waits: number[] = []
    const run = (ledger: Ledger, jobSigner: JobSigner, onWaiting?: (n: number) => void) =>
      issueCertificates({
        source: file,
        signer,
        jobSigner,
        ledger,
        batch: 'wait.csv',
        now: new Date('2021-12-21T00:00:00Z'),
        validity: { amount: 12, unit: 'm' },
        defaults: { country: 'VN', issuer: 'Ministry of Health' },
        dryRun: false,
        ...(onWaiting ? { onWaiting } : {}),
      })
    let second: ReturnType<typeof run> | undefined
    const inline = inlineSigner(signer)
    await run(a, {
      ...inline,
      // B starts while A signs, after A reserved its keys; A holds them a while
      sign: async (jobs) => {
        second = run(b, inline, (n) => waits.push(n))
        await new Promise((resolve) => setTimeout(resolve, 400))
        return inline.sign(jobs)
      },
    })
    const other = await (second as ReturnType<typeof run>)
    expect(other).toMatchObject({ issued: 0, alreadyIssued: 3 })
    expect(waits).toEqual([3])
    a.close()
    b.close()
  })
})
