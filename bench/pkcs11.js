// PKCS#11: `hcert issue` with the DSC key in a SoftHSM2 token against the same with a key on disk,
// runs alternating in the same session, and where a token signature's time goes (one thread).
import { spawnSync } from 'node:child_process'
import { createHash, randomBytes, verify } from 'node:crypto'
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

/** A, B, …, Z, AA, AB, …: a distinct name part for each i ≥ 0 (a name holds letters, not digits) */
const letters = (i) => {
  let s = ''
  for (let n = i; ; n = Math.floor(n / 26) - 1) {
    s = String.fromCharCode(65 + (n % 26)) + s
    if (n < 26) return s
  }
}

const MODULE = '/usr/lib/softhsm/libsofthsm2.so'
const PIN = '246810'

const median = (values) => {
  const sorted = [...values].sort((a, b) => a - b)
  return sorted[Math.floor(sorted.length / 2)]
}
const fmt = (n) => Math.round(n).toLocaleString('en-US')
const pct = (x) => `${(x * 100).toFixed(0)}%`

export async function pkcs11Bench(root, quick) {
  if (!existsSync(MODULE) || spawnSync('softhsm2-util', ['--version']).status !== 0) {
    console.log('\nPKCS#11: skipped, SoftHSM2 is not installed (apt-get install -y softhsm2)')
    return
  }
  const bin = join(root, 'bin', 'run.js')
  const dir = mkdtempSync(join(tmpdir(), 'hcert-bench-pkcs11-'))
  const conf = join(dir, 'softhsm2.conf')
  mkdirSync(join(dir, 'tokens'))
  writeFileSync(
    conf,
    `directories.tokendir = ${join(dir, 'tokens')}\nobjectstore.backend = file\nlog.level = ERROR\n`,
  )
  const env = { ...process.env, SOFTHSM2_CONF: conf, HCERT_PKCS11_PIN: PIN }
  const run = (args) => {
    const r = spawnSync(process.execPath, [bin, ...args], { env, encoding: 'utf8' })
    if (r.status !== 0) throw new Error(`hcert ${args[0]} exited ${r.status}: ${r.stderr}`)
    return r
  }
  spawnSync(
    'softhsm2-util',
    ['--init-token', '--free', '--label', 'bench', '--pin', PIN, '--so-pin', '135790'],
    {
      env,
    },
  )
  const keys = {}
  for (const alg of ['ES256', 'PS256']) {
    keys[`disk ${alg}`] = join(dir, `disk-${alg}`)
    keys[`token ${alg}`] = join(dir, `token-${alg}`)
    run(['keys', 'generate', '--alg', alg, '--valid-from', '2021-01-01', '--out', keys[`disk ${alg}`]])
    run([
      'keys',
      'generate',
      '--alg',
      alg,
      '--valid-from',
      '2021-01-01',
      '--out',
      keys[`token ${alg}`],
      '--pkcs11',
      MODULE,
      '--token',
      'bench',
      '--key-label',
      alg,
    ])
  }
  const makeCsv = (count) => {
    const path = join(dir, `records-${count}.csv`)
    const rows = ['id,type,fn,gn,dob,vaccine,dose,doses,date']
    for (let i = 1; i <= count; i++)
      rows.push(`P${i},v,Nguyễn,Văn ${letters(i)},1980-01-01,Comirnaty,1,2,2021-06-01`)
    writeFileSync(path, `${rows.join('\n')}\n`)
    return path
  }
  const timed = existsSync('/usr/bin/time')
  const issue = (csv, count, keyDir, workers) => {
    const ledger = join(dir, 'ledger.sqlite')
    rmSync(ledger, { force: true })
    const args = [bin, 'issue', csv, '--key-dir', keyDir, '--ledger', ledger, '--at', '2021-12-21T00:00:00Z']
    args.push(
      '--out',
      join(dir, 'out.jsonl'),
      ...(workers === undefined ? [] : ['--workers', String(workers)]),
    )
    const started = performance.now()
    const r = timed
      ? spawnSync('/usr/bin/time', ['-f', '%U %S', process.execPath, ...args], { env, encoding: 'utf8' })
      : spawnSync(process.execPath, args, { env, encoding: 'utf8' })
    if (r.status !== 0) throw new Error(`issue exited ${r.status}: ${r.stderr}`)
    const [user, system] = timed ? r.stderr.trim().split('\n').at(-1).split(' ').map(Number) : [NaN, NaN]
    return { rate: count / ((performance.now() - started) / 1000), cpuMs: ((user + system) * 1000) / count }
  }
  const rounds = quick ? 1 : 3
  const esCount = 10_000
  const psCount = quick ? 1000 : 2000
  const esCsv = makeCsv(esCount)
  const psCsv = makeCsv(psCount)
  const results = {}
  const add = (name, result) => (results[name] ??= []).push(result)
  for (let r = 0; r < rounds; r++) {
    // alternating, so that each ratio compares runs made moments apart
    add('disk ES256', issue(esCsv, esCount, keys['disk ES256']))
    add('token ES256', issue(esCsv, esCount, keys['token ES256']))
    add('disk ES256 one thread', issue(esCsv, esCount, keys['disk ES256'], 0))
    add('token ES256 one thread', issue(esCsv, esCount, keys['token ES256'], 0))
  }
  add('disk PS256', issue(psCsv, psCount, keys['disk PS256']))
  add('token PS256', issue(psCsv, psCount, keys['token PS256']))
  const rate = (name) => median(results[name].map((x) => x.rate))
  const cpu = (name) => median(results[name].map((x) => x.cpuMs))
  const ratios = (a, b) => results[a].map((x, i) => x.rate / results[b][i].rate)
  const span = (list) =>
    list.length > 1 ? ` (rounds ${pct(Math.min(...list))}–${pct(Math.max(...list))})` : ''
  console.log(
    `\nPKCS#11 (SoftHSM2 ${spawnSync('softhsm2-util', ['--version'], { encoding: 'utf8' }).stdout.trim()}) against a key on disk: hcert issue, ${fmt(esCount)} CSV records, start-up included, median of ${rounds} alternating round${rounds > 1 ? 's' : ''}`,
  )
  for (const [label, suffix] of [
    ['both cores (default)', ''],
    ['one thread (--workers 0)', ' one thread'],
  ]) {
    const list = ratios(`token ES256${suffix}`, `disk ES256${suffix}`)
    console.log(
      `  ES256, ${label.padEnd(26)} disk ${fmt(rate(`disk ES256${suffix}`)).padStart(7)}/s  token ${fmt(rate(`token ES256${suffix}`)).padStart(7)}/s = ${pct(median(list))} of disk${span(list)} (target >= 50%); CPU a record ${cpu(`disk ES256${suffix}`).toFixed(3)} / ${cpu(`token ES256${suffix}`).toFixed(3)} ms`,
    )
  }
  console.log(
    `  PS256, ${fmt(psCount)} records, both cores     disk ${fmt(rate('disk PS256')).padStart(7)}/s  token ${fmt(rate('token PS256')).padStart(7)}/s = ${pct(rate('token PS256') / rate('disk PS256'))} of disk`,
  )

  // Where a token signature's time goes, on this thread: the same Sig_structure-sized input
  process.env.SOFTHSM2_CONF = conf
  const { loadSigner } = await import('../dist/services/key-dir.js')
  const tbs = randomBytes(330)
  const perCall = (fn, n) => {
    for (let i = 0; i < 50; i++) fn()
    const runs = []
    for (let r = 0; r < 5; r++) {
      const started = performance.now()
      for (let i = 0; i < n; i++) fn()
      runs.push(((performance.now() - started) * 1000) / n)
    }
    return Math.min(...runs)
  }
  const n = quick ? 500 : 2000
  for (const alg of ['ES256', 'PS256']) {
    const disk = loadSigner(keys[`disk ${alg}`], undefined)
    const token = loadSigner(keys[`token ${alg}`], undefined, PIN)
    const signature = disk.sign(tbs)
    const key = disk.certificate.publicKey
    const options = alg === 'ES256' ? { key, dsaEncoding: 'ieee-p1363' } : { key, padding: 6, saltLength: 32 }
    const m = alg === 'ES256' ? n : Math.ceil(n / 10)
    const diskUs = perCall(() => disk.sign(tbs), m)
    const tokenUs = perCall(() => token.sign(tbs), m)
    const verifyUs = perCall(() => verify('sha256', tbs, options, signature), m)
    const hashUs = perCall(() => createHash('sha256').update(tbs).digest(), m)
    console.log(
      `  ${alg} one signature, one thread (best of 5): disk ${diskUs.toFixed(0)} µs; token ${tokenUs.toFixed(0)} µs = C_SignInit + C_Sign in SoftHSM2 ~${(tokenUs - verifyUs - hashUs).toFixed(0)} µs + the check with the public key ${verifyUs.toFixed(0)} µs + SHA-256 ${hashUs.toFixed(1)} µs`,
    )
  }
  rmSync(dir, { recursive: true, force: true })
}
