/**
 * A file hcert could not write, as a coded error: ERR_USAGE (exit 2). The destination is the user's
 * choice (a flag, or the folder it names), and what stops the write (a missing folder, no permission,
 * a full disk, a file size limit) is theirs to fix before running the same command again; it is not a
 * fault in the input (ERR_INPUT, exit 3) nor a bug (ERR_INTERNAL, exit 1). Messages name the path and
 * the reason, never the data being written.
 */
import { dirname } from 'node:path'
import { DccError } from '../errors.js'

const REASONS: Record<string, (path: string) => string> = {
  ENOENT: (path) => `the folder ${dirname(path)} does not exist`,
  ENOTDIR: (path) => `a part of ${dirname(path)} is not a folder`,
  EACCES: (path) => `no permission to write in ${dirname(path)}`,
  EPERM: (path) => `no permission to write in ${dirname(path)}`,
  EROFS: () => 'the file system is read-only',
  ENOSPC: () => 'no space left on the disk',
  EDQUOT: () => 'the disk quota is exceeded',
  EFBIG: () => 'the file size limit was reached (see ulimit -f)',
  EISDIR: (path) => `${path} is a folder`,
  ELOOP: (path) => `${path} is a symbolic link, which hcert does not write through`,
  EEXIST: (path) => `${path} appeared while it was being written`,
  EMFILE: () => 'too many open files',
  ENFILE: () => 'too many open files',
  EIO: () => 'an input/output error on the disk',
}

/** `cannot write <path>: <reason>` for an error from node:fs (its code), else its message. */
export function writeError(path: string, cause: unknown): DccError {
  if (cause instanceof DccError) return cause
  const code = (cause as NodeJS.ErrnoException | undefined)?.code
  const reason = (code && REASONS[code]?.(path)) ?? (cause as Error | undefined)?.message ?? String(cause)
  return new DccError('ERR_USAGE', `cannot write ${path}: ${reason}${code ? ` (${code})` : ''}`, { cause })
}
