// Runs many hcert command lines in one Node process, each exactly as bin/run.js does (oclif's run,
// then flush, or handle() on an error), and records each one's exit code, stdout and stderr.
// One process start (~0.4 s of CPU) instead of one per command line: for the wrong-input table.
// A line that ends the process (process.exit, a crash) ends this batch as it would end a real run:
// the results so far are written, and the caller starts a new batch for the lines left.
// Usage: node run-many.mjs <bin dir> <command lines JSON file> <results JSON file>
import { readFileSync, writeFileSync } from 'node:fs'
import { pathToFileURL } from 'node:url'

const [binDir, linesFile, resultsFile] = process.argv.slice(2)
process.env.CBOR_NATIVE_ACCELERATION_DISABLED ??= 'true'
const { run } = await import('@oclif/core/run')
const { flush } = await import('@oclif/core/flush')
const { handle, Exit } = await import('@oclif/core/handle')

const lines = JSON.parse(readFileSync(linesFile, 'utf8'))
const HANG_MS = Number(process.env.RUN_MANY_HANG_MS ?? 60_000)
const results = []
const write = { out: process.stdout.write, err: process.stderr.write }
const exitProcess = process.exit.bind(process)
let current

const end = () => {
  process.stdout.write = write.out
  process.stderr.write = write.err
  writeFileSync(resultsFile, JSON.stringify(results))
  exitProcess(0)
}
process.exit = (code) => {
  if (current) results.push({ ...current, code: code ?? process.exitCode ?? 0 })
  end()
}
// an error no one catches ends a real run with exit 1 and a stack trace (unless hcert catches it)
const crash = (error) => {
  if (process.listenerCount('uncaughtException') > 1) return // hcert reports it, then exits
  if (current) current.stderr += `\n${error?.stack ?? error}\n(run-many: uncaught)`
  process.exit(1)
}
process.on('uncaughtException', crash)
process.on('unhandledRejection', crash)

for (const args of lines) {
  current = { args, stdout: '', stderr: '' }
  const line = current
  process.stdout.write = (chunk) => ((line.stdout += String(chunk)), true)
  process.stderr.write = (chunk) => ((line.stderr += String(chunk)), true)
  process.exitCode = undefined
  let exited
  // handle() ends by calling Exit.exit(code), which would end this process
  Exit.exit = (code = 0) => {
    exited = code
  }
  const once = async () => {
    try {
      await run(args, pathToFileURL(`${binDir}/run.js`).href)
      flush()
      return typeof process.exitCode === 'number' ? process.exitCode : 0
    } catch (error) {
      await handle(error)
      return exited ?? 1
    }
  }
  let timer
  const code = await Promise.race([
    once(),
    new Promise((resolve) => (timer = setTimeout(() => resolve('hung'), HANG_MS))),
  ])
  clearTimeout(timer)
  if (code === 'hung') {
    line.stderr += `\n(run-many: no exit after ${HANG_MS} ms)`
    process.exit(-1)
  }
  results.push({ ...line, code })
  current = undefined
}
end()
