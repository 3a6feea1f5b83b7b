/**
 * The synchronous PostgreSQL connection (sync-client.ts): the thread posts an answer, counts up,
 * then wakes the caller (Atomics.notify). A thread paused between the two (a loaded machine) wakes
 * the caller late, during its next call: a caller that took that wake-up for its answer found the
 * port empty and failed at once with ETIMEDOUT "no answer" (seen in the 4-process renew test). Such
 * late wake-ups are made here on purpose, without end, by a thread that notifies the caller's flag
 * in a loop: every call must still get its own answer.
 */
import { Worker } from 'node:worker_threads'
import { describe, expect, it } from 'vitest'
import { SyncPgClient } from '../../src/ledger/pg/sync-client.js'
import { PG_AVAILABLE, PG_URL, requirePgInCi } from '../helpers/pg.js'

requirePgInCi()

/** a thread that wakes whoever waits on `flag` (index 0), over and over, until stopped */
function wakeUps(flag: SharedArrayBuffer): { stop(): Promise<void> } {
  const stop = new SharedArrayBuffer(4)
  const worker = new Worker(
    `const { workerData } = require('node:worker_threads')
     const signal = new Int32Array(workerData.flag)
     const stop = new Int32Array(workerData.stop)
     while (Atomics.load(stop, 0) === 0) Atomics.notify(signal, 0)`,
    { eval: true, workerData: { flag, stop } },
  )
  return {
    async stop() {
      Atomics.store(new Int32Array(stop), 0, 1)
      await new Promise((resolve) => worker.once('exit', resolve))
    },
  }
}

describe.skipIf(!PG_AVAILABLE)('SyncPgClient', () => {
  it('wake-ups that are not its answer (late notifies) never end a call: each of 300 calls gets its own answer', async () => {
    const client = new SyncPgClient({ connectionString: PG_URL }, 20_000)
    client.connect()
    // the flag the thread counts answers on (private: reached here to wake the caller out of turn)
    const flag = (client as unknown as { signal: Int32Array }).signal.buffer as SharedArrayBuffer
    const spurious = wakeUps(flag)
    try {
      for (let i = 0; i < 300; i++) {
        const [row] = client.query<{ n: number }>('SELECT $1::int AS n, pg_sleep(0.001)', [i])
        if (row?.n !== i) expect(row?.n).toBe(i)
      }
    } finally {
      await spurious.stop()
      client.close()
    }
  }, 60_000)
})
