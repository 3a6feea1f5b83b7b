import { spawn, spawnSync } from 'node:child_process'
import { join } from 'node:path'

export const BIN = join(import.meta.dirname, '..', '..', 'bin', 'run.js')

export interface CliResult {
  code: number
  stdout: string
  stderr: string
}

/** Runs the built CLI as a user would, with optional stdin bytes. */
export function runCli(
  args: string[],
  options: { input?: string | Uint8Array; env?: Record<string, string>; timeout?: number } = {},
): CliResult {
  const result = spawnSync(process.execPath, [BIN, ...args], {
    input: options.input ?? '',
    env: { ...process.env, NO_COLOR: '1', ...options.env },
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
    // a run that hangs is killed (status null, code -1) rather than holding up the suite
    ...(options.timeout ? { timeout: options.timeout, killSignal: 'SIGKILL' as const } : {}),
  })
  return { code: result.status ?? -1, stdout: result.stdout, stderr: result.stderr }
}

/**
 * Runs the built CLI as a real process and, once `ready()` holds (polled every 20 ms), sends it
 * `signals` in turn, `gapMs` apart (a second Ctrl-C: two). Resolves with its exit code and output;
 * rejects when it ends before `ready()` held (`tooSmall` says how to make it last).
 */
export function signalWhen(
  args: string[],
  ready: () => boolean,
  signals: NodeJS.Signals[],
  tooSmall = 'make the input larger',
  gapMs = 20,
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const child = spawn(process.execPath, [BIN, ...args], { env: { ...process.env, NO_COLOR: '1' } })
  let stdout = ''
  let stderr = ''
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString()))
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()))
  let sent = false
  const poll = setInterval(() => {
    if (sent || !ready()) return
    sent = true
    signals.forEach((signal, i) => setTimeout(() => child.kill(signal), i * gapMs))
  }, 20)
  return new Promise((resolve, reject) => {
    child.on('exit', (code) => {
      clearInterval(poll)
      if (!sent) reject(new Error(`the run finished before it could be interrupted; ${tooSmall}`))
      else resolve({ code, stdout, stderr })
    })
  })
}
