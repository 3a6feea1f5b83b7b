// The rejects carry-over (issue/stale-rejects.ts) side by side, two figures:
// 1. Reading the certificates issued since an earlier rejects file was written, N of them, on
//    SQLite and PostgreSQL: the old shape (idsCreatedAfter, then findById a certificate: 1 + N
//    queries, each certificate put in a holder index the rows were looked up in) against the new
//    (findIssuedSince: payloadsSince, a query a page of 2,000, streamed past the rows' index,
//    nothing kept of a certificate). Queries counted, time taken.
// 2. The memory the carry-over holds per record read when there is an earlier rejects file
//    (RunReads: key, holder, text digest, events of each record), over 100,000 records: heapUsed
//    after a forced GC, with the records' reads kept against without.
// Run alone: `npm run build && node bench/rejects-carry.js [--n=20000] [--records=100000]`,
// or as `node bench/run.js --only=carry`. PostgreSQL: $HCERT_BENCH_PG_URL, else
// $HCERT_TEST_PG_URL (a role that may CREATEDB); without one, SQLite alone.
import { closeSync, mkdtempSync, openSync, rmSync, writeSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { setFlagsFromString } from 'node:v8'
import { runInNewContext } from 'node:vm'

/** A, B, …, Z, AA, AB, …: a distinct name part for each i ≥ 0 (a name holds letters, not digits) */
const letters = (i) => {
  let s = ''
  for (let n = i; ; n = Math.floor(n / 26) - 1) {
    s = String.fromCharCode(65 + (n % 26)) + s
    if (n < 26) return s
  }
}

const arg = (name, fallback) => {
  const given = process.argv.find((a) => a.startsWith(`--${name}=`))
  return given ? Number(given.slice(name.length + 3)) : fallback
}

const WRITTEN_AT = Date.UTC(2021, 11, 1) / 1000

/** Certificate i as issue records it: a Comirnaty dose for Nguyễn Văn <letters(i)>. */
function row(i) {
  const gn = `Văn ${letters(i)}`
  const payload = {
    ver: '1.3.0',
    nam: { fn: 'Nguyễn', fnt: 'NGUYEN', gn, gnt: `VAN<${letters(i)}` },
    dob: '1980-01-01',
    v: [
      {
        tg: '840539006',
        vp: '1119349007',
        mp: 'EU/1/20/1528',
        ma: 'ORG-100030215',
        dn: 1,
        sd: 2,
        dt: '2021-06-01',
        co: 'VN',
        is: 'Ministry of Health',
        ci: `URN:UVCI:01:VN:B${i}`,
      },
    ],
  }
  return {
    idempotencyKey: `id:P${i}`,
    uvci: `URN:UVCI:01:VN:B${i}`,
    type: 'v',
    country: 'VN',
    issuer: 'Ministry of Health',
    kid: 'a2lk',
    iat: WRITTEN_AT + 60,
    exp: WRITTEN_AT + 365 * 86_400,
    product: 'EU/1/20/1528',
    dose: 1,
    doses: 2,
    payload: JSON.stringify(payload),
    hc1: `HC1:${'X'.repeat(400)}`,
    batch: 'bench.csv',
    line: i + 1,
    holderEvent: `h${i}`,
    origin: 'issue',
    replaces: null,
    content: `c${i}`,
  }
}

function fill(ledger, n) {
  for (let from = 0; from < n; from += 1000) {
    const rows = []
    for (let i = from; i < Math.min(n, from + 1000); i++) rows.push(row(i))
    ledger.record(rows, [], new Date((WRITTEN_AT + 60) * 1000))
  }
}

/** Counts the statements a ledger runs: the PostgreSQL client's queries, SQLite's statement runs. */
function countQueries(ledger) {
  let count = 0
  if (ledger.engine === 'postgres') {
    const client = ledger.client
    const query = client.query.bind(client)
    client.query = (...args) => {
      count++
      return query(...args)
    }
  } else {
    const wrapped = new WeakSet()
    const wrap = (statement) => {
      if (wrapped.has(statement)) return statement
      wrapped.add(statement)
      for (const method of ['get', 'all', 'iterate'])
        if (typeof statement[method] === 'function') {
          const original = statement[method].bind(statement)
          statement[method] = (...args) => {
            count++
            return original(...args)
          }
        }
      const pluck = statement.pluck?.bind(statement)
      if (pluck) statement.pluck = (...a) => wrap(pluck(...a))
      return statement
    }
    wrap(ledger.byId)
    const prepare = ledger.db.prepare.bind(ledger.db)
    ledger.db.prepare = (sql) => wrap(prepare(sql))
  }
  return () => count
}

async function readShapes({ root, n }) {
  const { Ledger } = await import(join(root, 'dist/ledger/ledger.js'))
  const { HolderIndex } = await import(join(root, 'dist/issue/run-reads.js'))
  const { holderOfPayload } = await import(join(root, 'dist/issue/holder-match.js'))
  const { eventOfPayload } = await import(join(root, 'dist/issue/rejected-event.js'))
  const { findIssuedSince } = await import(join(root, 'dist/issue/issued-since.js'))
  const index = (rows, certificate) => {
    const payload = JSON.parse(certificate.payload)
    const event = eventOfPayload(certificate.type === 'icvp' ? 'icvp' : undefined, payload)
    rows.add({ holder: holderOfPayload(certificate.type, payload), events: event ? [event] : [] })
  }
  const before = (ledger) => {
    const rows = new HolderIndex()
    for (const id of ledger.idsCreatedAfter(WRITTEN_AT)) {
      const certificate = ledger.findById(id)
      if (certificate) index(rows, certificate)
    }
    return rows
  }
  // now (issued-since.ts): the certificates streamed past the rows, one row that finds nothing
  // (the whole range is read), nothing kept of a certificate
  const after = (ledger) => {
    let seen = 0
    const row = {
      holder: { surname: 'NOBODY', given: 'NONE', dob: '1980-01-01' },
      fixable: new Set(),
      own: () => (seen++, false),
    }
    findIssuedSince([row], ledger, { writtenAt: WRITTEN_AT, issuedNow: new Set() })
    return seen
  }
  const measure = (ledger, shape) => {
    const queries = countQueries(ledger)
    const started = performance.now()
    const rows = shape(ledger)
    const seconds = (performance.now() - started) / 1000
    const read =
      typeof rows === 'number'
        ? rows
        : rows.candidates({ dob: '1980-01-01', surname: '', given: '' }, new Set()).length
    if (read !== n) throw new Error(`${read} certificates of ${n} were read`)
    return { queries: queries(), seconds }
  }
  const dir = mkdtempSync(join(tmpdir(), 'hcert-bench-carry-'))
  const engines = [{ name: 'SQLite', open: () => new Ledger(join(dir, `l-${Math.random()}.sqlite`)) }]
  const server = process.env.HCERT_BENCH_PG_URL || process.env.HCERT_TEST_PG_URL
  let admin
  const made = []
  if (server) {
    const { SyncPgClient } = await import(join(root, 'dist/ledger/pg/sync-client.js'))
    const { PostgresLedger } = await import(join(root, 'dist/ledger/pg/postgres-ledger.js'))
    admin = new SyncPgClient({ connectionString: server }, 600_000)
    admin.connect()
    engines.push({
      name: 'PostgreSQL',
      open: () => {
        const name = `hcert_bench_carry_${process.pid}_${made.length}`
        admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`)
        admin.query(`CREATE DATABASE ${name}`)
        made.push(name)
        const url = new URL(server)
        url.pathname = `/${name}`
        return new PostgresLedger(url.toString(), { create: true })
      },
    })
  } else console.log('  PostgreSQL skipped: set HCERT_BENCH_PG_URL (or HCERT_TEST_PG_URL)')
  try {
    for (const engine of engines) {
      const ledger = engine.open()
      try {
        fill(ledger, n)
        // each shape twice, the second taken: the first warms the server's and the file's caches
        measure(ledger, before)
        const old = measure(ledger, before)
        measure(ledger, after)
        const now = measure(ledger, after)
        console.log(
          `  ${engine.name.padEnd(10)} ${n} certificates since: findById each ${old.queries} queries ${old.seconds.toFixed(2)} s; payloadsSince pages ${now.queries} queries ${now.seconds.toFixed(2)} s (${(old.seconds / now.seconds).toFixed(1)}x)`,
        )
      } finally {
        ledger.close()
      }
    }
  } finally {
    if (admin) {
      for (const name of made) admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`)
      admin.close()
    }
    rmSync(dir, { recursive: true, force: true })
  }
}

async function readsMemory({ root, records }) {
  // a forced GC without --expose-gc on the command line (bench/run.js runs without it)
  setFlagsFromString('--expose-gc')
  const gc = globalThis.gc ?? runInNewContext('gc')
  const { RunReads } = await import(join(root, 'dist/issue/run-reads.js'))
  const { buildDcc } = await import(join(root, 'dist/issue/build-dcc.js'))
  const { readRecords } = await import(join(root, 'dist/issue/read-records.js'))
  const dir = mkdtempSync(join(tmpdir(), 'hcert-bench-reads-'))
  const path = join(dir, 'in.csv')
  const fd = openSync(path, 'w')
  writeSync(fd, 'id,type,fn,gn,dob,vaccine,dose,doses,date\n')
  let lines = []
  for (let i = 0; i < records; i++) {
    lines.push(`P${i},v,Nguyễn,Văn ${letters(i)},1980-01-01,Comirnaty,1,2,2021-06-01`)
    if (lines.length === 10_000 || i === records - 1) {
      writeSync(fd, `${lines.join('\n')}\n`)
      lines = []
    }
  }
  closeSync(fd)
  const defaults = { country: 'VN', issuer: 'Ministry of Health' }
  const heap = () => {
    gc()
    gc()
    return process.memoryUsage().heapUsed
  }
  // the same pass over the input both times (read, keyed as issue keys it), kept or not
  const pass = async (keep) => {
    const reads = new RunReads(undefined, defaults)
    const start = heap()
    for await (const record of readRecords(path, 'csv')) {
      const { key } = buildDcc(record.raw, defaults)
      if (keep) reads.add(record, key)
    }
    const held = heap() - start
    if (keep && reads.keys.size !== records) throw new Error('not every record was kept')
    return held
  }
  try {
    await pass(false)
    const without = await pass(false)
    const kept = await pass(true)
    console.log(
      `  memory held per record read, ${records} records: ${((kept - without) / records).toFixed(0)} bytes with an earlier rejects file (heapUsed ${(kept / 2 ** 20).toFixed(1)} MB kept, ${(without / 2 ** 20).toFixed(1)} MB without)`,
    )
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
}

export async function rejectsCarryBench({ root, quick }) {
  console.log(
    '\nRejects carry-over: certificates issued since an earlier rejects file, memory per record read',
  )
  await readShapes({ root, n: arg('n', quick ? 5_000 : 20_000) })
  await readsMemory({ root, records: arg('records', quick ? 20_000 : 100_000) })
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1])
  await rejectsCarryBench({
    root: join(dirname(fileURLToPath(import.meta.url)), '..'),
    quick: process.argv.includes('--quick'),
  })
