/**
 * The password file libpq reads ($PGPASSFILE, else ~/.pgpass) when it exists but is ignored, as
 * libpq (and the `pgpass` module hcert uses) ignores one that is not a plain file or that the group
 * or others may read or write: for the message that says so (libpq only warns).
 */
import { lstatSync, statSync } from 'node:fs'
import { homedir } from 'node:os'
import { join } from 'node:path'

/** Why the password file is ignored (`~/.pgpass has mode 0644`), or undefined when it is not (or is not there). */
export function ignoredPasswordFile(env: NodeJS.ProcessEnv = process.env): string | undefined {
  const path = env.PGPASSFILE || join(env.HOME || homedir(), '.pgpass')
  try {
    lstatSync(path)
  } catch {
    return undefined
  }
  try {
    const stat = statSync(path)
    if (!stat.isFile()) return `${path} is not a plain file`
    const mode = stat.mode & 0o777
    if (mode & 0o077)
      return `${path} has mode 0${mode.toString(8)}, which lets others read it (chmod 0600 ${path})`
  } catch {
    return undefined
  }
  return undefined
}

/**
 * What to say of the password file when the server asked for a password and none was given: that
 * $PGPASSFILE names a file that does not exist, or that the file was found but ignored (and why);
 * undefined when neither (no $PGPASSFILE and no ~/.pgpass, or one libpq would read).
 */
export function passwordFileNote(env: NodeJS.ProcessEnv = process.env): string | undefined {
  if (env.PGPASSFILE && !lstatSync(env.PGPASSFILE, { throwIfNoEntry: false }))
    return `$PGPASSFILE names ${env.PGPASSFILE}, which does not exist (no password could be read from it)`
  const ignored = ignoredPasswordFile(env)
  if (ignored === undefined) return undefined
  // a folder (or a device) is no password file at all: the advice on modes would not help
  const advice = / is not a plain file$/.test(ignored)
    ? `Point ${env.PGPASSFILE ? '$PGPASSFILE' : '~/.pgpass'} at the password file itself (a plain file, mode 0600), or set PGPASSWORD`
    : 'Make it readable by you alone, or set PGPASSWORD'
  return `the password file was found but ignored, as psql ignores it, because ${ignored}. ${advice}`
}
