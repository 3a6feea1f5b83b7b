#!/usr/bin/env node
// A/B in one process: the verify rounds of bench/run.js (ES256, full pipeline, HC1 text in, every
// check), for main (A) and this branch (B), alternating short rounds so that both see the same load.
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { readFileSync } from 'node:fs'
import { loadavg } from 'node:os'
const here = join(dirname(fileURLToPath(import.meta.url)), '..')
if (!process.argv[2])
  throw new Error('usage: node bench/verify-ab.js OTHER_CHECKOUT [rounds] [ms]  (both built: npm run build)')
const roots = { A: process.argv[2], B: here }
const DCC = JSON.parse(readFileSync(join(here, 'examples/vaccination.json'), 'utf8'))
const CLAIMS = { iss: 'VN', iat: 1622592000, exp: 1654128000 }
const NOW = new Date(1630000000000)
const fns = {}
for (const [name, root] of Object.entries(roots)) {
  const { signHc1 } = await import(join(root, 'dist/hcert/sign-hc1.js'))
  const { verifyHc1 } = await import(join(root, 'dist/hcert/verify-hc1.js'))
  const { loadSigner } = await import(join(root, 'dist/services/key-dir.js'))
  const { TrustList } = await import(join(root, 'dist/trust/trust-list.js'))
  const es = loadSigner(join(here, 'keys-example'), undefined)
  const trust = new TrustList([es.certificate])
  const cert = signHc1(DCC, CLAIMS, es).hc1
  if (!verifyHc1(cert, { trust, now: NOW }).valid) throw new Error('invalid')
  fns[name] = () => verifyHc1(cert, { trust, now: NOW })
  for (let i = 0; i < 3000; i++) fns[name]()
}
const load = () =>
  loadavg()
    .map((l) => l.toFixed(2))
    .join(' ')
console.log(`load average before: ${load()}`)
const rounds = Number(process.argv[3] ?? 40)
const ms = Number(process.argv[4] ?? 250)
const res = { A: { wall: [], cpu: [] }, B: { wall: [], cpu: [] } }
for (let r = 0; r < rounds; r++) {
  for (const name of r % 2 ? ['A', 'B'] : ['B', 'A']) {
    const fn = fns[name]
    let n = 0
    const c0 = process.cpuUsage()
    const t0 = performance.now()
    while (performance.now() < t0 + ms) {
      for (let i = 0; i < 50; i++) fn()
      n += 50
    }
    const wall = performance.now() - t0
    const c = process.cpuUsage(c0)
    res[name].wall.push(n / (wall / 1000))
    res[name].cpu.push(n / ((c.user + c.system) / 1e6))
  }
}
const med = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]
const ratios = (k) => res.B[k].map((b, i) => b / res.A[k][i])
console.log(`load average after: ${load()}`)
for (const k of ['wall', 'cpu']) {
  const rs = ratios(k).sort((a, b) => a - b)
  console.log(
    `${k}: A (${roots.A}) ${med(res.A[k]).toFixed(0)}/s, B (this checkout) ${med(res.B[k]).toFixed(0)}/s, per-round ratio median ${med(rs).toFixed(3)} (quartiles ${rs[Math.floor(rs.length / 4)].toFixed(3)}-${rs[Math.floor((3 * rs.length) / 4)].toFixed(3)}), best/best ${(Math.max(...res.B[k]) / Math.max(...res.A[k])).toFixed(3)}`,
  )
}
