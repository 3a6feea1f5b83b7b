/**
 * Reading a file a user names as an input (a trust source, a certificate, a test vector), only when
 * it is a regular file of bounded size. The file is opened without blocking (O_NONBLOCK) and then
 * checked through its descriptor, so a pipe (FIFO) answers at once instead of waiting for a writer
 * forever, and a device (/dev/zero) or a huge file is refused before anything is read. The caller
 * turns a NotReadableFile into its own DccError with its own words.
 */
import { closeSync, constants, fstatSync, openSync, readSync } from 'node:fs'
import { open } from 'node:fs/promises'

export class NotReadableFile extends Error {
  constructor(
    readonly reason: 'not-a-file' | 'too-large',
    /** the file's size in bytes, for 'too-large' */
    readonly size: number,
    readonly kind: string,
  ) {
    super(reason === 'too-large' ? `${size} bytes` : `a ${kind}`)
  }
}

/** what a non-regular file is, for messages */
function kindOf(stat: { isDirectory(): boolean; isFIFO(): boolean; isSocket(): boolean }): string {
  if (stat.isDirectory()) return 'folder'
  if (stat.isFIFO()) return 'pipe (FIFO)'
  if (stat.isSocket()) return 'socket'
  return 'device'
}

const FLAGS = constants.O_RDONLY | constants.O_NONBLOCK

/** The bytes of a regular file of at most maxBytes. Throws NotReadableFile, or the system's error (ENOENT …). */
export function readRegularFileSync(path: string, maxBytes: number): Buffer {
  const fd = openSync(path, FLAGS)
  try {
    const stat = fstatSync(fd)
    if (!stat.isFile()) throw new NotReadableFile('not-a-file', 0, kindOf(stat))
    if (stat.size > maxBytes) throw new NotReadableFile('too-large', stat.size, 'file')
    const out = Buffer.allocUnsafe(stat.size)
    let length = 0
    // a file that grows while it is read is read up to the size it had
    while (length < out.length) {
      const read = readSync(fd, out, length, out.length - length, null)
      if (read === 0) break
      length += read
    }
    return out.subarray(0, length)
  } finally {
    closeSync(fd)
  }
}

/** As readRegularFileSync, without blocking the event loop. */
export async function readRegularFile(path: string, maxBytes: number): Promise<Buffer> {
  const handle = await open(path, FLAGS)
  try {
    const stat = await handle.stat()
    if (!stat.isFile()) throw new NotReadableFile('not-a-file', 0, kindOf(stat))
    if (stat.size > maxBytes) throw new NotReadableFile('too-large', stat.size, 'file')
    const out = Buffer.allocUnsafe(stat.size)
    let length = 0
    while (length < out.length) {
      const { bytesRead } = await handle.read(out, length, out.length - length, null)
      if (bytesRead === 0) break
      length += bytesRead
    }
    return out.subarray(0, length)
  } finally {
    await handle.close()
  }
}
