import { spawn } from 'node:child_process'
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs'
import { availableParallelism, tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { BIN, type CliResult } from './cli.js'

const RUN_MANY = join(import.meta.dirname, 'run-many.mjs')

export interface Run extends CliResult {
  args: string[]
}

/**
 * Runs hcert command lines as bin/run.js would, in a few processes that each run their share one
 * after the other (run-many.mjs): a process start costs ~0.4 s of CPU, a command ~20 ms.
 * stdin is empty and not a terminal. Results come back in the order of `lines`.
 */
export async function runMany(
  lines: string[][],
  options: { env?: Record<string, string | undefined>; cwd?: string; width?: number } = {},
): Promise<Run[]> {
  const width = Math.min(lines.length, options.width ?? Math.min(4, Math.max(2, availableParallelism())))
  const scratch = mkdtempSync(join(tmpdir(), 'hcert-run-many-'))
  const env = options.env ?? { ...process.env, NO_COLOR: '1' }
  const shares = Array.from({ length: width }, (_, w) => lines.filter((_, i) => i % width === w))
  const ran = await Promise.all(
    shares.map(async (share, w) => {
      const done: Run[] = []
      // a line that ends its process ends the batch: the lines left go to a new one
      for (let batch = 0; done.length < share.length; batch++) {
        const input = join(scratch, `lines-${w}-${batch}.json`)
        const output = join(scratch, `results-${w}-${batch}.json`)
        writeFileSync(input, JSON.stringify(share.slice(done.length)))
        const stderr = await new Promise<string>((resolve) => {
          const child = spawn(process.execPath, [RUN_MANY, dirname(BIN), input, output], {
            env,
            cwd: options.cwd ?? process.cwd(),
            stdio: ['ignore', 'ignore', 'pipe'],
          })
          let text = ''
          child.stderr.on('data', (d: Buffer) => (text += d.toString()))
          child.on('close', () => resolve(text))
        })
        const results = existsSync(output) ? (JSON.parse(readFileSync(output, 'utf8')) as Run[]) : []
        if (results.length === 0) throw new Error(`run-many ran nothing: ${stderr}`)
        done.push(...results)
      }
      return done
    }),
  )
  return lines.map((_, i) => (ran[i % width] as Run[])[Math.floor(i / width)] as Run)
}
