/**
 * Several files that belong together (a key set: private keys, their certificates, the trust list)
 * written as one: all of them appear, or none. Each is written as an AtomicFile (a temporary file
 * beside it, mode as asked, fsynced), and only once every one of them is complete on disk is the
 * first renamed into place. A full disk, a file size limit or a quota stops the set while it is
 * being written, which leaves the folder as it was. A rename that fails (rare: a folder planted at
 * a file's name) puts back what it can: files the set added are removed again; files it replaced
 * cannot be, and the error names them.
 */
import { lstatSync, rmSync } from 'node:fs'
import { basename, dirname } from 'node:path'
import { DccError } from '../errors.js'
import { AtomicFile } from './atomic-file.js'
import { writeError } from './write-error.js'

export interface SetFile {
  path: string
  content: string | Uint8Array
  /** file mode, e.g. 0o600 for a private key, 0o644 for a certificate */
  mode: number
}

const names = (files: readonly { path: string }[]): string => files.map((f) => basename(f.path)).join(', ')

/**
 * Writes `files` (all in one folder, which exists) as one set. Throws ERR_USAGE (writeError: the
 * path and the reason, never the content) with what was and was not written: while the files are
 * being written, none of them is in place and any file they replace is as it was.
 */
export function writeFileSet(files: readonly SetFile[]): void {
  const staged: AtomicFile[] = []
  const existed = files.map((f) => lstatSync(f.path, { throwIfNoEntry: false }) !== undefined)
  const folder = files[0] ? dirname(files[0].path) : '.'
  try {
    for (const file of files) {
      const atomic = new AtomicFile(file.path, { mode: file.mode })
      staged.push(atomic)
      atomic.write(file.content)
      atomic.finish()
    }
  } catch (cause) {
    for (const atomic of staged) atomic.discard()
    const error = writeError(files[staged.length - 1]?.path ?? folder, cause)
    throw new DccError(
      error.code,
      `${error.message}; none of the set (${names(files)}) was written, nothing in ${folder} replaced`,
      { cause },
    )
  }
  for (const [i, atomic] of staged.entries()) {
    try {
      atomic.commit()
    } catch (cause) {
      for (const rest of staged.slice(i)) rest.discard()
      const placed = files.slice(0, i)
      const replaced = placed.filter((_, j) => existed[j])
      // what the set added goes again; what it replaced cannot come back
      for (const [j, file] of placed.entries()) if (!existed[j]) rmSync(file.path, { force: true })
      const error = writeError(files[i]?.path ?? folder, cause)
      throw new DccError(
        error.code,
        `${error.message}; ${
          replaced.length === 0
            ? `none of the set (${names(files)}) was written, nothing in ${folder} replaced`
            : `${names(replaced)} ${replaced.length === 1 ? 'was' : 'were'} replaced already and ${names(files.slice(i))} not: ${folder} holds an incomplete set`
        }`,
        { cause },
      )
    }
  }
}
