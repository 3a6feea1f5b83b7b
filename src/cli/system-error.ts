/**
 * A file-system error on a path the user gave (a folder where a file should be, a missing parent,
 * no permission, a full disk) is not a bug in hcert: it becomes a usage error (exit 2) that names
 * the path and the reason in words, instead of ERR_INTERNAL.
 */
import { DccError } from '../errors.js'

const REASONS: Readonly<Record<string, string>> = {
  ENOENT: 'no such file or folder',
  ENOTDIR: 'part of the path is a file, not a folder',
  EISDIR: 'it is a folder, not a file',
  EEXIST: 'something is already there (a file where a folder should be?)',
  ENOTEMPTY: 'the folder is not empty',
  EACCES: 'permission denied',
  EPERM: 'operation not permitted',
  ELOOP: 'a symbolic link is in the way (hcert does not follow them there)',
  ENAMETOOLONG: 'the name is too long',
  EROFS: 'the file system is read-only',
  ENOSPC: 'no space left on the device',
  EDQUOT: 'the disk quota is exceeded',
  EMFILE: 'too many open files',
}

const ACTIONS: Readonly<Record<string, string>> = {
  open: 'open',
  read: 'read',
  write: 'write',
  mkdir: 'create the folder',
  rename: 'replace',
  unlink: 'remove',
  scandir: 'list the folder',
  stat: 'read',
  lstat: 'read',
  copyfile: 'copy',
  symlink: 'create',
}

/** The usage error for a Node.js system error about a path, or undefined for any other error. */
export function usageErrorFromSystem(err: unknown): DccError | undefined {
  const e = err as NodeJS.ErrnoException & { dest?: string }
  if (!(err instanceof Error) || typeof e.code !== 'string' || !(e.code in REASONS)) return undefined
  const path = e.dest ?? e.path
  if (typeof path !== 'string') return undefined
  const action = ACTIONS[e.syscall ?? ''] ?? 'use'
  return new DccError('ERR_USAGE', `cannot ${action} ${path}: ${REASONS[e.code]} (${e.code})`, {
    cause: err,
  })
}
