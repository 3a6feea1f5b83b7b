import * as Flags from '@oclif/core/flags'
import { nonEmptyPath } from '../cli/flags.js'
import { helpParagraphs } from '../cli/help-text.js'
import { HcertCommand } from '../cli/base-command.js'
import { catchInterrupts } from '../cli/interrupts.js'
import { terminalText } from '../cli/render/terminal-text.js'
import { batchFlag } from '../cli/flags.js'
import { ledgerFlag } from '../cli/signing-key.js'
import { DccError, EXIT } from '../errors.js'
import { AtomicFile } from '../fs/atomic-file.js'
import { ledgerFileOf, openLedger } from '../ledger/open.js'
import { exportCertificates, type ExportedCertificate, type ExportReport } from '../services/export.js'
import { ledgerSpec } from '../services/ledger-path.js'
import { prepareQrDir, refuseOverlappingPaths } from '../services/output-paths.js'
import { qrWriter } from '../qr/load-qr-writer.js'

export interface ExportResult extends ExportReport {
  /** the --out file written: null without --out, and when the export was stopped (no file written) */
  out: string | null
  /** with --json and no --out */
  certificates?: ExportedCertificate[]
}

export default class Export extends HcertCommand {
  static override summary =
    'Write certificates from the ledger again, as the JSON Lines lines hcert issue wrote: by batch, id or UVCI.'
  static override description =
    helpParagraphs(`A lost or damaged output file is not a lost certificate: every certificate is in the ledger, and
export writes it out again exactly as issue (or renew) did: JSON Lines {line, id, uvci, type, iat, exp,
hc1, replaces}, where id is the input record's id column and replaces the UVCI of the certificate a
correction or renewal supersedes. Select with --batch (the batch name issue recorded: --batch, else the
input file name; with the corrections and renewals that replaced its certificates since), --id (an input id: the certificate first issued for it, then its corrections and
renewals), --uvci, or --all (alone); --id and --uvci may repeat, and --batch narrows them. --current keeps only
certificates superseded by nothing. --qr-dir draws their QR images again (as issue --qr-dir). Nothing is
signed and the ledger is not changed.
Exit codes: 0 · 4 when an --id, --uvci or --batch is not in the ledger (the others are exported) · 2 usage or ledger.`)

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
    batch: batchFlag({
      summary:
        'Certificates of this batch (as issue recorded it: --batch, else the file name) and those that replaced them since.',
    }),
    id: Flags.string({
      summary:
        'Certificates of the record with this input id (its first, corrections, renewals); repeatable.',
      multiple: true,
      parse: async (input) => notBlank('id', input),
    }),
    uvci: Flags.string({
      summary: 'The certificate with this UVCI; repeatable.',
      multiple: true,
      parse: async (input) => notBlank('uvci', input),
    }),
    all: Flags.boolean({
      summary: 'Every certificate in the ledger (not with --batch, --id or --uvci).',
      default: false,
    }),
    current: Flags.boolean({ summary: 'Only certificates superseded by nothing.', default: false }),
    'qr-dir': nonEmptyPath(
      'qr-dir',
      Flags.string({
        summary:
          'Draw a PNG and an SVG QR code of each certificate exported here, as issue --qr-dir does (the same names and images).',
      }),
    ),
    out: nonEmptyPath(
      'out',
      Flags.string({
        char: 'o',
        summary:
          'Write the JSON Lines to this file (written whole, mode 0600; a symbolic link or device there is refused) instead of stdout.',
      }),
    ),
  }

  async run(): Promise<ExportResult> {
    const { flags } = await this.parse(Export)
    if (flags.batch !== undefined) notBlank('batch', flags.batch)
    // beside a selection, --all was ignored (`--all --id X` exported one certificate): refused
    const narrowing = [
      ...(flags.batch !== undefined ? ['--batch'] : []),
      ...(flags.id?.length ? ['--id'] : []),
      ...(flags.uvci?.length ? ['--uvci'] : []),
    ]
    if (flags.all && narrowing.length > 0)
      throw new DccError(
        'ERR_USAGE',
        `--all exports every certificate and cannot be given with ${narrowing.join(' or ')}: give --all alone, or leave it out`,
      )
    if (flags.batch === undefined && !flags.id?.length && !flags.uvci?.length && !flags.all)
      throw new DccError('ERR_USAGE', 'say what to export: --batch, --id, --uvci or --all')
    const json = this.jsonEnabled()
    const ledgerPath = ledgerSpec(flags.ledger)
    const qrDir = flags['qr-dir']
    if (flags.out || qrDir)
      refuseOverlappingPaths({
        ledger: ledgerFileOf(ledgerPath),
        ...(flags.out ? { out: flags.out } : {}),
        ...(qrDir ? { qrDir } : {}),
      })
    // read only: a ledger file the user may only read is enough, and nothing is migrated
    const ledger = openLedger(ledgerPath, { create: false, readOnly: true })
    const certificates: ExportedCertificate[] = []
    let out: AtomicFile | undefined
    try {
      if (qrDir) prepareQrDir(qrDir)
      if (flags.out) out = new AtomicFile(flags.out, { lockAs: '--out' })
    } catch (err) {
      ledger.close()
      throw err
    }
    let report: ExportReport
    const interrupts = catchInterrupts((text) => {
      if (!json)
        process.stderr.write(
          `\n${text.replace('after the chunk in flight', 'after the certificate in flight')}\n`,
        )
    })
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
        async (certificate) => {
          if (out !== undefined) out.write(`${JSON.stringify(certificate)}\n`)
          else if (json) certificates.push(certificate)
          else this.log(JSON.stringify(certificate))
          if (qrDir) await (await qrWriter()).writeQrFiles(qrDir, certificate.uvci, certificate.hc1)
        },
        interrupts.signal,
      )
      // a stopped export writes no --out file (a part of a batch would pass for all of it)
      if (report.interrupted) out?.discard()
      else out?.commit()
    } catch (err) {
      out?.discard()
      throw err
    } finally {
      interrupts.release()
      ledger.close()
    }
    this.exitCode = interrupts.exitCode() ?? this.exitCode
    if (report.missing.length > 0 && !report.interrupted) this.exitCode = EXIT.INVALID
    // no "Exported N" beside the error of a failed write to stdout
    if (!json && (await this.stdoutWritten())) {
      const c = this.colors
      process.stderr.write(
        `${c.bold(`${report.interrupted ? 'Stopped after' : 'Exported'} ${report.exported} certificate${report.exported === 1 ? '' : 's'}${flags.out && !report.interrupted ? ` to ${terminalText(flags.out)}` : ''}`)}\n`,
      )
      for (const m of report.missing)
        process.stderr.write(
          `  ${c.red('not in the ledger')} ${terminalText('id' in m ? `id ${m.id}` : 'uvci' in m ? `UVCI ${m.uvci}` : `batch ${m.batch}`)}\n`,
        )
      if (report.interrupted)
        process.stderr.write(
          `${c.yellow(`Interrupted (${report.interrupted}): ${flags.out ? `${terminalText(flags.out)} was not written` : 'the certificates above were written'}${qrDir ? `; the QR images of the ${report.exported} certificates before it are in ${terminalText(qrDir)}` : ''}. The ledger is unchanged: run the same command again to export them all.`)}\n`,
        )
    }
    // a stopped export wrote no --out file: none is named
    const written = flags.out !== undefined && !report.interrupted ? flags.out : null
    return { ...report, out: written, ...(json && !flags.out ? { certificates } : {}) }
  }
}

/** ERR_USAGE for an empty (or blank) selection value: it would select nothing and exit 4 as if missing. */
function notBlank(flag: string, value: string): string {
  if (value.trim() === '')
    throw new DccError(
      'ERR_USAGE',
      `--${flag} is empty; give the ${flag === 'id' ? "record's input id" : flag === 'uvci' ? "certificate's UVCI" : 'batch name issue recorded'}, or leave --${flag} out`,
    )
  return value
}
