/**
 * Ctrl-C (SIGINT) and SIGTERM during a long run (issue, renew): the first asks the run to stop
 * between records (the chunk in flight is finished or rolled back, temporary files removed); the
 * command then reports what was committed and exits 130 (SIGINT) or 143 (SIGTERM), as a shell
 * does for a process killed by the signal (128 + its number). A second signal stops at once: the
 * ledger commits whole chunks, so even then nothing half-done is left, and temporary files are removed.
 */
import { EXIT } from '../errors.js'
import { removeTemporaryFiles } from '../fs/atomic-file.js'

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

export function catchInterrupts(notice: (text: string) => void): Interrupts {
  const controller = new AbortController()
  let received: StopSignal | undefined
  const onSignal = (name: StopSignal): void => {
    if (received) {
      removeTemporaryFiles()
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
