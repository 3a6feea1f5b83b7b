import * as Args from '@oclif/core/args'
import { helpParagraphs } from '../../cli/help-text.js'
import { HcertCommand } from '../../cli/base-command.js'
import { copyLedger, type LedgerCopyReport } from '../../services/ledger-copy.js'

export default class LedgerCopy extends HcertCommand {
  static override summary =
    'Copy a SQLite ledger into a PostgreSQL ledger (idempotent: run it again, nothing is added).'
  static override description =
    helpParagraphs(`For an office that outgrows one machine: every certificate (with its id, so that renewals and
corrections still point to what they replace), every rejection, and the daily counts stats reads, in
one transaction on the server. The SQLite file is read, never written. Running it again copies nothing
twice; a server ledger that holds other certificates under the same ids is refused, nothing written.
The server's address is a libpq URL; what it leaves out comes from PGHOST, PGPORT, PGUSER,
PGDATABASE, PGPASSWORD and ~/.pgpass. The password is never printed.
Exit codes: 0 · 2 usage or ledger (ERR_LEDGER).`)

  static override examples = [
    {
      description: 'Into a new database',
      command: '<%= config.bin %> ledger copy ledger.sqlite postgres://hcert@db.example:5432/hcert',
    },
  ]

  static override args = {
    from: Args.string({ description: 'the SQLite ledger file', required: true }),
    to: Args.string({ description: 'the PostgreSQL ledger: postgres://user@host:port/db', required: true }),
  }

  async run(): Promise<LedgerCopyReport> {
    const { args } = await this.parse(LedgerCopy)
    const report = copyLedger(args.from, args.to)
    if (!this.jsonEnabled())
      this.log(
        `Copied ${report.certificates.copied} certificates (${report.certificates.alreadyThere} already there) and ${report.rejections.copied} rejections (${report.rejections.alreadyThere} already there) from ${report.from} to ${report.to}.`,
      )
    return report
  }
}
