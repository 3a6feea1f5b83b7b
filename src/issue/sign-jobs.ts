/**
 * Signing many certificates: inline for small batches, on worker threads (one per core) for large
 * ones. A job is a payload and its claims; the answer is the HC1 text, in the same order.
 */
import { availableParallelism } from 'node:os'
import { Worker } from 'node:worker_threads'
import { encodeCborSequence } from '../codec/cbor.js'
import { signHc1, type SignClaims } from '../hcert/sign-hc1.js'
import type { Signer } from '../keys/signer.js'

export interface SignJob {
  dcc: Record<string, unknown>
  claims: SignClaims
}

export interface SignerSource {
  dir: string
  passphrase: string | undefined
}

export interface JobSigner {
  /** whether signing runs on threads of its own */
  readonly threaded: boolean
  sign(jobs: readonly SignJob[]): Promise<string[]>
  close(): Promise<void>
}

export function inlineSigner(signer: Signer): JobSigner {
  return {
    threaded: false,
    sign: async (jobs) => jobs.map((job) => signHc1(job.dcc, job.claims, signer).hc1),
    close: async () => undefined,
  }
}

/**
 * One signing thread per core but one: the main thread checks records and writes the ledger, and on
 * two cores a second signer only competes with it (measured: 13,000/s with one, 10,600/s with two).
 */
export const DEFAULT_SIGNING_THREADS = Math.max(1, availableParallelism() - 1)

/**
 * A part of a chunk as one message: the DCCs encoded as CBOR here, end to end in one transferred
 * buffer (bytes cross threads far cheaper than an object graph, a thousand small buffers cost an
 * ArrayBuffer each, and the encoding moves off the signing threads), and the claims side by side.
 */
export interface SignMessage {
  id: number
  dccs: Uint8Array<ArrayBuffer>
  /** where each DCC ends in dccs */
  ends: Uint32Array
  iss: Array<string | undefined>
  iat: Float64Array
  exp: Float64Array
}

export function packJobs(id: number, jobs: readonly SignJob[]): SignMessage {
  const { bytes: dccs, ends } = encodeCborSequence(jobs.map((job) => job.dcc))
  return {
    id,
    dccs,
    ends,
    iss: jobs.map((job) => job.claims.iss),
    iat: Float64Array.from(jobs, (job) => job.claims.iat),
    exp: Float64Array.from(jobs, (job) => job.claims.exp),
  }
}

/** The jobs of a message, each as its DCC's CBOR and its claims (what a signing thread needs). */
export function* unpackJobs(message: SignMessage): Generator<[Uint8Array, SignClaims]> {
  let start = 0
  for (let i = 0; i < message.ends.length; i++) {
    const end = message.ends[i] as number
    const iss = message.iss[i]
    const claims: SignClaims = { iat: message.iat[i] as number, exp: message.exp[i] as number }
    if (iss !== undefined) claims.iss = iss
    yield [message.dccs.subarray(start, end), claims]
    start = end
  }
}

/** Workers load the key themselves from the key directory; each chunk is split between them. */
export function workerSigner(source: SignerSource, threads: number = DEFAULT_SIGNING_THREADS): JobSigner {
  const url = new URL('./sign-worker.js', import.meta.url)
  // small heaps: a signing thread holds one chunk at a time, and a million-record run must stay flat
  const resourceLimits = { maxOldGenerationSizeMb: 64, maxYoungGenerationSizeMb: 16 }
  const workers = Array.from(
    { length: Math.max(1, threads) },
    () => new Worker(url, { workerData: source, resourceLimits }),
  )
  let sequence = 0
  const pending = new Map<number, { resolve: (hc1: string[]) => void; reject: (err: Error) => void }>()
  for (const worker of workers) {
    worker.on('message', (message: { id: number; hc1?: string[]; error?: string }) => {
      const waiter = pending.get(message.id)
      pending.delete(message.id)
      if (message.error !== undefined) waiter?.reject(new Error(message.error))
      else waiter?.resolve(message.hc1 ?? [])
    })
    worker.on('error', (err) => {
      for (const waiter of pending.values()) waiter.reject(err)
      pending.clear()
    })
  }
  const run = (worker: Worker, jobs: readonly SignJob[]): Promise<string[]> =>
    new Promise((resolve, reject) => {
      const id = sequence++
      pending.set(id, { resolve, reject })
      const message = packJobs(id, jobs)
      worker.postMessage(message, [message.dccs.buffer])
    })
  return {
    threaded: true,
    async sign(jobs) {
      const size = Math.ceil(jobs.length / workers.length)
      const parts = await Promise.all(
        workers.map((worker, i) => run(worker, jobs.slice(i * size, (i + 1) * size))),
      )
      return parts.flat()
    },
    async close() {
      await Promise.all(workers.map((worker) => worker.terminate()))
    },
  }
}
