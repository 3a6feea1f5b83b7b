import * as Flags from '@oclif/core/flags'
import { closeSync, constants, fchmodSync, openSync, writeSync } from 'node:fs'
import { HcertCommand } from '../cli/base-command.js'
import { ledgerFlag } from '../cli/signing-key.js'
import { DccError, EXIT } from '../errors.js'
import { Ledger } from '../ledger/ledger.js'
import { exportCertificates, type ExportedCertificate, type ExportReport } from '../services/export.js'
import { defaultLedgerPath, existingLedgerPath } from '../services/ledger-path.js'

export interface ExportResult extends ExportReport {
  out: string | null
  /** with --json and no --out */
  certificates?: ExportedCertificate[]
}

export default class Export extends HcertCommand {
  static override summary =
    'Write certificates from the ledger again, as the JSON Lines lines hcert issue wrote: by batch, id or UVCI.'
  static override description = `A lost or damaged output file is not a lost certificate: every certificate is in the ledger, and
export writes it out again exactly as issue (or renew) did: JSON Lines {line, id, uvci, type, iat, exp,
hc1, replaces}, where id is the input record's id column and replaces the UVCI of the certificate a
correction or renewal supersedes. Select with --batch (the batch name issue recorded: --batch, else the
input file name), --id (an input id: the certificate first issued for it, then its corrections and
renewals), --uvci, or --all; --id and --uvci may repeat, and --batch narrows them. --current keeps only
certificates superseded by nothing. Nothing is signed and the ledger is not changed.
Exit codes: 0 · 4 when an --id or --uvci is not in the ledger (the others are exported) · 2 usage or ledger.`

  static override examples = [
    {
      description: 'A batch again, to a file readable by its owner only',
      command: '<%= config.bin %> export --batch records.csv --out issued.jsonl',
    },
    {
      description: 'The certificate in force for two records of an office',
      command: '<%= config.bin %> export --id R1 --id R2 --current',
    },
    {
      description: 'One certificate by its UVCI, as JSON',
      command: "<%= config.bin %> export --uvci 'URN:UVCI:01:VN:BWJXMAQ3DHYDDUZ8WXMQ#U' --json",
    },
  ]

  static override flags = {
    ledger: ledgerFlag,
    batch: Flags.string({
      summary: 'Certificates of this batch (as issue recorded it: --batch, else the file name).',
    }),
    id: Flags.string({
      summary:
        'Certificates of the record with this input id (its first, corrections, renewals); repeatable.',
      multiple: true,
    }),
    uvci: Flags.string({ summary: 'The certificate with this UVCI; repeatable.', multiple: true }),
    all: Flags.boolean({ summary: 'Every certificate in the ledger.', default: false }),
    current: Flags.boolean({ summary: 'Only certificates superseded by nothing.', default: false }),
    out: Flags.string({
      char: 'o',
      summary: 'Write the JSON Lines to this file (mode 0600; a symlink there is refused) instead of stdout.',
    }),
  }

  async run(): Promise<ExportResult> {
    const { flags } = await this.parse(Export)
    if (flags.batch === undefined && !flags.id?.length && !flags.uvci?.length && !flags.all)
      throw new DccError('ERR_USAGE', 'say what to export: --batch, --id, --uvci or --all')
    const json = this.jsonEnabled()
    const ledger = new Ledger(existingLedgerPath(flags.ledger ?? defaultLedgerPath()))
    const certificates: ExportedCertificate[] = []
    const out = flags.out ? openOut(flags.out) : undefined
    let buffer = ''
    const flush = (): void => {
      if (out !== undefined && buffer !== '') writeSync(out, buffer)
      buffer = ''
    }
    let report: ExportReport
    try {
      report = await exportCertificates(
        ledger,
        {
          ...(flags.batch !== undefined ? { batch: flags.batch } : {}),
          ...(flags.id ? { ids: flags.id } : {}),
          ...(flags.uvci ? { uvcis: flags.uvci } : {}),
          all: flags.all,
          current: flags.current,
        },
        (certificate) => {
          if (out !== undefined) {
            buffer += `${JSON.stringify(certificate)}\n`
            if (buffer.length > 1 << 20) flush()
          } else if (json) certificates.push(certificate)
          else this.log(JSON.stringify(certificate))
        },
      )
      flush()
    } catch (err) {
      throw outError(err, flags.out)
    } finally {
      ledger.close()
      if (out !== undefined) closeSync(out)
    }
    if (report.missing.length > 0) this.exitCode = EXIT.INVALID
    if (!json) {
      const c = this.colors
      process.stderr.write(
        `${c.bold(`Exported ${report.exported} certificate${report.exported === 1 ? '' : 's'}${flags.out ? ` to ${flags.out}` : ''}`)}\n`,
      )
      for (const m of report.missing)
        process.stderr.write(
          `  ${c.red('not in the ledger')} ${'id' in m ? `id ${m.id}` : `UVCI ${m.uvci}`}\n`,
        )
    }
    return { ...report, out: flags.out ?? null, ...(json && !flags.out ? { certificates } : {}) }
  }
}

/** The --out file: created 0600 (an existing one made 0600 too), never through a symlink. */
function openOut(path: string): number {
  try {
    const fd = openSync(
      path,
      constants.O_WRONLY | constants.O_CREAT | constants.O_TRUNC | constants.O_NOFOLLOW,
      0o600,
    )
    fchmodSync(fd, 0o600)
    return fd
  } catch (err) {
    throw outError(err, path)
  }
}

function outError(err: unknown, path: string | undefined): unknown {
  const code = (err as { code?: unknown })?.code
  if (err instanceof DccError || path === undefined || typeof code !== 'string' || !/^E[A-Z]+$/.test(code))
    return err
  const why =
    code === 'ELOOP' ? 'it is a symbolic link' : code === 'ENOENT' ? 'its folder does not exist' : code
  return new DccError('ERR_USAGE', `--out ${path} cannot be written (${why})`, { cause: err })
}
