/**
 * The ledger's contract, run on both engines (SQLite, PostgreSQL): a chunk's outcomes, what a
 * lookup finds, reservations and their leases, the same figures from stats, schema versions, and
 * errors that name the server and never the password.
 */
import { mkdtempSync, writeFileSync } from 'node:fs'
import { createServer, type AddressInfo } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { DccError } from '../../src/errors.js'
import type { IssuedRow } from '../../src/ledger/ledger.js'
import { connectTimeoutMs, PostgresLedger } from '../../src/ledger/pg/postgres-ledger.js'
import { SyncPgClient } from '../../src/ledger/pg/sync-client.js'
import { SCHEMA_VERSION } from '../../src/ledger/schema.js'
import { deadLocalOwners, releaseRun, reserveKeys, type LedgerStore } from '../../src/ledger/store.js'
import { inlineSigner, type JobSigner } from '../../src/issue/sign-jobs.js'
import { issueCertificates, type IssuedCertificate } from '../../src/services/issue.js'
import { exampleSigner } from '../helpers/keys.js'
import { ENGINES, PG_AVAILABLE, PG_URL, POSTGRES, requirePgInCi } from '../helpers/pg.js'

requirePgInCi()
const tmp = mkdtempSync(join(tmpdir(), 'hcert-engines-'))
const DAY = 86_400
const T0 = Date.UTC(2021, 5, 14, 12) / 1000 // a Monday, noon

function row(i: number, extra: Partial<IssuedRow> = {}): IssuedRow {
  return {
    idempotencyKey: `id:P${i}`,
    uvci: `URN:UVCI:01:VN:T${i}`,
    type: i % 3 === 0 ? 't' : 'v',
    country: i % 2 ? 'VN' : 'DE',
    issuer: 'Ministry of Health',
    kid: 'a2lk',
    iat: T0 + i * 3 * 3600,
    exp: T0 + i * 3 * 3600 + 30 * DAY,
    product: i % 3 === 0 ? null : 'EU/1/20/1528',
    dose: i % 3 === 0 ? null : 1 + (i % 2),
    doses: i % 3 === 0 ? null : 2,
    payload: '{}',
    hc1: `HC1:${i}`,
    batch: 'b.csv',
    line: i + 1,
    holderEvent: `h${i}`,
    origin: 'issue',
    replaces: null,
    content: `c${i}`,
    ...extra,
  }
}

describe.each(ENGINES)('ledger on $name', (engine) => {
  it('a chunk lands whole; rows another run committed come back as conflicts (key, UVCI, superseded)', () => {
    const ledger = engine.open(engine.spec(tmp, 'chunk'))
    try {
      const first = ledger.record([row(1), row(2)], [], new Date(T0 * 1000))
      expect(first.every((o) => 'id' in o)).toBe(true)
      const [one] = first as Array<{ id: number }>
      const second = ledger.record(
        [
          row(1, { uvci: 'URN:UVCI:01:VN:other' }),
          row(3, { uvci: 'URN:UVCI:01:VN:T2' }),
          row(4, { idempotencyKey: 'renew:T1', origin: 'renew', replaces: one?.id ?? 0 }),
          row(5, { idempotencyKey: 'renew:T1b', origin: 'renew', replaces: one?.id ?? 0 }),
        ],
        [],
        new Date(T0 * 1000),
      )
      expect(second.map((o) => ('conflict' in o ? o.conflict : 'id'))).toEqual([
        'key',
        'uvci',
        'id',
        'superseded',
      ])
      const found = ledger.issuedForKeys(['id:P1', 'id:P9'])
      expect([...found.keys()]).toEqual(['id:P1'])
      expect(found.get('id:P1')).toMatchObject({
        content: 'c4',
        uvcis: ['URN:UVCI:01:VN:T1', 'URN:UVCI:01:VN:T4'],
      })
      expect(ledger.chainOf('id:P1').map((c) => c.uvci)).toEqual(['URN:UVCI:01:VN:T1', 'URN:UVCI:01:VN:T4'])
      const head = ledger.findByUvci('URN:UVCI:01:VN:T4')
      expect(head && ledger.recordKeyOf(head)).toBe('id:P1')
      expect(ledger.uvciTaken('URN:UVCI:01:VN:T2')).toBe(true)
      expect(ledger.dueIds({ dueBy: T0 + 40 * DAY, country: 'DE' })).toHaveLength(2)
      expect(ledger.batchIds('b.csv')).toHaveLength(3)
      expect(ledger.latestForHolderEvent('h2')?.uvci).toBe('URN:UVCI:01:VN:T2')
    } finally {
      ledger.close()
    }
  })

  it('currentForHolderEvents: the certificates superseded by nothing of each holder-event key, the same on both engines', () => {
    const ledger = engine.open(engine.spec(tmp, 'holder-events'))
    try {
      const [one] = ledger.record(
        [row(1, { holderEvent: 'same' }), row(2, { holderEvent: 'same' }), row(3, { holderEvent: 'other' })],
        [],
        new Date(T0 * 1000),
      ) as Array<{ id: number }>
      // a renewal of the first: it (not the original) is the current certificate of the event
      const [renewal] = ledger.record(
        [
          row(4, {
            idempotencyKey: 'renew:T1',
            origin: 'renew',
            replaces: one?.id ?? 0,
            holderEvent: 'same',
          }),
        ],
        [],
        new Date(T0 * 1000),
      ) as Array<{ id: number }>
      const found = ledger.currentForHolderEvents(['same', 'other', 'none'])
      expect([...found.keys()].sort()).toEqual(['other', 'same'])
      expect(found.get('same')).toEqual([(one?.id ?? 0) + 1, renewal?.id])
      expect(ledger.currentForHolderEvents([])).toEqual(new Map())
    } finally {
      ledger.close()
    }
  })

  it('reservations: a key held by a live run is not given to another; a lapsed lease or a dead owner is taken over; the commit releases them', async () => {
    const ledger = engine.open(engine.spec(tmp, 'reserve'))
    try {
      const a = ledger.reserve(['k1', 'k2'], 'host:1:aa', 60_000)
      expect([...a.reserved].sort()).toEqual(['k1', 'k2'])
      const b = ledger.reserve(['k2', 'k3'], 'host:2:bb', 60_000)
      expect([...b.reserved]).toEqual(['k3'])
      expect(b.heldBy.get('k2')).toBe('host:1:aa')
      // taken over when its owner is named as gone
      const c = ledger.reserve(['k2'], 'host:2:bb', 60_000, ['host:1:aa'])
      expect([...c.reserved]).toEqual(['k2'])
      // a lapsed lease
      ledger.reserve(['k4'], 'host:3:cc', 1)
      await new Promise((resolve) => setTimeout(resolve, 20))
      expect([...ledger.reserve(['k4'], 'host:2:bb', 60_000).reserved]).toEqual(['k4'])
      // the commit of a chunk removes its keys' reservations with it
      ledger.record([row(7, { idempotencyKey: 'k3' })], [], new Date(), { owner: 'host:2:bb', keys: ['k3'] })
      expect(ledger.reservationCount()).toBe(3)
      ledger.release('host:2:bb')
      expect(ledger.reservationCount()).toBe(1) // k1, still host:1:aa's
    } finally {
      ledger.close()
    }
  })

  it('reserveKeys takes over at once the keys of a process of this machine that no longer exists', () => {
    const ledger = engine.open(engine.spec(tmp, 'dead'))
    try {
      const { hostname } = require_os()
      const dead = `${hostname()}:2147483646:0badf00d`
      expect(deadLocalOwners([dead, `${hostname()}:${process.pid}:00`, 'elsewhere:1:00'])).toEqual([dead])
      ledger.reserve(['k1'], dead, 3_600_000)
      const taken = reserveKeys(ledger, ['k1'], 'me:1:01', 60_000)
      expect([...taken.reserved]).toEqual(['k1'])
    } finally {
      ledger.close()
    }
  })

  it('releaseRun: a run that ends removes its reservations and those of dead runs of this machine, even of keys committed since; a live run keeps its own', () => {
    const ledger = engine.open(engine.spec(tmp, 'release'))
    try {
      const { hostname } = require_os()
      const dead = `${hostname()}:2147483646:0badf00d`
      const live = `${hostname()}:${process.ppid}:0000beef`
      const elsewhere = 'elsewhere:1:00'
      ledger.reserve(['k1', 'k2'], dead, 3_600_000)
      ledger.reserve(['k3'], live, 3_600_000)
      ledger.reserve(['k4'], elsewhere, 3_600_000)
      // k1 committed by another run since (as when the killed run reserved it just after that commit)
      ledger.record([row(9, { idempotencyKey: 'k1' })], [], new Date(), { owner: 'me:1:01', keys: ['k1'] })
      ledger.reserve(['k5'], 'me:1:01', 3_600_000)
      expect([...ledger.reservationOwners()].sort()).toEqual([dead, elsewhere, live, 'me:1:01'].sort())
      releaseRun(ledger, 'me:1:01')
      // the live run of this machine and the run of another machine keep theirs (until their lease runs out)
      expect([...ledger.reservationOwners()].sort()).toEqual([elsewhere, live].sort())
      expect(ledger.reservationCount()).toBe(2)
    } finally {
      ledger.close()
    }
  })

  it('stats: the same figures as SQLite for the same certificates, whole days and part-days alike', () => {
    const rows = Array.from({ length: 40 }, (_, i) => row(i + 1))
    const query = { now: new Date((T0 + 20 * DAY) * 1000), by: 'week' as const, soon: 30 * DAY }
    const ledger = engine.open(engine.spec(tmp, 'stats'))
    try {
      ledger.record(
        rows.slice(0, 25),
        [{ idempotencyKey: 'x', batch: 'b', line: 2, field: 'dob', reason: 'is missing' }],
        new Date(T0 * 1000),
      )
      ledger.record(rows.slice(25), [], new Date(T0 * 1000))
      const all = ledger.stats(query)
      expect(all.totals).toMatchObject({ issued: 40, rejected: 1 })
      expect(all.perPeriod).toEqual([{ key: '2021-W24', count: 40 }])
      expect(all.byDose).toEqual([
        { key: '1', count: 14 },
        { key: '', count: 13 },
        { key: '2', count: 13 },
      ])
      const part = ledger.stats({ ...query, by: 'day', since: T0 + 6 * 3600, until: T0 + 2 * DAY + 3600 })
      expect(part.perPeriod).toEqual([
        { key: '2021-06-14', count: 2 },
        { key: '2021-06-15', count: 8 },
        { key: '2021-06-16', count: 5 },
      ])
    } finally {
      ledger.close()
    }
  })
})

function require_os(): typeof import('node:os') {
  return process.getBuiltinModule('node:os') as typeof import('node:os')
}

describe.skipIf(!PG_AVAILABLE)('PostgreSQL ledger: schema versions and errors', () => {
  it('records its schema version in hcert_schema; an older one is migrated, a newer one refused and left as it was', () => {
    const url = POSTGRES.spec(tmp, 'schema')
    const ledger = new PostgresLedger(url, { create: true })
    expect(ledger.run([{ text: 'SELECT version FROM hcert_schema' }])[0]).toEqual([
      { version: SCHEMA_VERSION },
    ])
    // a ledger of schema 2 (before reservations)
    ledger.run([{ text: 'DROP TABLE reservations' }, { text: 'UPDATE hcert_schema SET version = 2' }])
    ledger.close()
    const migrated = new PostgresLedger(url)
    expect(migrated.run([{ text: 'SELECT version FROM hcert_schema' }])[0]).toEqual([
      { version: SCHEMA_VERSION },
    ])
    expect(migrated.reservationCount()).toBe(0)
    migrated.run([{ text: 'UPDATE hcert_schema SET version = 99' }])
    migrated.close()
    expect(() => new PostgresLedger(url)).toThrow(
      `schema version 99, newer than this hcert knows (${SCHEMA_VERSION})`,
    )
    const admin = new SyncPgClient({ connectionString: url }, 10_000)
    admin.connect()
    expect(admin.query('SELECT version FROM hcert_schema')).toEqual([{ version: 99 }])
    admin.close()
  })

  it('a database without a ledger is ERR_LEDGER for the commands that only read one', () => {
    const url = POSTGRES.spec(tmp, 'empty')
    expect(() => new PostgresLedger(url)).toThrow(/holds no hcert ledger/)
  })

  it('a refused login or an unreachable server: ERR_LEDGER naming the host and what to check, never the password', () => {
    const wrong = new URL(PG_URL)
    wrong.password = 'Sup3r-Secret-pw'
    const refused = caught(() => new PostgresLedger(wrong.toString()))
    expect(refused.code).toBe('ERR_LEDGER')
    expect(refused.message).toMatch(/refused the login \(28P01/)
    expect(refused.message).toContain(`${wrong.hostname}:`)
    expect(refused.message).not.toContain('Sup3r-Secret-pw')
    const away = new URL(wrong)
    away.port = '1'
    const unreachable = caught(() => new PostgresLedger(away.toString()))
    expect(unreachable.message).toMatch(
      /cannot reach the PostgreSQL server at [^ ]+:1 \(ECONNREFUSED\)\. Check that the server is running/,
    )
    expect(unreachable.message).not.toContain('Sup3r-Secret-pw')
  })
})

describe('connecting to PostgreSQL', () => {
  it('PGCONNECT_TIMEOUT is read as libpq reads it (seconds, at least 2; 0 waits without a limit); 30 s unset', () => {
    expect(connectTimeoutMs({})).toBe(30_000)
    expect(connectTimeoutMs({ PGCONNECT_TIMEOUT: '10' })).toBe(10_000)
    expect(connectTimeoutMs({ PGCONNECT_TIMEOUT: '1' })).toBe(2_000)
    expect(connectTimeoutMs({ PGCONNECT_TIMEOUT: '0' })).toBe(0)
    expect(connectTimeoutMs({ PGCONNECT_TIMEOUT: ' ' })).toBe(30_000)
    // what libpq refuses (not a whole number), and a negative number, are refused (pg-session-faults)
    expect(() => connectTimeoutMs({ PGCONNECT_TIMEOUT: 'soon' })).toThrow(/PGCONNECT_TIMEOUT/)
  })

  it('a server that accepts but never answers: ERR_LEDGER "does not answer as PostgreSQL" after PGCONNECT_TIMEOUT, however short HCERT_LEDGER_TIMEOUT is', async () => {
    // the kernel completes the handshakes of a listening socket; this server never says a word
    const silent = createServer(() => undefined)
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve))
    const { port } = silent.address() as AddressInfo
    const saved = { connect: process.env.PGCONNECT_TIMEOUT, busy: process.env.HCERT_LEDGER_TIMEOUT }
    process.env.PGCONNECT_TIMEOUT = '3'
    process.env.HCERT_LEDGER_TIMEOUT = '300'
    try {
      const started = Date.now()
      const err = caught(() => new PostgresLedger(`postgres://u:Sup3r-Secret-pw@127.0.0.1:${port}/db`))
      // a statement's timeout (0.3 s here) used to cut the connection short at 1 s
      expect(Date.now() - started).toBeGreaterThanOrEqual(2_900)
      expect(err.code).toBe('ERR_LEDGER')
      expect(err.message).toMatch(
        /the server at 127\.0\.0\.1:\d+ does not answer as PostgreSQL \(it accepted the connection but sent no reply within 3 s, .*PGCONNECT_TIMEOUT.*check the port/,
      )
      // the connection was accepted: not "cannot reach … did not accept"
      expect(err.message).not.toMatch(/cannot reach|did not accept/)
      expect(err.message).not.toContain('Sup3r-Secret-pw')
    } finally {
      for (const [name, value] of [
        ['PGCONNECT_TIMEOUT', saved.connect],
        ['HCERT_LEDGER_TIMEOUT', saved.busy],
      ] as const)
        if (value === undefined) delete process.env[name]
        else process.env[name] = value
      silent.close()
    }
  }, 30_000)
})

function caught(work: () => unknown): DccError {
  try {
    work()
  } catch (err) {
    if (err instanceof DccError) return err
    throw err
  }
  throw new Error('did not throw')
}

describe.each(ENGINES)('two runs at once on $name, leases as they are', (engine) => {
  it('the second run signs nothing its keys are reserved by the first: it waits, then writes out the first run’s certificates', async () => {
    const spec = engine.spec(tmp, 'wait')
    const file = join(tmp, `wait-${engine.name}.csv`)
    const rows = ['id,type,fn,gn,dob,vaccine,dose,doses,date']
    for (const gn of ['An', 'Binh', 'Chi', 'Dung'])
      rows.push(`${gn},v,Nguyen,${gn},1980-01-01,Comirnaty,1,2,2021-06-01`)
    writeFileSync(file, rows.join('\n'))
    const a = engine.open(spec)
    const b = engine.open(spec)
    const signer = exampleSigner('ES256')
    let signedByB = 0
    const countingB: JobSigner = {
      ...inlineSigner(signer),
      sign: async (jobs) => {
        signedByB += jobs.length
        return inlineSigner(signer).sign(jobs)
      },
    }
    const run = (ledger: LedgerStore, jobSigner: JobSigner) => {
      const certificates: IssuedCertificate[] = []
      return issueCertificates({
        source: file,
        signer,
        jobSigner,
        ledger,
        batch: 'wait.csv',
        now: new Date('2021-12-21T00:00:00Z'),
        validity: { amount: 12, unit: 'm' },
        defaults: { country: 'VN', issuer: 'Ministry of Health' },
        dryRun: false,
        onCertificate: (c) => certificates.push(c),
      }).then((report) => ({ report, certificates }))
    }
    let second: ReturnType<typeof run> | undefined
    const inline = inlineSigner(signer)
    const first = await run(a, {
      ...inline,
      // B starts while A signs, after A reserved its keys
      sign: async (jobs) => {
        second = run(b, countingB)
        await new Promise((resolve) => setTimeout(resolve, 200))
        return inline.sign(jobs)
      },
    })
    const other = await (second as ReturnType<typeof run>)
    expect(first.report).toMatchObject({ issued: 4, alreadyIssued: 0 })
    expect(other.report).toMatchObject({ records: 4, issued: 0, alreadyIssued: 4 })
    expect(signedByB).toBe(0)
    expect(other.certificates.map((c) => c.hc1).sort()).toEqual(first.certificates.map((c) => c.hc1).sort())
    expect(a.reservationCount()).toBe(0)
    a.close()
    b.close()
  })
})
