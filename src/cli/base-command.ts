/**
 * What every hcert command shares: --json, one error shape, one exit-code table.
 * run() returns the result that --json prints; text is printed only when --json is off.
 */
import { Command } from '@oclif/core/command'
import type { ChalkInstance } from 'chalk'
import { DccError, EXIT, exitCodeFor, type ExitCode } from '../errors.js'
import { isSqliteError, ledgerError } from '../ledger/ledger-error.js'
import { colorsFor } from './colors.js'

export interface ErrorJson {
  error: { code: string; layer: string; message: string }
}

export abstract class HcertCommand extends Command {
  static override enableJsonFlag = true

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
    if (!this.jsonEnabled()) this.chalk = await colorsFor(process.stdout)
  }

  protected override async _run<T>(): Promise<T> {
    const result = await super._run<T>()
    if (this.exitCode !== EXIT.OK) this.exit(this.exitCode)
    return result
  }

  override logJson(json: unknown): void {
    process.stdout.write(`${JSON.stringify(json, null, 2)}\n`)
  }

  /** One JSON document per line, for commands that report on many inputs. */
  protected logJsonLine(json: unknown): void {
    process.stdout.write(`${JSON.stringify(json)}\n`)
  }

  override async catch(err: Error & { oclif?: { exit?: number }; code?: string }): Promise<never> {
    if (err.code === 'EEXIT') throw err
    const error = toDccError(err)
    const exit = exitCodeFor(error.code)
    if (this.jsonEnabled()) this.logJson({ error: error.toJSON() } satisfies ErrorJson)
    else {
      const c = await colorsFor(process.stderr)
      process.stderr.write(`${c.red('error')} ${c.dim(`[${error.code}]`)} ${error.message}\n`)
      if (exit === EXIT.USAGE && error.layer === 'usage')
        process.stderr.write(c.dim(`See: hcert ${this.id ?? ''} --help\n`))
      if (exit === EXIT.BUG && process.env.DEBUG) process.stderr.write(`${err.stack ?? ''}\n`)
    }
    return this.exit(exit)
  }
}

function toDccError(err: Error & { oclif?: { exit?: number } }): DccError {
  if (err instanceof DccError) return err
  // a ledger failure that reached here without the ledger's own wording is still a ledger failure
  if (isSqliteError(err)) return ledgerError(err, 'the ledger')
  // oclif's own parse errors (unknown flag, missing argument, ...) are usage errors
  if (
    err.oclif?.exit === 2 ||
    (err.constructor.name.endsWith('Error') && /flag|argument|Unexpected/i.test(err.message) && err.oclif)
  ) {
    return new DccError('ERR_USAGE', stripAnsi(err.message).split('\n')[0] ?? 'usage error')
  }
  return new DccError(
    'ERR_INTERNAL',
    `internal error: ${err.message} (this is a bug in hcert; set DEBUG=1 for details and please report it)`,
    { cause: err },
  )
}

function stripAnsi(text: string): string {
  // eslint-disable-next-line no-control-regex
  return text.replace(/\u001b\[[0-9;]*m/g, '')
}
