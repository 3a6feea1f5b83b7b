/**
 * Reading the files of a key folder (keys, certificates, a key reference, trust-list.json) and a
 * certificate or key a user names, with a bound: see fs/read-regular-file.ts.
 */
import { DccError } from '../errors.js'
import { NotReadableFile, readRegularFileSync } from '../fs/read-regular-file.js'

/** The most a key, certificate or key reference file may hold: a PEM RSA-4096 key is ~3.3 kB. */
export const MAX_KEY_FILE_BYTES = 1024 * 1024
/** The most a key folder's trust-list.json may hold (~3 kB per DSC: thousands of DSCs). */
export const MAX_KEY_TRUST_LIST_BYTES = 16 * 1024 * 1024

/**
 * The bytes of a key, certificate or key-folder file, only when it is a regular file of at most
 * maxBytes (a link to /dev/zero, a FIFO or a huge file is refused before it is read).
 * Throws ERR_KEYS (exit 2) naming the path and why; the content is never quoted.
 */
export function readKeyInputFile(path: string, maxBytes = MAX_KEY_FILE_BYTES): Buffer {
  try {
    return readRegularFileSync(path, maxBytes)
  } catch (cause) {
    if ((cause as NodeJS.ErrnoException).code === 'ENOENT')
      throw new DccError('ERR_KEYS', `keys: ${path} does not exist`, { cause })
    const why =
      cause instanceof NotReadableFile
        ? cause.reason === 'too-large'
          ? `is ${cause.size} bytes, more than the ${maxBytes} accepted for a key, certificate or key-folder file`
          : `is a ${cause.kind}, not a regular file`
        : `cannot be read (${(cause as NodeJS.ErrnoException).code ?? (cause as Error).message})`
    throw new DccError('ERR_KEYS', `keys: ${path} ${why}`, { cause })
  }
}
