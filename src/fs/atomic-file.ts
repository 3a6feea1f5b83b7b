/**
 * How hcert writes a file: under a random temporary name in the target's own folder, created
 * exclusively (O_CREAT | O_EXCL | O_NOFOLLOW) with mode 0600 unless told otherwise, then renamed over
 * the target in one step when complete. So
 * - a symbolic link planted at the target or at a temporary name is never written through: the
 *   exclusive create refuses any existing name, and rename replaces a link instead of following it;
 * - the target is either its old self or the whole new file, never a truncated mix;
 * - the mode is the one asked for whatever a file at the target had before (the umask only narrows it,
 *   and it is set again on the open file).
 * A temporary file not committed when the process exits (an error, an interrupt) is removed.
 * Errors are coded (see writeError).
 *
 * Two ways in: AtomicFile (synchronous, streamed: outputs, keys) and writeFileAtomicAsync (a whole
 * small file on libuv's threads, many at once: QR images), with the same guarantees.
 */
import { randomBytes } from 'node:crypto'
import {
  close,
  closeSync,
  constants,
  fchmod,
  fchmodSync,
  fstatSync,
  fsyncSync,
  lstatSync,
  open,
  openSync,
  readdirSync,
  realpathSync,
  rename,
  renameSync,
  unlink,
  unlinkSync,
  write,
  writeSync,
} from 'node:fs'
import { opendir } from 'node:fs/promises'
import type { Dir } from 'node:fs'
import { basename, dirname, join, resolve } from 'node:path'
import { DccError } from '../errors.js'
import { releaseAllLocks } from './lock-file.js'
import { lockOutput } from './output-lock.js'
import { writeError } from './write-error.js'

/** personal data and keys: readable and writable by the owner alone */
export const PRIVATE_MODE = 0o600
/** folders hcert creates */
export const PRIVATE_DIR_MODE = 0o700

const CREATE = constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | (constants.O_NOFOLLOW ?? 0)
const BUFFER_BYTES = 256 * 1024

/** temporary files of this thread not yet committed or discarded, removed at exit */
const live = new Set<string>()
/** those of them whose asynchronous open() is on libuv's threads, not yet answered (a subset of live) */
const opening = new Set<string>()
let exitHook = false

/** longest removeTemporaryFiles waits for temporary files being created on libuv's threads */
const SETTLE_MS = 250
const pause = new Int32Array(new SharedArrayBuffer(4))

/**
 * Removes every temporary file not yet committed, and releases the locks this process holds
 * (lock-file.ts: only those still its own), synchronously: safe in an exit or signal handler.
 * A file whose asynchronous creation was started but not answered may appear after the first pass
 * (libuv's threads go on, and finish what was queued, while the process exits): such names are
 * tried again, 2 ms apart, until each has been removed or SETTLE_MS have passed (a creation that
 * failed never appears). At most MAX_IN_FLIGHT creations are ever started at once.
 */
export function removeTemporaryFiles(): void {
  const waiting = new Set<string>()
  for (const path of live) {
    try {
      unlinkSync(path)
    } catch {
      if (opening.has(path)) waiting.add(path) // not created yet, or already gone
    }
  }
  live.clear()
  opening.clear()
  releaseAllLocks()
  const deadline = performance.now() + SETTLE_MS
  while (waiting.size > 0 && performance.now() < deadline) {
    Atomics.wait(pause, 0, 0, 2)
    for (const path of waiting) {
      try {
        unlinkSync(path)
        waiting.delete(path)
      } catch {
        // not there yet
      }
    }
  }
}

function track(path: string): void {
  if (!exitHook) {
    process.once('exit', removeTemporaryFiles)
    exitHook = true
  }
  live.add(path)
}

/** a random part for temporary names: 6 bytes drawn 256 names at a time (one call instead of 256) */
let randomPool = Buffer.alloc(0)
let randomAt = 0
function randomPart(): string {
  if (randomAt >= randomPool.length) {
    randomPool = randomBytes(6 * 256)
    randomAt = 0
  }
  randomAt += 6
  return randomPool.toString('hex', randomAt - 6, randomAt)
}

/** `.<name>.<pid>.<12 hex digits>.partial` beside the target: the pid tells a stale one (see removeStaleTemporaries) */
function temporaryFor(target: string): string {
  return join(dirname(target), `.${basename(target)}.${process.pid}.${randomPart()}.partial`)
}

/** `.<name>.<pid>.<12 hex>.partial` (and `.<name>.<12 hex>.partial`, as hcert named them before the pid) */
function temporaryName(name: string): RegExp {
  return new RegExp(
    `^\\.${name.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\\.(?:(\\d+)\\.)?[0-9a-f]{12}\\.partial$`,
  )
}
/** a temporary without a pid in its name is stale when unchanged this long */
const STALE_WITHOUT_PID_MS = 60 * 60 * 1000

function processGone(pid: number): boolean {
  if (pid === process.pid) return false
  try {
    process.kill(pid, 0)
    return false
  } catch (cause) {
    // EPERM: it runs, as another user
    return (cause as NodeJS.ErrnoException).code === 'ESRCH'
  }
}

/**
 * Removes the temporary files an earlier hcert left beside `target` when it was killed (SIGKILL,
 * a power cut: no exit handler ran): only names of hcert's own pattern for this very target,
 * only regular files (a symbolic link is never followed, nor removed), owned by this user, and
 * only when the process that made one is gone (its pid is in the name; without one, from an older
 * hcert, when unchanged for an hour), and never a file the run uses (keepFromCleanup). Best
 * effort: a file it cannot remove is left.
 */
export function removeStaleTemporaries(target: string): void {
  const folder = dirname(target)
  let names: string[]
  try {
    names = readdirSync(folder)
  } catch {
    return
  }
  const pattern = temporaryName(basename(target))
  for (const entry of names) removeIfStale(folder, entry, pattern)
}

/** any name of the temporary pattern with a pid: `.<name>.<pid>.<12 hex>.partial` */
const ANY_TEMPORARY = /^\..+\.(\d+)\.[0-9a-f]{12}\.partial$/

/**
 * As removeStaleTemporaries, for every target in `folder` at once: the temporary files of QR images
 * (`--qr-dir`) a killed run left, whose targets are not known. Only names with the pid of a process
 * that is gone; read a few hundred names at a time (a folder may hold a million images).
 * Resolves when done; never rejects.
 */
export async function removeStaleTemporariesIn(folder: string): Promise<void> {
  let dir: Dir
  try {
    dir = await opendir(folder, { bufferSize: 256 })
  } catch {
    return
  }
  try {
    for await (const entry of dir) removeIfStale(folder, entry.name, ANY_TEMPORARY)
  } catch {
    // the folder went away meanwhile
  }
}

/** files this run uses (keepFromCleanup): by their folder's real path and name, and by device:inode */
const kept = new Set<string>()

/** `<real path of the folder>/<name>`: one spelling of a path whatever links or `..` it goes through */
function folderName(path: string): string {
  try {
    return join(realpathSync(dirname(path)), basename(path))
  } catch {
    return resolve(path)
  }
}

/**
 * Files the run itself uses (its input, its ledger with its -wal, -shm and -journal files, its
 * outputs): removeStaleTemporaries and removeStaleTemporariesIn never remove one, whatever its name,
 * even one named like a temporary file of a run that is gone. Known by path (one that does not exist
 * yet: a ledger's -wal) and, when it exists, by device and inode (another name of the same file).
 */
export function keepFromCleanup(paths: readonly string[]): void {
  for (const path of paths) {
    kept.add(folderName(path))
    const stat = lstatSync(path, { throwIfNoEntry: false })
    if (stat?.isFile()) kept.add(`${stat.dev}:${stat.ino}`)
  }
}

let streams: Set<string> | undefined

/**
 * device:inode of the regular files behind stdin, stdout and stderr (`< .x.1.abcdef123456.partial`):
 * files the run uses whatever their names, for every command that sweeps, whether or not it was
 * told `-`. Read once (fstat of fd 0, 1, 2); a stream that is a pipe or a terminal adds nothing.
 */
function standardStreams(): Set<string> {
  if (streams === undefined) {
    streams = new Set()
    for (const fd of [0, 1, 2]) {
      try {
        const stat = fstatSync(fd)
        if (stat.isFile()) streams.add(`${stat.dev}:${stat.ino}`)
      } catch {
        // closed
      }
    }
  }
  return streams
}

/** removes folder/entry when it matches `pattern` (group 1: the pid, if any) and is stale */
function removeIfStale(folder: string, entry: string, pattern: RegExp): void {
  const match = pattern.exec(entry)
  if (!match) return
  const path = join(folder, entry)
  if (live.has(path)) return
  try {
    const stat = lstatSync(path)
    const uid = process.getuid?.()
    if (!stat.isFile() || (uid !== undefined && stat.uid !== uid)) return
    const id = `${stat.dev}:${stat.ino}`
    if (standardStreams().has(id)) return
    if (kept.size > 0 && (kept.has(id) || kept.has(folderName(path)))) return
    const stale =
      match[1] !== undefined
        ? processGone(Number(match[1]))
        : Date.now() - stat.mtimeMs > STALE_WITHOUT_PID_MS
    if (stale) unlinkSync(path)
  } catch {
    // gone meanwhile, or not ours to remove
  }
}

export interface AtomicFileOptions {
  /** default 0600 */
  mode?: number
  /** fsync before the rename, so that a crash cannot leave an empty file in place (default true) */
  durable?: boolean
  /**
   * The flag that named the target (`--out`): the run takes the target for itself until commit or
   * discard (output-lock.ts), and a second run at the same path is refused (ERR_USAGE) before it
   * writes anything. Outputs a user names take one; key files and QR images do not (the key folder
   * has a lock of its own; an image is the same bytes whoever writes it).
   */
  lockAs?: string
}

export class AtomicFile {
  readonly target: string
  readonly temporary: string
  private fd: number | undefined
  private readonly durable: boolean
  private chunks: Array<Buffer> = []
  private buffered = 0
  private written = 0
  /** finish() has closed the temporary file, complete; commit() has not renamed it yet */
  private finished = false
  private unlock: (() => void) | undefined

  /**
   * Creates the temporary file now: a destination that cannot be written fails here, before any work
   * (and, with `lockAs`, one another run writes: ERR_USAGE).
   */
  constructor(target: string, options: AtomicFileOptions = {}) {
    this.target = target
    this.durable = options.durable ?? true
    const mode = options.mode ?? PRIVATE_MODE
    // released at exit too, with the temporary files (removeTemporaryFiles)
    if (options.lockAs !== undefined) this.unlock = lockOutput(options.lockAs, target)
    let temporary = ''
    let fd: number
    for (let attempt = 0; ; attempt++) {
      temporary = temporaryFor(target)
      try {
        fd = openSync(temporary, CREATE, mode)
        break
      } catch (cause) {
        if ((cause as NodeJS.ErrnoException).code === 'EEXIST' && attempt < 5) continue
        this.releaseLock()
        throw writeError(target, cause)
      }
    }
    this.fd = fd
    this.temporary = temporary
    track(temporary)
    removeStaleTemporaries(target)
    try {
      fchmodSync(fd, mode)
    } catch (cause) {
      this.discard()
      throw writeError(target, cause)
    }
  }

  /** Bytes written so far (buffered ones included). */
  get size(): number {
    return this.written + this.buffered
  }

  write(data: string | Uint8Array): void {
    const bytes = typeof data === 'string' ? Buffer.from(data, 'utf8') : Buffer.from(data)
    this.chunks.push(bytes)
    this.buffered += bytes.length
    if (this.buffered >= BUFFER_BYTES) this.flush()
  }

  private flush(): void {
    if (this.fd === undefined) throw new DccError('ERR_INTERNAL', `${this.target} is already closed`)
    const data = this.chunks.length === 1 ? (this.chunks[0] as Buffer) : Buffer.concat(this.chunks)
    this.chunks = []
    this.buffered = 0
    try {
      for (let offset = 0; offset < data.length;)
        offset += writeSync(this.fd, data, offset, data.length - offset)
      this.written += data.length
    } catch (cause) {
      this.discard()
      throw writeError(this.target, cause)
    }
  }

  /**
   * Writes what is buffered, fsyncs (when durable) and closes the temporary file: every step that
   * can fail for want of space. The target is not touched yet; commit() then only renames. Safe to
   * call before commit() or not at all. Errors as write's, the temporary file removed.
   */
  finish(): void {
    if (this.finished) return
    if (this.buffered > 0) this.flush()
    const fd = this.fd
    if (fd === undefined) throw new DccError('ERR_INTERNAL', `${this.target} is already closed`)
    try {
      if (this.durable) fsyncSync(fd)
      closeSync(fd)
      this.fd = undefined
      this.finished = true
    } catch (cause) {
      this.discard()
      throw writeError(this.target, cause)
    }
  }

  /** Writes what is buffered (finish), and renames the file over the target. */
  commit(): void {
    this.finish()
    this.finished = false
    try {
      renameSync(this.temporary, this.target)
      live.delete(this.temporary)
    } catch (cause) {
      this.discard()
      throw writeError(this.target, cause)
    }
    this.releaseLock()
  }

  private releaseLock(): void {
    this.unlock?.()
    this.unlock = undefined
  }

  /** Closes and removes the temporary file; the target is left as it was. Safe to call twice. */
  discard(): void {
    this.finished = false
    if (this.fd !== undefined) {
      try {
        closeSync(this.fd)
      } catch {
        // closing is all that is left to do
      }
      this.fd = undefined
    }
    this.chunks = []
    this.buffered = 0
    if (live.delete(this.temporary)) {
      try {
        unlinkSync(this.temporary)
      } catch {
        // already gone
      }
    }
    this.releaseLock()
  }
}

/** A whole file at once, by way of an AtomicFile. */
export function writeFileAtomic(
  target: string,
  data: string | Uint8Array,
  options: AtomicFileOptions = {},
): void {
  const file = new AtomicFile(target, options)
  file.write(data)
  file.commit()
}

/** files writeFileAtomicAsync has in flight at once, at most; the others wait their turn in order */
const MAX_IN_FLIGHT = 16
let inFlight = 0
const queued: Array<() => void> = []

let umaskChecked: boolean | undefined
/**
 * Does a file created with `mode` need an fchmod to get it? Only when the umask takes some of its
 * bits away (e.g. 0277): with the usual ones (022, 077) open() gives 0600 itself, one system call
 * less a file. Read once (process.umask() sets and restores it).
 */
function umaskNarrows(mode: number): boolean {
  umaskChecked ??= (process.umask() & PRIVATE_MODE) !== 0
  return umaskChecked || mode !== PRIVATE_MODE
}

/**
 * A whole file at once, as AtomicFile writes it (exclusive no-follow temporary file beside the
 * target, mode 0600 unless told otherwise, renamed over the target) but with each step on libuv's
 * threads, so that a thread writing many small files (QR images) goes on with its own work while the
 * file system creates them. Not fsynced (`durable` is ignored): for files hcert can write again from
 * the ledger (QR images, see `hcert export`): an error, an interrupt or a killed process never
 * leaves a partial file under the target's name (the rename is atomic), but after a power failure
 * the last files may be missing, empty or short. Resolves once the file is in place;
 * rejects with a coded ERR_USAGE (see writeError), the temporary file removed and the target as it
 * was. At most MAX_IN_FLIGHT files are in flight at once (the rest wait in order).
 */
export function writeFileAtomicAsync(
  target: string,
  data: Uint8Array,
  options: Pick<AtomicFileOptions, 'mode'> = {},
): Promise<void> {
  return new Promise((resolve, reject) => {
    const start = (): void => {
      inFlight++
      writeAsync(target, data, options.mode ?? PRIVATE_MODE, 0, (err) => {
        inFlight--
        queued.shift()?.()
        if (err) reject(err)
        else resolve()
      })
    }
    if (inFlight < MAX_IN_FLIGHT) start()
    else queued.push(start)
  })
}

function writeAsync(
  target: string,
  data: Uint8Array,
  mode: number,
  attempt: number,
  done: (err?: DccError) => void,
): void {
  const temporary = temporaryFor(target)
  track(temporary)
  opening.add(temporary)
  open(temporary, CREATE, mode, (openError, fd) => {
    opening.delete(temporary)
    if (openError) {
      live.delete(temporary)
      if (openError.code === 'EEXIST' && attempt < 5) writeAsync(target, data, mode, attempt + 1, done)
      else done(writeError(target, openError))
      return
    }
    const fail = (cause: unknown, open: boolean): void => {
      const removeTemporary = (): void => {
        if (!live.delete(temporary)) return done(writeError(target, cause))
        unlink(temporary, () => done(writeError(target, cause)))
      }
      if (open) close(fd, removeTemporary)
      else removeTemporary()
    }
    const rest = (): void =>
      writeAll(fd, data, 0, (writeFailure) => {
        if (writeFailure) return fail(writeFailure, true)
        close(fd, (closeFailure) => {
          if (closeFailure) return fail(closeFailure, false)
          // an interrupt may have removed it meanwhile (removeTemporaryFiles): then it is not renamed
          if (!live.has(temporary)) return done(writeError(target, new Error('interrupted')))
          rename(temporary, target, (renameFailure) => {
            if (renameFailure) return fail(renameFailure, false)
            live.delete(temporary)
            done()
          })
        })
      })
    if (!umaskNarrows(mode)) rest()
    else fchmod(fd, mode, (chmodFailure) => (chmodFailure ? fail(chmodFailure, true) : rest()))
  })
}

function writeAll(
  fd: number,
  data: Uint8Array,
  offset: number,
  done: (err: NodeJS.ErrnoException | null) => void,
): void {
  if (offset >= data.length) return done(null)
  write(fd, data, offset, data.length - offset, null, (err, written) => {
    if (err) done(err)
    else writeAll(fd, data, offset + written, done)
  })
}

/**
 * Removes a file left by an earlier run (e.g. a rejects file when this run rejected nothing). A
 * symbolic link there is removed itself, not what it points to; a folder is refused.
 */
export function removeStaleFile(target: string): void {
  const stat = lstatSync(target, { throwIfNoEntry: false })
  if (!stat) return
  if (stat.isDirectory())
    throw writeError(target, Object.assign(new Error('is a folder'), { code: 'EISDIR' }))
  try {
    unlinkSync(target)
  } catch (cause) {
    throw writeError(target, cause)
  }
}
