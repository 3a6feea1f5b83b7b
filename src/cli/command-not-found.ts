/**
 * oclif `command_not_found` hook: `hcert isue` names the command it most likely meant.
 * On a terminal, @oclif/plugin-not-found asks "Did you mean issue?" and runs it if confirmed;
 * without one (scripts, CI, --json) nothing is asked: a usage error (exit 2) names the suggestion.
 */
import type { Config } from '@oclif/core'
import type { Hook } from '@oclif/core/hooks'
import { DccError } from '../errors.js'
import { closestCommand } from './closest-command.js'
import { reportError } from './report-error.js'

const hook: Hook.CommandNotFound = async function (options) {
  const { id, config } = options
  const argv = options.argv ?? []
  // `hcert --json` alone: oclif takes the flag for the command's id
  const json = argv.includes('--json') || id === '--json'
  const visible = config.commands.filter((c) => !c.hidden).flatMap((c) => [c.id, ...c.aliases])
  // oclif joins the words before the first flag into the id ('isue records.csv' -> 'isue:records.csv'):
  // the command typed is the shortest start of it that is close to a command
  const words = id.split(':')
  // a first word that starts commands (`ledger` of `ledger copy`, a topic or not) is not the
  // command typed: the command is it and the next word (`ledger cpy`, as `keys generat`)
  const topic =
    words.length >= 2 &&
    (config.findTopic(words[0] ?? '') !== undefined || visible.some((c) => c.startsWith(`${words[0]}:`)))
  let typed = topic ? words.slice(0, 2).join(':') : (words[0] ?? id)
  let suggestion: string | undefined
  for (let n = topic ? 2 : 1; n <= words.length && !suggestion; n++) {
    suggestion = closestCommand(words.slice(0, n).join(':'), visible)
    if (suggestion) typed = words.slice(0, n).join(':')
  }

  if (suggestion && process.stdin.isTTY && !json) {
    const { default: askAndRun } = await import('@oclif/plugin-not-found')
    try {
      return await askAndRun.call(this, options)
    } catch (err) {
      // 127: the suggestion was declined; anything else comes from the command that ran
      if ((err as { oclif?: { exit?: number } }).oclif?.exit !== 127) throw err
    }
  }
  const message = id.startsWith('-')
    ? `no command given (a command comes before ${id.split(':')[0]}: ${config.bin} <command> ${id.split(':')[0]}); ${config.bin} help lists the commands`
    : notACommandMessage(typed, suggestion, config)
  const helpTopic = typed.includes(':') ? typed.split(':')[0] : undefined
  const exit = await reportError(new DccError('ERR_USAGE', message), {
    json,
    help: `${config.bin} help${helpTopic ? ` ${helpTopic}` : ''}`,
  })
  this.exit(exit)
}

/** "'isue' is not an hcert command; did you mean 'hcert issue'?": typed and suggestion are oclif ids (keys:show). */
export function notACommandMessage(
  typed: string,
  suggestion: string | undefined,
  config: Pick<Config, 'bin' | 'topicSeparator'>,
): string {
  const spaced = (commandId: string): string => commandId.replaceAll(':', config.topicSeparator)
  return suggestion
    ? `'${spaced(typed)}' is not an ${config.bin} command; did you mean '${config.bin} ${spaced(suggestion)}'?`
    : `'${spaced(typed)}' is not an ${config.bin} command`
}

export default hook
