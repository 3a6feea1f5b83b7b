import * as Args from '@oclif/core/args'
import * as Flags from '@oclif/core/flags'
import { loadHelpClass } from '@oclif/core'
import { HcertCommand } from '../cli/base-command.js'
import { closestCommand } from '../cli/closest-command.js'
import { notACommandMessage } from '../cli/command-not-found.js'
import { DccError } from '../errors.js'

/**
 * `hcert help [COMMAND]`: oclif's help, with hcert's conventions. A command or topic that does not
 * exist is ERR_USAGE (exit 2) with the same "did you mean" as a mistyped command (`hcert isue`), a
 * JSON error with --json; oclif's own help command printed a raw error, a stack trace with --json, or
 * exited 0 for `help keys nope`. With --json the help of a known command is printed as text.
 */
export default class Help extends HcertCommand {
  static override summary = 'Display help for hcert, a topic or a command.'
  static override args = {
    command: Args.string({ description: 'Command (or topic) to show help for.', required: false }),
  }
  static override flags = {
    'nested-commands': Flags.boolean({ char: 'n', summary: 'Include all nested commands in the output.' }),
  }
  static override strict = false
  protected override readonly stdoutClosedEarlyIsFine = true

  async run(): Promise<void> {
    const { argv, flags } = await this.parse(Help)
    const words = (argv as string[]).filter((word) => !word.startsWith('-'))
    if (words.length > 0) {
      const id = words.join(':')
      if (!this.config.findCommand(id) && !this.config.findTopic(id)) {
        const visible = this.config.commands.filter((c) => !c.hidden).flatMap((c) => [c.id, ...c.aliases])
        throw new DccError('ERR_USAGE', notACommandMessage(id, closestCommand(id, visible), this.config))
      }
    }
    const HelpClass = await loadHelpClass(this.config)
    await new HelpClass(this.config, { all: flags['nested-commands'] }).showHelp(words)
  }
}
