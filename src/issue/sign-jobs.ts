/**
 * Signing many certificates: inline for small batches; for large ones on worker threads (one per
 * core but one), with the main thread signing too whenever it would otherwise wait for them. A job
 * is a payload and its claims; the answer is the HC1 text, in the same order.
 */
import { availableParallelism } from 'node:os'
import { Worker } from 'node:worker_threads'
import { DccError, ERROR_CODES, type ErrorCode } from '../errors.js'
import { encodeCborSequence } from '../codec/cbor.js'
import { signHc1, type SignClaims } from '../hcert/sign-hc1.js'
import type { Signer } from '../keys/signer.js'
import { qrWriter } from '../qr/load-qr-writer.js'

export interface SignJob {
  dcc: Record<string, unknown>
  claims: SignClaims
}

export interface SignerSource {
  dir: string
  passphrase: string | undefined
  /** the PKCS#11 user PIN, when the DSC key is in a token (each thread opens its own session) */
  pin?: string | undefined
}

/** A certificate whose QR images are to be written: named by its UVCI, encoding its HC1 text. */
export interface ImageJob {
  uvci: string
  hc1: string
}

export interface JobSigner {
  /** Starts signing; the texts come back in the order of the jobs. */
  sign(jobs: readonly SignJob[]): Promise<string[]>
  /**
   * Starts writing the PNG and SVG QR images of each certificate into `dir` (write-qr.ts
   * writeQrFiles): drawn on the signing threads when there are any, the files written from this
   * thread (on libuv's threads), so that every temporary file is this thread's to remove on an
   * interrupt; resolves once all are written, rejects with the first failure.
   */
  writeImages(dir: string, jobs: readonly ImageJob[]): Promise<void>
  /** Does some waiting jobs on this thread; false when none are waiting (see signed()). */
  help(): boolean
  close(): Promise<void>
}

export function inlineSigner(signer: Signer): JobSigner {
  return {
    sign: async (jobs) => jobs.map((job) => signHc1(job.dcc, job.claims, signer).hc1),
    writeImages: async (dir, jobs) => {
      const { writeQrFiles } = await qrWriter()
      await Promise.all(jobs.map((job) => writeQrFiles(dir, job.uvci, job.hc1)))
    },
    help: () => false,
    close: async () => undefined,
  }
}

/**
 * One signing thread per core but one: the main thread checks records, writes the ledger and signs
 * when it has nothing else to do, and on two cores a second signing thread only competes with it
 * (measured before the main thread signed: 13,000/s with one, 10,600/s with two).
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
  /** each job's key under -260 (SignClaims.key): 1, or -6 for an ICVP */
  key: Int8Array
}

/** A part of the QR images to draw, as one message (see ImageJob): the HC1 texts. */
export interface ImageMessage {
  id: number
  hc1s: string[]
}

/** The images a signing thread drew for an ImageMessage: PNG then SVG of each, end to end. */
export interface DrawnImages {
  bytes: Uint8Array<ArrayBuffer>
  /** where each image ends in bytes: 2 per certificate */
  ends: Uint32Array
}

export function packImages(drawn: ReadonlyArray<{ png: Uint8Array; svg: Uint8Array }>): DrawnImages {
  let total = 0
  for (const { png, svg } of drawn) total += png.length + svg.length
  const bytes = new Uint8Array(total)
  const ends = new Uint32Array(2 * drawn.length)
  let at = 0
  drawn.forEach(({ png, svg }, i) => {
    bytes.set(png, at)
    ends[2 * i] = at += png.length
    bytes.set(svg, at)
    ends[2 * i + 1] = at += svg.length
  })
  return { bytes, ends }
}

export function unpackImages(drawn: DrawnImages): Array<{ png: Buffer; svg: Buffer }> {
  const { bytes, ends } = drawn
  const buffer = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength)
  const images: Array<{ png: Buffer; svg: Buffer }> = []
  let start = 0
  for (let i = 0; i < ends.length; i += 2) {
    const pngEnd = ends[i] as number
    const svgEnd = ends[i + 1] as number
    images.push({ png: buffer.subarray(start, pngEnd), svg: buffer.subarray(pngEnd, svgEnd) })
    start = svgEnd
  }
  return images
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
    key: Int8Array.from(jobs, (job) => job.claims.key ?? 1),
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
    if (message.key[i] === -6) claims.key = -6
    yield [message.dccs.subarray(start, end), claims]
    start = end
  }
}

/** Jobs go to the threads in parts of this many (~6 ms of ES256 signing, ~45 ms of PS256). */
const PART_SIZE = 100
/** QR images go in parts of this many certificates (~0.3 ms each: about a part of ES256 signing). */
const IMAGE_PART_SIZE = 20
/**
 * A thread is given parts ahead worth this much signing: enough to outlast the main thread's longest
 * stretch without a turn of its event loop (checking a chunk, ~25 ms; committing one, ~15 ms), in
 * which no new part can be handed out. The rest wait in a queue the main thread can take from, so
 * no more is given ahead than that: with PS256 (a part is ~45 ms) ten parts ahead left the main
 * thread nothing to take at the end of a run and 5,000 records took 1.2 times one core's time.
 */
const AHEAD_MS = 60
/** parts ahead before the first answer tells how long a part takes, and at most */
const FIRST_AHEAD = 2
const MOST_AHEAD = 10

interface Task {
  texts: string[]
  left: number
  resolve: (texts: string[]) => void
  reject: (err: Error) => void
}

interface Part {
  task: Task
  offset: number
  /** certificates to sign, or (with `dir`) whose images to write */
  jobs: readonly SignJob[]
  images?: { dir: string; jobs: readonly ImageJob[] }
}

/**
 * Workers load the key themselves from the key directory and take parts in order; the main thread,
 * when it would otherwise wait for them, signs parts from the back of the queue with its own copy of
 * the key (help()). That keeps both cores busy whichever side is the slower: with ES256 the main
 * thread's own work is about a worker's, with PS256 signing is nearly all of it.
 */
export function workerSigner(
  source: SignerSource,
  signer: Signer,
  threads: number = DEFAULT_SIGNING_THREADS,
): JobSigner {
  const url = new URL('./sign-worker.js', import.meta.url)
  // small heaps: a signing thread holds a few parts at a time, and a million-record run must stay flat
  const resourceLimits = { maxOldGenerationSizeMb: 64, maxYoungGenerationSizeMb: 16 }
  const workers = Array.from({ length: Math.max(1, threads) }, () => ({
    thread: new Worker(url, { workerData: source, resourceLimits }),
    given: 0,
  }))
  let sequence = 0
  let writer: Awaited<ReturnType<typeof qrWriter>> | undefined
  const queue: Part[] = []
  const given = new Map<number, Part>()
  const tasks = new Set<Task>()

  const finished = (part: Part, texts: readonly string[]): void => {
    const { task } = part
    for (let i = 0; i < texts.length; i++) task.texts[part.offset + i] = texts[i] as string
    task.left -= part.images ? part.images.jobs.length : texts.length
    if (task.left === 0) {
      tasks.delete(task)
      task.resolve(task.texts)
    }
  }
  const fail = (err: Error): void => {
    for (const task of tasks) task.reject(err)
    tasks.clear()
    queue.length = 0
    given.clear()
  }
  /** writes the images of a part, drawn here or on a signing thread; the part is done when its files are */
  const writeDrawn = (part: Part, drawn: ReadonlyArray<{ png: Buffer; svg: Buffer }>): void => {
    const { writeQrImageFiles } = writer as NonNullable<typeof writer>
    const { dir, jobs } = part.images as NonNullable<Part['images']>
    Promise.all(
      jobs.map((job, i) => writeQrImageFiles(dir, job.uvci, drawn[i] as (typeof drawn)[number])),
    ).then(
      () => finished(part, []),
      (err: Error) => fail(err),
    )
  }
  let ahead = FIRST_AHEAD
  const dispatch = (): void => {
    for (const worker of workers) {
      while (worker.given < ahead && queue.length > 0) {
        const part = queue.shift() as Part
        const id = sequence++
        given.set(id, part)
        worker.given++
        if (part.images) {
          const message: ImageMessage = { id, hc1s: part.images.jobs.map((job) => job.hc1) }
          worker.thread.postMessage(message)
          continue
        }
        const message = packJobs(id, part.jobs)
        worker.thread.postMessage(message, [message.dccs.buffer])
      }
    }
  }
  for (const worker of workers) {
    type Answer = {
      id: number
      hc1?: string[]
      drawn?: DrawnImages
      ms?: number
      error?: string
      code?: string
    }
    worker.thread.on('message', (message: Answer) => {
      worker.given--
      if (message.ms !== undefined)
        ahead = Math.min(MOST_AHEAD, Math.max(FIRST_AHEAD, Math.ceil(AHEAD_MS / Math.max(message.ms, 0.1))))
      const part = given.get(message.id)
      given.delete(message.id)
      if (message.error !== undefined)
        // a coded error (e.g. ERR_USAGE for an image that cannot be written: a full disk) stays coded
        fail(
          message.code !== undefined && message.code in ERROR_CODES
            ? new DccError(message.code as ErrorCode, message.error)
            : Object.assign(new Error(message.error), { code: message.code }),
        )
      else if (part?.images && message.drawn) writeDrawn(part, unpackImages(message.drawn))
      else if (part) finished(part, message.hc1 ?? [])
      dispatch()
    })
    worker.thread.on('error', fail)
  }
  return {
    sign(jobs) {
      if (jobs.length === 0) return Promise.resolve([])
      return new Promise((resolve, reject) => {
        const task: Task = { texts: new Array<string>(jobs.length), left: jobs.length, resolve, reject }
        tasks.add(task)
        for (let offset = 0; offset < jobs.length; offset += PART_SIZE)
          queue.push({ task, offset, jobs: jobs.slice(offset, offset + PART_SIZE) })
        dispatch()
      })
    },
    async writeImages(dir, jobs) {
      if (jobs.length === 0) return
      // loaded here first, so that help() can write a part of them on this thread too
      writer ??= await qrWriter()
      await new Promise<string[]>((resolve, reject) => {
        const task: Task = { texts: [], left: jobs.length, resolve, reject }
        tasks.add(task)
        for (let offset = 0; offset < jobs.length; offset += IMAGE_PART_SIZE)
          queue.push({
            task,
            offset,
            jobs: [],
            images: { dir, jobs: jobs.slice(offset, offset + IMAGE_PART_SIZE) },
          })
        dispatch()
      })
    },
    help() {
      const part = queue.pop()
      if (!part) return false
      if (part.images) {
        // drawn now, written on libuv's threads; the part is done when the files are
        const { qrImages } = writer as NonNullable<typeof writer>
        writeDrawn(
          part,
          part.images.jobs.map((job) => qrImages(job.hc1)),
        )
        return true
      }
      finished(
        part,
        part.jobs.map((job) => signHc1(job.dcc, job.claims, signer).hc1),
      )
      return true
    },
    async close() {
      await Promise.all(workers.map((worker) => worker.thread.terminate()))
    },
  }
}

/**
 * The texts of a signing started with `signer.sign` (or the end of images started with
 * `writeImages`): while they are not all back, this thread does what is still waiting (between parts
 * it lets the workers' answers in), then waits.
 */
export async function signed<T>(signing: Promise<T>, signer: JobSigner): Promise<T> {
  let settled = false
  signing.then(
    () => (settled = true),
    () => (settled = true),
  )
  await null // a signing already settled is seen as settled from here
  while (!settled && signer.help()) await new Promise((resolve) => setImmediate(resolve))
  return signing
}
