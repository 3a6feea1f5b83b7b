/**
 * The destinations of a run, checked before it reads anything: none is a file the run reads or
 * another destination (see refuseOverlaps), a file destination is not a folder, and a QR folder exists
 * (created 0700 when it does not) and takes new files. Files themselves are created by AtomicFile.
 */
import { accessSync, constants, fstatSync, lstatSync, statSync } from 'node:fs'
import { basename, dirname, join } from 'node:path'
import { DccError } from '../errors.js'
import { AtomicFile, keepFromCleanup, PRIVATE_DIR_MODE } from '../fs/atomic-file.js'
import {
  folderHolding,
  isWithinFolder,
  refuseOverlaps,
  sameFile,
  type RolePath,
} from '../fs/distinct-paths.js'
import { refuseLinksAlong } from '../fs/links-along.js'
import { makeDirectories } from '../fs/make-directories.js'
import { writeError } from '../fs/write-error.js'
import { refuseForeignDestination } from '../fs/destination-content.js'
import { formatFromName, type InputFormat } from '../issue/read-records.js'
import { KEY_FILES } from './key-dir.js'

export interface RunPaths {
  /** files the run reads ('-' for stdin is skipped) */
  inputs?: readonly string[]
  ledger?: string
  keyDir?: string
  out?: string
  rejects?: string
  qrDir?: string
  /** the format the input is read in, when known before reading (the rejects file is written in it) */
  inputFormat?: InputFormat
}

/**
 * Throws ERR_USAGE when a destination is a file read, or two destinations are one, or a file read or
 * written has the name of one of hcert's working files (refuseWorkingName). Then keeps every path
 * named from the cleanup of a killed run's temporary files (keepFromCleanup).
 */
export function refuseOverlappingPaths(paths: RunPaths): void {
  const reads: RolePath[] = []
  for (const input of paths.inputs ?? [])
    if (input !== '-' && !input.startsWith('HC1:')) reads.push({ role: 'the input', path: input })
  if (paths.ledger && paths.ledger !== ':memory:') {
    reads.push({ role: 'the ledger', path: paths.ledger })
    for (const suffix of ['-wal', '-shm', '-journal'])
      reads.push({ role: 'a file of the ledger', path: `${paths.ledger}${suffix}` })
  }
  if (paths.keyDir)
    for (const name of Object.values(KEY_FILES))
      reads.push({ role: 'a key file', path: join(paths.keyDir, name) })
  // the ledger is written too: an input given as the ledger would be turned into one
  if (paths.ledger && paths.ledger !== ':memory:')
    refuseOverlaps(
      reads.filter((r) => r.role === 'the input'),
      [{ role: '--ledger', path: paths.ledger }],
    )
  const writes: RolePath[] = []
  if (paths.out) writes.push({ role: '--out', path: paths.out })
  if (paths.rejects) writes.push({ role: '--rejects', path: paths.rejects })
  if (paths.qrDir) writes.push({ role: '--qr-dir', path: paths.qrDir })
  refuseOverlaps(reads, writes)
  // QR images among the private keys, or in a folder of theirs, would be copied, shared and
  // backed up with them
  if (paths.qrDir && paths.keyDir && isWithinFolder(paths.qrDir, paths.keyDir))
    throw new DccError(
      'ERR_USAGE',
      `--qr-dir ${paths.qrDir} is ${sameFile(paths.qrDir, paths.keyDir) ? 'the key folder' : 'inside the key folder'}: QR images are not written among the keys; give a folder outside ${paths.keyDir}`,
    )
  // any key folder, not only the --key-dir of this run (export has none): one that holds a private
  // key or a key reference, the QR folder or a folder above it
  if (paths.qrDir) {
    const keys = folderHolding(paths.qrDir, [KEY_FILES.cscaKey, KEY_FILES.dscKey, KEY_FILES.dscKeyRef])
    if (keys !== undefined)
      throw new DccError(
        'ERR_USAGE',
        `--qr-dir ${paths.qrDir} is ${sameFile(paths.qrDir, keys) ? 'a key folder' : 'inside a key folder'} (it holds a private key or a key reference): QR images are not written among the keys; give a folder outside ${keys}`,
      )
  }
  // no destination is reached through a link (a link at an output file's own name: refuseOddTarget)
  if (paths.out) refuseLinksAlong('--out', paths.out, false)
  if (paths.rejects) refuseLinksAlong('--rejects', paths.rejects, false)
  if (paths.qrDir) refuseLinksAlong('--qr-dir', paths.qrDir, true)
  if (paths.inputs?.includes('-')) refuseStdinOverlap(writes)
  if (paths.out) refuseWorkingName('--out', paths.out)
  if (paths.rejects) refuseWorkingName('--rejects', paths.rejects)
  // the files read too: a run's cleanup of a killed run's temporary files would remove them
  for (const read of reads)
    if (read.role === 'the input' || read.role === 'the ledger') refuseWorkingName(read.role, read.path)
  if (paths.out) refuseOddTarget('--out', paths.out)
  if (paths.rejects) refuseOddTarget('--rejects', paths.rejects)
  // what the file holds: an output replaces only a file hcert wrote of its kind, or an empty one
  if (paths.out) refuseForeignDestination('--out', paths.out, 'certificates')
  if (paths.rejects) refuseForeignDestination('--rejects', paths.rejects, 'rejects')
  if (paths.rejects && paths.inputFormat) refuseRejectsFormat(paths.rejects, paths.inputFormat)
  // and whatever their names, the cleanup of temporary files never removes one of them
  keepFromCleanup([
    ...reads.map((r) => r.path),
    ...[paths.out, paths.rejects].filter((p): p is string => p !== undefined),
  ])
}

/**
 * A rejects file is written in the input's format, so that it can be fixed and resent: a --rejects
 * whose extension names another format (r.jsonl for a CSV input) would be read back as that
 * format and every row rejected. Throws ERR_USAGE; a name without a known extension passes.
 */
export function refuseRejectsFormat(path: string, inputFormat: InputFormat): void {
  const named = formatFromName(path)
  if (named === undefined || named === inputFormat) return
  const ext = { csv: '.csv', jsonl: '.jsonl', json: '.json' }
  throw new DccError(
    'ERR_USAGE',
    `--rejects ${path} names ${ext[named]} but the input is ${ext[inputFormat]} (the rejects file is written in the input's format, to be fixed and resent); give a name ending ${ext[inputFormat]}`,
  )
}

/**
 * stdin redirected from a file (`< records.csv`) is an input too: a destination that is the same
 * file (device and inode) would be truncated while it is read. Throws ERR_USAGE.
 */
function refuseStdinOverlap(writes: readonly RolePath[]): void {
  let stdin
  try {
    stdin = fstatSync(0)
  } catch {
    return // no stdin at all: nothing to destroy
  }
  if (!stdin.isFile()) return // a pipe or a terminal is no file a destination could name
  for (const write of writes) {
    const stat = statSync(write.path, { throwIfNoEntry: false })
    if (stat && stat.dev === stdin.dev && stat.ino === stdin.ino)
      throw new DccError(
        'ERR_USAGE',
        `${write.role} ${write.path} is the input (the file given on stdin): writing it would destroy it; give another path`,
      )
  }
}

/** the names of files hcert makes for itself beside what it writes: locks and temporary files */
const WORKING_NAME = /(?:\.hcert-lock|^\.hcert-keys\.lock|^\..+\.partial)$/

/**
 * A file a run writes or reads may not take the name of a file hcert makes for itself
 * (`.o.jsonl.hcert-lock`, a `.partial` temporary file): the run that made it removes it when done,
 * and a run cleaning up after a killed one removes temporary files whose run is gone, the output,
 * the input or the ledger with them (a ledger at a lock's name was also told to be removed as a
 * lock "in the way"). Throws ERR_USAGE naming `role` (`--out`, `the ledger`), never the content.
 */
function refuseWorkingName(role: string, path: string): void {
  if (WORKING_NAME.test(basename(path)))
    throw new DccError(
      'ERR_USAGE',
      `${role} ${path} has the name of a file hcert makes for itself (a lock or a temporary file, removed when a run ends); ${role.startsWith('--') ? 'give another name' : 'rename the file'}`,
    )
}

/**
 * A file destination the user named must be absent or a regular file. A symbolic link there is
 * refused, not replaced and not followed (it may be /dev/stdout, or a link someone planted), and so
 * is a device, a pipe or a folder: replacing /dev/null, as root, would break the machine.
 * Throws ERR_USAGE.
 */
export function refuseOddTarget(flag: string, path: string): void {
  if (path === '-')
    throw new DccError(
      'ERR_USAGE',
      `${flag} -: hcert does not write a file named '-'; ${flag === '--out' ? 'leave --out out to write to stdout' : 'give a file name'}`,
    )
  const stat = lstatSync(path, { throwIfNoEntry: false })
  if (!stat || stat.isFile()) return
  if (stat.isDirectory()) throw new DccError('ERR_USAGE', `${flag} ${path} is a folder; give a file name`)
  if (stat.isSymbolicLink())
    throw new DccError(
      'ERR_USAGE',
      `${flag} ${path} is a symbolic link: hcert writes no file through or over a link; give the file's own path${flag === '--out' ? ' (without --out, the lines go to stdout)' : ''}`,
    )
  throw new DccError(
    'ERR_USAGE',
    `${flag} ${path} is not a regular file (a device, a pipe or a socket); give a file name${flag === '--out' ? ' (without --out, the lines go to stdout)' : ''}`,
  )
}

/**
 * Creates the QR folder (0700) if need be, and checks that it takes new files. ERR_USAGE when it, or
 * a folder on its way, is a symbolic link (looked at again once made: none planted meanwhile).
 */
export function prepareQrDir(dir: string): void {
  refuseLinksAlong('--qr-dir', dir, true)
  const stat = statSync(dir, { throwIfNoEntry: false })
  if (stat && !stat.isDirectory()) throw new DccError('ERR_USAGE', `--qr-dir ${dir} is not a folder`)
  if (!stat) {
    try {
      makeDirectories(dir, PRIVATE_DIR_MODE)
    } catch (cause) {
      throw writeError(join(dir, '.'), cause)
    }
  }
  refuseLinksAlong('--qr-dir', dir, true)
  new AtomicFile(join(dir, 'probe'), { durable: false }).discard()
}

/**
 * A quick look before the ledger is opened: the folder of each file destination exists and may be
 * written in (the files themselves are created, which is the real test, before any record is read).
 */
export function checkDestinationFolders(paths: readonly (string | undefined)[]): void {
  for (const path of paths) {
    if (!path) continue
    try {
      const folder = dirname(path)
      if (!statSync(folder).isDirectory()) throw Object.assign(new Error('not a folder'), { code: 'ENOTDIR' })
      accessSync(folder, constants.W_OK | constants.X_OK)
    } catch (cause) {
      throw writeError(path, cause)
    }
  }
}
