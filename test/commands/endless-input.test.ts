/**
 * Input that never yields a record (tester finding): `hcert issue /dev/zero` scanned zeros for a
 * line end for ever, and SIGTERM only said "stopping after the chunk in flight" while no chunk ever
 * came. Now NUL bytes are refused at once, a line past MAX_LINE_WITHOUT_END without a line end is
 * refused, and an interrupt stops the reader at once, also on a FIFO whose writer sends nothing.
 * Real processes, real signals.
 */
import { spawn, spawnSync } from 'node:child_process'
import { existsSync, mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { BIN } from '../helpers/cli.js'
import { KEYS_EXAMPLE } from '../helpers/keys.js'

const tmp = mkdtempSync(join(tmpdir(), 'hcert-endless-'))
let n = 0
const ledgerOf = (run: number): string => join(tmp, `${run}.sqlite`)
const issueArgs = (input: string): string[] => {
  n++
  return [
    BIN,
    'issue',
    input,
    '--key-dir',
    KEYS_EXAMPLE,
    '--ledger',
    join(tmp, `${n}.sqlite`),
    '--out',
    join(tmp, `${n}.jsonl`),
  ]
}

/**
 * `hcert issue` on `input`, its stdin fed by the shell command `feed` (else none), SIGTERM `after`
 * ms after its ledger appears (it is started and reading: the machine may be slow to start Node):
 * the exit code, stderr, and the milliseconds from the signal to the exit.
 */
function issueThenTerm(
  input: string,
  feed: string | undefined,
  after: number,
): Promise<{ code: number | null; stderr: string; ms: number }> {
  const feeder = feed ? spawn('sh', ['-c', feed], { stdio: ['ignore', 'pipe', 'ignore'] }) : undefined
  const child = spawn(process.execPath, issueArgs(input), {
    stdio: [feeder ? feeder.stdout : 'ignore', 'pipe', 'pipe'],
  })
  let stderr = ''
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()))
  const ledger = ledgerOf(n)
  let sent = 0
  const poll = setInterval(() => {
    if (!existsSync(ledger)) return
    clearInterval(poll)
    setTimeout(() => {
      sent = Date.now()
      child.kill('SIGTERM')
    }, after)
  }, 50)
  // a run that never stops (the fault this file tests) is not left behind
  const reaper = setTimeout(() => {
    child.kill('SIGKILL')
    feeder?.kill('SIGKILL')
  }, 15_000)
  return new Promise((resolve) => {
    child.on('exit', (code) => {
      clearTimeout(reaper)
      clearInterval(poll)
      feeder?.kill('SIGKILL')
      resolve({ code, stderr, ms: Date.now() - sent })
    })
  })
}

describe('hcert issue on input that never yields a record', () => {
  it.each(['/dev/zero', '/dev/urandom'])('%s is refused within seconds (ERR_INPUT, exit 3)', (device) => {
    const started = Date.now()
    const result = spawnSync(process.execPath, issueArgs(device), { encoding: 'utf8', timeout: 20_000 })
    expect(result.status).toBe(3)
    expect(result.stderr).toMatch(/ERR_INPUT\] input: line \d+ holds a NUL byte/)
    expect(Date.now() - started).toBeLessThan(10_000)
  })

  it('stdin without a line end, ever: refused past 64 Mi characters (a 48 MB cell is still one rejection)', async () => {
    const feeder = spawn('sh', ['-c', "yes | tr -d '\\n'"], { stdio: ['ignore', 'pipe', 'ignore'] })
    const child = spawn(process.execPath, issueArgs('-'), { stdio: [feeder.stdout, 'ignore', 'pipe'] })
    let stderr = ''
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()))
    const reaper = setTimeout(() => child.kill('SIGKILL'), 40_000)
    const code = await new Promise((resolve) => child.on('exit', resolve))
    clearTimeout(reaper)
    feeder.kill('SIGKILL')
    expect(code).toBe(3)
    expect(stderr).toContain('input: line 1 runs past 67,108,864 characters without a line end')
  })

  it('stdin fed bytes without a line end, slowly: SIGTERM after 1 s exits 143 at once', async () => {
    const result = await issueThenTerm('-', 'while :; do printf aaaa; sleep 0.05; done', 1000)
    expect(result.code).toBe(143)
    expect(result.stderr).toContain('Interrupted (SIGTERM)')
    expect(result.ms).toBeLessThan(2000)
  })

  it('a FIFO whose writer sends nothing, or that has no writer: SIGTERM after 1 s exits 143 at once', async () => {
    for (const writer of [true, false]) {
      const fifo = join(tmp, `fifo-${n}`)
      spawnSync('mkfifo', [fifo])
      const holder = writer ? spawn('sh', ['-c', `exec sleep 30 > "$1"`, 'sh', fifo]) : undefined
      const result = await issueThenTerm(fifo, undefined, 1000)
      holder?.kill('SIGKILL')
      expect(result.code).toBe(143)
      expect(result.stderr).toContain('Interrupted (SIGTERM)')
      expect(result.ms).toBeLessThan(2000)
    }
  })
})
