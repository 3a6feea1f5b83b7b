// The ledger's engines side by side (issue 13): 100,000 records into a fresh SQLite ledger and a
// fresh PostgreSQL one, one process each; two processes with disjoint inputs on one PostgreSQL
// ledger against one; stats on a 1,000,000-row PostgreSQL ledger. The server: $HCERT_BENCH_PG_URL,
// else $HCERT_TEST_PG_URL (a role that may CREATEDB: each measure gets a database of its own).
import { spawn } from 'node:child_process'
import { closeSync, mkdtempSync, openSync, rmSync, writeSync } from 'node:fs'
import { loadavg, tmpdir } from 'node:os'
import { join } from 'node:path'

/** A, B, …, Z, AA, AB, …: a distinct name part for each i ≥ 0 (a name holds letters, not digits) */
const letters = (i) => {
  let s = ''
  for (let n = i; ; n = Math.floor(n / 26) - 1) {
    s = String.fromCharCode(65 + (n % 26)) + s
    if (n < 26) return s
  }
}

export async function ledgerEnginesBench({ root, bin, quick }) {
  const server = process.env.HCERT_BENCH_PG_URL || process.env.HCERT_TEST_PG_URL
  console.log('\nLedger engines: SQLite and PostgreSQL')
  if (!server) {
    console.log(
      '  skipped: set HCERT_BENCH_PG_URL (or HCERT_TEST_PG_URL) to a server whose role may CREATEDB',
    )
    return
  }
  const { SyncPgClient } = await import('../dist/ledger/pg/sync-client.js')
  const { PostgresLedger } = await import('../dist/ledger/pg/postgres-ledger.js')
  const { fillValidityCounts } = await import('../dist/ledger/validity-counts.js')
  const admin = new SyncPgClient({ connectionString: server }, 600_000)
  admin.connect()
  const made = []
  const database = (label) => {
    const name = `hcert_bench_${label}_${process.pid}`
    admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`)
    admin.query(`CREATE DATABASE ${name}`)
    made.push(name)
    const url = new URL(server)
    url.pathname = `/${name}`
    return url.toString()
  }
  const dir = mkdtempSync(join(tmpdir(), 'hcert-bench-ledger-'))
  const count = quick ? 20_000 : 100_000
  const csv = (name, from, n) => {
    const path = join(dir, name)
    const fd = openSync(path, 'w')
    writeSync(fd, 'id,type,fn,gn,dob,vaccine,dose,doses,date\n')
    let rows = []
    for (let i = from; i < from + n; i++) {
      rows.push(`P${i},v,Nguyễn,Văn ${letters(i)},1980-01-01,Comirnaty,1,2,2021-06-01`)
      if (rows.length === 10_000 || i === from + n - 1) {
        writeSync(fd, `${rows.join('\n')}\n`)
        rows = []
      }
    }
    closeSync(fd)
    return path
  }
  const issue = (file, ledger) =>
    new Promise((resolve, reject) => {
      const args = [bin, 'issue', file, '--key-dir', join(root, 'keys-example'), '--ledger', ledger]
      const child = spawn(process.execPath, [
        ...args,
        '--at',
        '2021-12-21T00:00:00Z',
        '--out',
        `${file}.out.jsonl`,
      ])
      let stderr = ''
      child.stderr.on('data', (d) => (stderr += d))
      child.on('close', (code) =>
        code === 0 ? resolve() : reject(new Error(`issue exited ${code}: ${stderr}`)),
      )
    })
  const timed = async (work) => {
    const started = performance.now()
    await work()
    return (performance.now() - started) / 1000
  }
  const fmt = (n) => Math.round(n).toLocaleString('en-US')
  // the machine may be shared: each figure says how busy it was (1-minute load average, start → end)
  const load = () => loadavg()[0].toFixed(1)
  try {
    // HCERT_BENCH_LEDGER=stats: the stats measure alone
    if (process.env.HCERT_BENCH_LEDGER !== 'stats') await issueRates()
    await statsOn1M()
  } finally {
    for (const name of made) admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`)
    admin.close()
    rmSync(dir, { recursive: true, force: true })
  }

  async function issueRates() {
    const all = csv('all.csv', 1, count)
    const rounds = quick ? 1 : 2
    const sqlite = []
    const pg = []
    // alternating, each into a fresh ledger
    const loads = [load()]
    for (let r = 0; r < rounds; r++) {
      const file = join(dir, `ledger-${r}.sqlite`)
      sqlite.push(count / (await timed(() => issue(all, file))))
      loads.push(load())
      pg.push(count / (await timed(() => issue(all, database(`one${r}`)))))
      loads.push(load())
    }
    const best = (list) => Math.max(...list)
    console.log(
      `  ${fmt(count)} records, one process: SQLite ${sqlite.map(fmt).join(', ')}/s; PostgreSQL ${pg.map(fmt).join(', ')}/s → ${((best(pg) / best(sqlite)) * 100).toFixed(0)}% (best against best; target ≥ 60%); load average ${loads.join(' → ')}`,
    )
    const half = Math.floor(count / 2)
    const a = csv('a.csv', 1, half)
    const b = csv('b.csv', half + 1, count - half)
    const shared = database('two')
    const both = await timed(() => Promise.all([issue(a, shared), issue(b, shared)]))
    console.log(
      `  two processes, disjoint halves, one PostgreSQL ledger: ${fmt(count / both)}/s combined = ${(count / both / best(pg)).toFixed(2)}× one process`,
    )
  }

  async function statsOn1M() {
    // stats on 1,000,000 rows: filled on the server (generate_series) with payloads and HC1 texts of
    // real size, daily_counts computed from them as ledger copy does; then vacuumed, as autovacuum
    // would after a bulk load (so that the totals come from the index alone)
    const rows = quick ? 100_000 : 1_000_000
    const url = database('stats')
    new PostgresLedger(url, { create: true }).close()
    const filler = new SyncPgClient({ connectionString: url }, 3_600_000)
    filler.connect()
    const fillSeconds = await timed(async () => {
      filler.query(`INSERT INTO certificates (idempotency_key, uvci, type, country, issuer, kid, iat, exp, product, dose,
          doses, payload, hc1, batch, line, holder_event, origin, created_at, content)
        SELECT 'bench:' || j, 'URN:UVCI:01:VN:BENCH' || j, CASE WHEN j % 10 = 0 THEN 't' ELSE 'v' END, 'VN',
          CASE WHEN j % 3 = 0 THEN 'Hanoi' ELSE 'Ho Chi Minh City' END,
          CASE WHEN j < ${rows / 2} THEN 'kzlQn+5disA=' ELSE 'i3J2bFHfXs0=' END,
          iat, iat + 365 * 86400,
          (ARRAY['EU/1/20/1528','EU/1/20/1507','EU/1/21/1529','EU/1/20/1525','BBIBP-CorV','Covishield'])[1 + j % 6],
          1 + j % 3, 2, repeat('p', 700), 'HC1:' || repeat('X', 560), 'bench', j, 'bench-' || j, 'issue', iat, 'c'
        FROM (SELECT j, 1622505600 + floor(ln(1 + (j::float8 / ${rows}) * 63) / ln(2) * 2)::bigint * 86400 + j % 86400 AS iat
              FROM generate_series(0, ${rows - 1}) AS j) AS s`)
      filler.query(`INSERT INTO daily_counts (day, origin, type, product, dose, country, issuer, kid, count)
        SELECT to_char((to_timestamp(iat) AT TIME ZONE 'UTC')::date, 'YYYY-MM-DD'), origin, type, coalesce(product, ''),
          coalesce(dose, 0), country, issuer, kid, count(*) FROM certificates GROUP BY 1, 2, 3, 4, 5, 6, 7, 8`)
      // the validity totals' summary table (schema 5), as a migration or ledger copy fills it
      filler.query(fillValidityCounts('postgres'))
      filler.query('VACUUM ANALYZE certificates')
      filler.query('VACUUM ANALYZE daily_counts')
      filler.query('VACUUM ANALYZE validity_counts')
    })
    filler.close()
    // opened once before the measure: a ledger of an earlier schema is migrated then, not in the measure
    new PostgresLedger(url).close()
    const statsLoad = load()
    const ledger = new PostgresLedger(url)
    const now = new Date('2022-06-07T00:00:00Z')
    const times = []
    let figures
    for (let i = 0; i < 4; i++)
      times.push(await timed(async () => (figures = ledger.stats({ now, by: 'day', soon: 30 * 86_400 }))))
    // the totals must account for every row (a summary table left empty would be fast and wrong)
    const t = figures.totals
    if (t.active + t.expired + t.superseded !== rows)
      throw new Error(`stats bench: totals ${JSON.stringify(t)} do not add up to ${rows} rows`)
    ledger.close()
    const cli = await timed(
      () =>
        new Promise((resolve) =>
          spawn(process.execPath, [bin, 'stats', '--ledger', url, '--json', '--at', now.toISOString()], {
            stdio: 'ignore',
          }).on('close', resolve),
        ),
    )
    times.sort((x, y) => x - y)
    console.log(
      `  stats on a ${fmt(rows)}-row PostgreSQL ledger (filled on the server in ${fillSeconds.toFixed(0)} s): every figure ${(times[0] * 1000).toFixed(0)}–${(times[times.length - 1] * 1000).toFixed(0)} ms (first call included; active ${fmt(t.active)}, expired ${fmt(t.expired)}, expiring within 30 days ${fmt(t.expiringSoon)}); whole command ${(cli * 1000).toFixed(0)} ms (target < 1 s); load average ${statsLoad}`,
    )
  }
}
