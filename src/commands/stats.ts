import * as Flags from '@oclif/core/flags'
import { helpParagraphs } from '../cli/help-text.js'
import { HcertCommand } from '../cli/base-command.js'
import { atFlag, untilFlag } from '../cli/flags.js'
import { renderStats } from '../cli/render/stats-text.js'
import { openLedger } from '../ledger/open.js'
import { DccError } from '../errors.js'
import { ledgerSpec } from '../services/ledger-path.js'
import { ledgerFlag } from '../cli/signing-key.js'
import { statsOf, type StatsResult } from '../services/stats.js'

export default class Stats extends HcertCommand {
  static override summary = 'Report what the ledger holds: totals, certificates per day, and breakdowns.'
  static override description =
    helpParagraphs(`Totals (issued, renewed, active, expired, expiring within 30 days, superseded, rejected with the
top reasons), certificates signed per day (or --by week|month) as a bar chart, and breakdowns by type,
vaccine product (named), dose number, country, issuer and signing key. --since and --until narrow by
issuance time; --by week keys ISO 8601 weeks (YYYY-Www); --at sets the clock for active / expired
(a certificate issued after --at is neither).`)

  static override examples = [
    { description: 'Everything, per day', command: '<%= config.bin %> stats' },
    {
      description: 'One month, per week, as JSON',
      command: '<%= config.bin %> stats --since 2021-06-01 --until 2021-06-30 --by week --json',
    },
  ]

  static override flags = {
    ledger: ledgerFlag,
    since: atFlag({ summary: 'Only certificates issued at or after this instant (ISO 8601).' }),
    until: untilFlag({
      summary:
        'Only certificates issued at or before this instant (ISO 8601; a date alone means that whole day).',
    }),
    by: Flags.option({
      summary: 'Period of the chart.',
      options: ['day', 'week', 'month'] as const,
      default: 'day',
    })(),
    at: atFlag({ summary: 'The clock for active, expired and expiring (ISO 8601); default now.' }),
  }

  async run(): Promise<StatsResult> {
    const { flags } = await this.parse(Stats)
    if (flags.since && flags.until && flags.since.getTime() > flags.until.getTime())
      throw new DccError(
        'ERR_USAGE',
        `--since (${flags.since.toISOString()}) is after --until (${flags.until.toISOString()}): no certificate can be in that range; give the earlier instant to --since`,
      )
    const ledger = openLedger(ledgerSpec(flags.ledger), { create: false, readOnly: true })
    try {
      const result = statsOf(ledger, {
        now: flags.at ?? new Date(),
        ...(flags.since ? { since: Math.floor(flags.since.getTime() / 1000) } : {}),
        ...(flags.until ? { until: Math.floor(flags.until.getTime() / 1000) } : {}),
        by: flags.by,
        soon: 30 * 86_400,
      })
      if (!this.jsonEnabled()) this.log(renderStats(result, flags.by, this.colors))
      return result
    } finally {
      ledger.close()
    }
  }
}
