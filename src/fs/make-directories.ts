/**
 * `mkdir -p` one level at a time. Node's own recursive mkdir (fs.mkdirSync and fs.promises.mkdir
 * with `recursive`, Node 20) loops forever where mkdir answers ENOENT for a folder whose parent
 * exists, as in /proc and /sys: `--out /proc/x/keys` spun at full CPU. Here each missing folder is
 * created once, and the first failure is thrown (the system's error: ENOENT, EACCES, ENOTDIR …).
 */
import { mkdirSync, statSync } from 'node:fs'
import { dirname, resolve } from 'node:path'

export function makeDirectories(dir: string, mode: number): void {
  const missing: string[] = []
  let current = resolve(dir)
  for (;;) {
    const stat = statSync(current, { throwIfNoEntry: false })
    if (stat) {
      if (!stat.isDirectory())
        throw Object.assign(new Error(`ENOTDIR: not a directory, mkdir '${dir}'`), { code: 'ENOTDIR' })
      break
    }
    missing.push(current)
    const parent = dirname(current)
    if (parent === current) break
    current = parent
  }
  for (const folder of missing.reverse()) {
    try {
      mkdirSync(folder, { mode })
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code
      // made by someone else in the meantime
      if (code === 'EEXIST' && statSync(folder).isDirectory()) continue
      // its parent exists (made just now, or found): a file system that takes no new folder (/proc)
      if (code === 'ENOENT')
        throw Object.assign(new Error(`EPERM: no new folder here, mkdir '${folder}'`), {
          code: 'EPERM',
          cause: err,
        })
      throw err
    }
  }
}
