/**
 * What every hcert command shares: --json, one error shape, one exit-code table.
 * run() returns the result that --json prints; text is printed only when --json is off.
 */
import { Command } from '@oclif/core/command'
import { format } from 'node:util'
import type { Input, ParserOutput } from '@oclif/core/interfaces'
import type { ChalkInstance } from 'chalk'
import { DccError, EXIT, type ExitCode } from '../errors.js'
import { isSqliteError, ledgerError } from '../ledger/ledger-error.js'
import { colorsFor } from './colors.js'
import { refuseValuedBooleans, usageErrorFromParse } from './parse-error.js'
import { refuseUndecodableFlagValues } from './undecodable-arguments.js'
import { terminalJson } from './render/terminal-text.js'
import { reportError } from './report-error.js'
import { usageErrorFromSystem } from './system-error.js'
import {
  stderrError,
  stderrFailure,
  stdoutError,
  stdoutFailure,
  writeStdout,
  watchStderr,
  watchStdout,
} from './stdout-errors.js'
import { removeTemporaryFiles } from '../fs/atomic-file.js'
import { outputsWrittenOut, writtenOut } from './written-out.js'

export type { ErrorJson } from './report-error.js'

/** What oclif's parser returns for flags and arguments. */
type Output = Record<string, unknown>

export abstract class HcertCommand extends Command {
  static override enableJsonFlag = true

  /**
   * Help text only: a reader that closes the pipe early (`hcert help issue | head -3`) has had what it
   * wanted, as with `issue --help` (oclif's flag); nothing is lost, so exit 0 quietly. Commands whose
   * stdout is data (certificates, reports) keep EPIPE an error: lines that went nowhere are lost.
   */
  protected readonly stdoutClosedEarlyIsFine: boolean = false

  /** A command that ran but found a problem (e.g. an invalid certificate) sets this. */
  protected exitCode: ExitCode = EXIT.OK
  private chalk: ChalkInstance | undefined

  /** For text output only: loaded in init() unless --json is on. */
  protected get colors(): ChalkInstance {
    if (!this.chalk) throw new TypeError('colors are not loaded when --json is on')
    return this.chalk
  }

  override async init(): Promise<void> {
    await super.init()
    reportUncaught = (err) => reportError(toDccError(err), this.reportOptions(err))
    if (!process.listeners('uncaughtException').includes(onUncaught)) {
      process.on('uncaughtException', onUncaught)
      process.on('unhandledRejection', onUncaught)
    }
    // stdout full or closed: the run stops there, its temporary files removed, and says so on stderr
    watchStdout((err) => {
      if (this.stdoutClosedEarlyIsFine && (err as NodeJS.ErrnoException).code === 'EPIPE') {
        process.exit(EXIT.OK)
      }
      removeTemporaryFiles()
      onUncaught(err)
    })
    // stderr alike (its reader gone: `2>&1 | head -1`), but an error being reported keeps its code
    watchStderr((err) => {
      if (reporting) return
      removeTemporaryFiles()
      onUncaught(err)
    })
    if (!this.jsonEnabled()) this.chalk = await colorsFor(process.stdout)
  }

  protected override async _run<T>(): Promise<T> {
    const result = await super._run<T>()
    // a write to stdout that failed reports its error a turn later: seen before the exit code is set
    await new Promise((resolve) => setImmediate(resolve))
    if (ending) await ending
    if (this.exitCode !== EXIT.OK) {
      await outputsWrittenOut()
      this.exit(this.exitCode)
    }
    return result
  }

  /** Any failure to parse the command line is a usage error (exit 2), never a bug. */
  protected override async parse<F extends Output, B extends Output, A extends Output>(
    options?: Input<F, B, A>,
    argv?: string[],
  ): Promise<ParserOutput<F, B, A>> {
    try {
      const input = options ?? (this.ctor as unknown as Input<F, B, A>)
      const flags = {
        ...(input.baseFlags ?? {}),
        ...(input.enableJsonFlag ? { json: { type: 'boolean' } } : {}),
        ...(input.flags ?? {}),
      }
      refuseValuedBooleans(argv ?? this.argv, flags)
      refuseUndecodableFlagValues(argv ?? this.argv, flags)
      return await super.parse(options, argv)
    } catch (err) {
      if ((err as { code?: unknown }).code === 'EEXIT') throw err
      throw usageErrorFromParse(err)
    }
  }

  /**
   * A line on stdout, written by process.stdout itself: console.log (oclif's) drops write errors,
   * so a full disk or a closed pipe would lose lines unseen (see stdout-errors.ts).
   */
  override log(message = '', ...args: unknown[]): void {
    writeStdout(`${args.length > 0 ? format(message, ...args) : message}\n`)
  }

  /**
   * Waits until what was written to stdout is out (or its failure is known: a closed pipe, a full
   * disk report their error a turn later) and says whether it all went out. A summary line on
   * stderr ("Exported 3 certificates") is written only then: never beside the error of a lost write.
   */
  protected async stdoutWritten(): Promise<boolean> {
    // lines still queued (a pipe whose reader is slower than the run): out, or failed
    if (!stdoutFailure()) await writtenOut(process.stdout)
    await new Promise((resolve) => setImmediate(resolve))
    return stdoutFailure() === undefined && !ending
  }

  override logJson(json: unknown): void {
    if (ending) return // stdout already holds the error document
    writeStdout(`${terminalJson(JSON.stringify(json, null, 2))}\n`)
  }

  /** One JSON document per line, for commands that report on many inputs. */
  protected logJsonLine(json: unknown): void {
    writeStdout(`${terminalJson(JSON.stringify(json))}\n`)
  }

  override async catch(err: Error & { oclif?: { exit?: number }; code?: string }): Promise<never> {
    if (err.code === 'EEXIT') throw err
    if (ending) return ending
    // Ctrl-C at a prompt (@inquirer's ExitPromptError): the operator stopped, nothing was signed
    reporting = true
    if (err.name === 'ExitPromptError') {
      if (!stderrFailure()) process.stderr.write('\nStopped at the prompt: nothing was signed.\n')
      await outputsWrittenOut()
      return this.exit(130)
    }
    const code = await reportError(toDccError(err), this.reportOptions(err))
    await outputsWrittenOut()
    return this.exit(code)
  }

  private reportOptions(err: unknown): { json: boolean; help: string; stack?: string } {
    // the command as users type it: `hcert keys generate`, not oclif's id `keys:generate`
    const typed = [this.config.bin, ...(this.id ?? '').split(':').filter(Boolean)].join(' ')
    const stack = err instanceof Error ? err.stack : undefined
    // with stdout failed, the error goes to stderr as text, --json or not: stdout takes nothing
    return {
      json: this.jsonEnabled() && !stdoutFailure(),
      help: `${typed} --help`,
      ...(stack ? { stack } : {}),
    }
  }
}

/**
 * An error that escapes every promise (an 'error' event that no one listens for) is reported like
 * any other, with its exit code, instead of ending Node with a stack trace; the process ends there.
 */
let reportUncaught: ((err: unknown) => Promise<number>) | undefined
let ending: Promise<never> | undefined
/** an error is being reported: a stderr failing under it leaves its exit code as it is */
let reporting = false
const onUncaught = (err: unknown): void => {
  if (ending) return
  reporting = true
  const report = reportUncaught ?? ((e: unknown) => reportError(toDccError(e), { json: false }))
  ending = report(err).then(async (code) => {
    await outputsWrittenOut()
    return process.exit(code)
  })
}

function toDccError(thrown: unknown): DccError {
  if (thrown instanceof DccError) return thrown
  const failed = stdoutFailure()
  if (failed && thrown === failed) return stdoutError(failed)
  const stderrFailed = stderrFailure()
  if (stderrFailed && thrown === stderrFailed) return stderrError(stderrFailed)
  const err = (thrown instanceof Error ? thrown : new Error(String(thrown))) as Error & {
    oclif?: { exit?: number }
  }
  // a ledger failure that reached here without the ledger's own wording is still a ledger failure
  if (isSqliteError(err)) return ledgerError(err, 'the ledger')
  const system = usageErrorFromSystem(err)
  if (system) return system
  // this.error(message, { exit: 2 }) and oclif's usage errors outside parse()
  if (err.oclif?.exit === 2) return usageErrorFromParse(err)
  return new DccError(
    'ERR_INTERNAL',
    `internal error: ${err.message} (this is a bug in hcert; set DEBUG=1 for details and please report it)`,
    { cause: err },
  )
}
