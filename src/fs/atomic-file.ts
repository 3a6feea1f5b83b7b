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
 */
import { randomBytes } from 'node:crypto'
import {
  closeSync,
  constants,
  fchmodSync,
  fsyncSync,
  lstatSync,
  openSync,
  renameSync,
  unlinkSync,
  writeSync,
} from 'node:fs'
import { basename, dirname, join } from 'node:path'
import { DccError } from '../errors.js'
import { writeError } from './write-error.js'

/** personal data and keys: readable and writable by the owner alone */
export const PRIVATE_MODE = 0o600
/** folders hcert creates */
export const PRIVATE_DIR_MODE = 0o700

const CREATE = constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | (constants.O_NOFOLLOW ?? 0)
const BUFFER_BYTES = 256 * 1024

/** temporary files of this thread not yet committed or discarded, removed at exit */
const live = new Set<string>()
let exitHook = false

/** Removes every temporary file not yet committed (synchronously: safe in an exit or signal handler). */
export function removeTemporaryFiles(): void {
  for (const path of live) {
    try {
      unlinkSync(path)
    } catch {
      // already gone
    }
  }
  live.clear()
}

function track(path: string): void {
  if (!exitHook) {
    process.once('exit', removeTemporaryFiles)
    exitHook = true
  }
  live.add(path)
}

export interface AtomicFileOptions {
  /** default 0600 */
  mode?: number
  /** fsync before the rename, so that a crash cannot leave an empty file in place (default true) */
  durable?: boolean
}

export class AtomicFile {
  readonly target: string
  readonly temporary: string
  private fd: number | undefined
  private readonly durable: boolean
  private chunks: Array<Buffer> = []
  private buffered = 0
  private written = 0

  /** Creates the temporary file now: a destination that cannot be written fails here, before any work. */
  constructor(target: string, options: AtomicFileOptions = {}) {
    this.target = target
    this.durable = options.durable ?? true
    const mode = options.mode ?? PRIVATE_MODE
    let temporary = ''
    let fd: number
    for (let attempt = 0; ; attempt++) {
      temporary = join(dirname(target), `.${basename(target)}.${randomBytes(6).toString('hex')}.partial`)
      try {
        fd = openSync(temporary, CREATE, mode)
        break
      } catch (cause) {
        if ((cause as NodeJS.ErrnoException).code === 'EEXIST' && attempt < 5) continue
        throw writeError(target, cause)
      }
    }
    this.fd = fd
    this.temporary = temporary
    track(temporary)
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

  /** Writes what is buffered, and renames the file over the target. */
  commit(): void {
    if (this.buffered > 0) this.flush()
    const fd = this.fd
    if (fd === undefined) throw new DccError('ERR_INTERNAL', `${this.target} is already closed`)
    try {
      if (this.durable) fsyncSync(fd)
      closeSync(fd)
      this.fd = undefined
      renameSync(this.temporary, this.target)
      live.delete(this.temporary)
    } catch (cause) {
      this.discard()
      throw writeError(this.target, cause)
    }
  }

  /** Closes and removes the temporary file; the target is left as it was. Safe to call twice. */
  discard(): void {
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
