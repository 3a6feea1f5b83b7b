import { spawnSync } from 'node:child_process'
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
