/**
 * Copying the ledger's write-ahead log into the database file on a thread of its own, so that a
 * batch's main thread (which checks records and commits them) does not stop for it. SQLite's own
 * checkpoint runs inside the commit that crosses its threshold: ~200 ms of copying every 40 MB of
 * log, ~8 µs a certificate on the busiest thread of a two-core run (README "Benchmarks").
 *
 * The thread has a connection of its own and runs PASSIVE checkpoints, which never block the writer:
 * they copy what no reader still needs and leave the rest for the next one. Nothing about what is
 * committed changes (a commit is durable in the log before any checkpoint), and the writer's own
 * automatic checkpoint stays as the fallback should this thread lag or fail.
 */
import { createRequire } from 'node:module'
import { Worker } from 'node:worker_threads'

/**
 * The thread's code, as a string so that it runs the same from the sources and the build (it needs
 * nothing of ours). It answers each message with the checkpoint's figures, or an error.
 */
const THREAD = `
const { parentPort, workerData } = require('node:worker_threads')
const Database = require(workerData.sqlite)
const db = new Database(workerData.path, { fileMustExist: true })
parentPort.on('message', (message) => {
  if (message === 'close') {
    db.close()
    parentPort.close()
    return
  }
  try {
    const [row] = db.pragma('wal_checkpoint(PASSIVE)')
    parentPort.postMessage({ log: row.log, checkpointed: row.checkpointed })
  } catch (err) {
    parentPort.postMessage({ error: String(err && err.message) })
  }
})
`

export interface CheckpointResult {
  /** frames in the log when the checkpoint ran */
  log: number
  /** frames of it now in the database file */
  checkpointed: number
}

export class BackgroundCheckpoint {
  private readonly path: string
  /** started at the first request: a run too short to ask for one does not pay for the thread */
  private worker: Worker | undefined
  private running: Promise<CheckpointResult | undefined> | undefined
  private settle: ((result: CheckpointResult | undefined) => void) | undefined
  private failed = false

  constructor(path: string) {
    this.path = path
  }

  /** Starts a checkpoint unless one is running (then that one will do). */
  request(): void {
    if (this.running || this.failed) return
    this.running = new Promise((resolve) => {
      this.settle = resolve
    })
    this.worker ??= this.start()
    this.worker.postMessage('checkpoint')
  }

  /** The checkpoint running now, if any; undefined when it failed (the writer's own then takes over). */
  async idle(): Promise<CheckpointResult | undefined> {
    return this.running
  }

  /** Waits for a running checkpoint, then closes the thread's connection. */
  async close(): Promise<void> {
    await this.running
    const worker = this.worker
    if (!worker) return
    if (this.failed) {
      await worker.terminate()
      return
    }
    const exited = new Promise((resolve) => worker.once('exit', resolve))
    worker.postMessage('close')
    await exited
  }

  private start(): Worker {
    const sqlite = createRequire(import.meta.url).resolve('better-sqlite3')
    const worker = new Worker(THREAD, {
      eval: true,
      workerData: { path: this.path, sqlite },
      resourceLimits: { maxOldGenerationSizeMb: 16, maxYoungGenerationSizeMb: 4 },
    })
    worker.on('message', (message: CheckpointResult | { error: string }) => {
      if ('error' in message) this.failed = true
      this.done('error' in message ? undefined : message)
    })
    worker.on('error', () => {
      this.failed = true
      this.done(undefined)
    })
    return worker
  }

  private done(result: CheckpointResult | undefined): void {
    const settle = this.settle
    this.running = undefined
    this.settle = undefined
    settle?.(result)
  }
}
