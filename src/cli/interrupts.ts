/**
 * Ctrl-C (SIGINT) and SIGTERM during a long run (issue, renew): the first asks the run to stop
 * between records (the chunk in flight is finished or rolled back, temporary files removed); the
 * command then reports what was committed and exits 130 (SIGINT) or 143 (SIGTERM), as a shell
 * does for a process killed by the signal (128 + its number). A second signal stops at once: the
 * ledger commits whole chunks, so even then nothing half-done is left, and temporary files are removed.
 */
import { writeSync } from 'node:fs'
import { EXIT } from '../errors.js'
import { removeTemporaryFiles } from '../fs/atomic-file.js'
import { stderrFailure, stdoutFailure } from './stdout-errors.js'

export const SIGNAL_EXIT = { SIGINT: EXIT.INTERRUPTED, SIGTERM: EXIT.TERMINATED } as const
export type StopSignal = keyof typeof SIGNAL_EXIT

export interface Interrupts {
  /** aborted on the first signal, with the signal's name as its reason */
  signal: AbortSignal
  /** the exit code for the signal received, if any */
  exitCode(): (typeof SIGNAL_EXIT)[StopSignal] | undefined
  /** removes the handlers (the default behaviour comes back) */
  release(): void
}

/**
 * What a quick stop (the second signal) says before the process ends: `text`, one line on stderr
 * (what was committed, run the same command again), and with --json `json` on stdout. Written
 * synchronously; a stream that fails is passed over: the stop is never delayed.
 */
export interface QuickStop {
  text: string
  json?: Record<string, unknown>
}

export function catchInterrupts(
  notice: (text: string) => void,
  quickStop?: (signal: StopSignal) => QuickStop,
): Interrupts {
  const controller = new AbortController()
  let received: StopSignal | undefined
  const onSignal = (name: StopSignal): void => {
    if (received) {
      removeTemporaryFiles()
      if (quickStop) sayQuickStop(quickStop, name)
      process.exit(SIGNAL_EXIT[name])
    }
    received = name
    notice(`${name}: stopping after the chunk in flight (send it again to stop at once)`)
    controller.abort(name)
  }
  const handlers = (Object.keys(SIGNAL_EXIT) as StopSignal[]).map((name) => {
    const handler = (): void => onSignal(name)
    process.on(name, handler)
    return [name, handler] as const
  })
  return {
    signal: controller.signal,
    exitCode: () => (received ? SIGNAL_EXIT[received] : undefined),
    release: () => {
      for (const [name, handler] of handlers) process.off(name, handler)
    },
  }
}

function sayQuickStop(quickStop: (signal: StopSignal) => QuickStop, name: StopSignal): void {
  try {
    const { text, json } = quickStop(name)
    if (json && !stdoutFailure()) writeAll(1, `${JSON.stringify(json, null, 2)}\n`)
    if (!stderrFailure()) writeAll(2, `\n${text}\n`)
  } catch {
    // a closed or full stream: the stop goes on
  }
}

function writeAll(fd: number, text: string): void {
  const bytes = Buffer.from(text)
  let offset = 0
  while (offset < bytes.length) offset += writeSync(fd, bytes, offset)
}
