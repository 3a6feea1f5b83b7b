import * as Args from '@oclif/core/args'
import { helpParagraphs } from '../cli/help-text.js'
import * as Flags from '@oclif/core/flags'
import { readFileSync, statSync } from 'node:fs'
import { basename } from 'node:path'
import { HcertCommand } from '../cli/base-command.js'
import {
  allowFutureFlag,
  atFlag,
  batchFlag,
  durationFlag,
  nonEmptyPath,
  noPromptFlag,
  refuseFutureAt,
} from '../cli/flags.js'
import { catchInterrupts } from '../cli/interrupts.js'
import { describeStdout } from '../cli/stdout-errors.js'
import { keyDirFlag, ledgerFlag, signerFromFlags } from '../cli/signing-key.js'
import { Progress } from '../cli/progress.js'
import { terminalText } from '../cli/render/terminal-text.js'
import { DccError, EXIT } from '../errors.js'
import { checkDefaults } from '../issue/check-defaults.js'
import { standardText } from '../issue/clean-text.js'
import { ISSUE_KINDS, type IssueKind } from '../issue/issue-types.js'
import { checkInputSource, formatFromName } from '../issue/read-records.js'
import { organisationOf } from '../keys/certificate-info.js'
import { inlineSigner, workerSigner, type JobSigner } from '../issue/sign-jobs.js'
import { BackgroundCheckpoint } from '../ledger/background-checkpoint.js'
import { Ledger } from '../ledger/ledger.js'
import { ledgerFileOf, openLedger } from '../ledger/open.js'
import { defaultLeaseMs } from '../ledger/store.js'
import { issueCertificates, type IssuedCertificate, type IssueReport } from '../services/issue.js'
import { ledgerSpec } from '../services/ledger-path.js'
import { checkDestinationFolders, refuseOverlappingPaths } from '../services/output-paths.js'
import { issueInterruptedText } from '../cli/render/interrupted-text.js'

export default class Issue extends HcertCommand {
  static override summary =
    'Sign certificates from JSON, JSON Lines or CSV records, with data cleaning, QR images and a ledger.'
  static override description =
    helpParagraphs(`Every record is checked before anything is signed (the DCC schema, the value sets, and sanity
across fields); a rejected record is never signed, and the report says which field is wrong and why.
Accepted records are signed with the key directory's DSC (ES256 or PS256), recorded in the SQLite
ledger, and written out: one JSON object (or --interactive) as its HC1 text (and a QR code on a
terminal), a batch (CSV, JSON Lines, a JSON list, even of one record) as JSON Lines {line, id, uvci,
type, iat, exp, hc1}. Running the same input again, in any form, issues nothing twice: each record's
idempotency key (its id column, else a hash of the record as cleaned) is looked up in the ledger.
An id already issued for other content is rejected; --correct issues such a record as a correction
that supersedes the certificate issued before (its line carries "replaces": the old UVCI).
Files are written whole (temporary file, then renamed), mode 0600, never through a symbolic link; an
output that is the input, the ledger or a key file is refused. --dry-run writes nothing, not even a
ledger. Ctrl-C stops after the chunk in flight and says what was committed: run the same command to resume.
Exit codes: 0 every record issued · 4 some records rejected (the others are issued) · 2 usage
· 130 / 143 stopped by SIGINT / SIGTERM.`)

  static override examples = [
    {
      description: 'A batch, with QR images and a rejects file for the vaccination sites',
      command:
        '<%= config.bin %> issue records.csv --key-dir keys/ --out issued.jsonl --qr-dir qr/ --rejects rejects.csv',
    },
    {
      description: 'One certificate from a DCC payload',
      command: '<%= config.bin %> issue examples/vaccination.json --key-dir keys-example',
    },
    {
      description: 'Check a file without signing',
      command: '<%= config.bin %> issue records.csv --key-dir keys/ --dry-run',
    },
    {
      description: 'Correct records already issued under the same ids (the old certificates are superseded)',
      command: '<%= config.bin %> issue corrected.csv --key-dir keys/ --correct --out corrected.jsonl',
    },
    {
      description: 'Yellow-fever ICVPs from a CSV (README "Issuing ICVP certificates")',
      command: '<%= config.bin %> issue icvp.csv --kind icvp --key-dir keys/ --out icvp.jsonl --qr-dir qr/',
    },
    {
      description: 'Walk an operator through one certificate',
      command: '<%= config.bin %> issue --interactive --key-dir keys/',
    },
  ]

  static override args = {
    input: Args.string({
      description: 'records: .csv, .json or .jsonl file, or - for stdin',
      ignoreStdin: true,
    }),
  }

  static override flags = {
    kind: Flags.custom<IssueKind>({
      summary:
        'What the records are: dcc (EU DCC, the default) or icvp (smart ICVP, yellow fever / polio, signed under -260/-6).',
      helpValue: '<dcc|icvp>',
      default: 'dcc',
      parse: async (input) => {
        const kind = input.trim().toLowerCase()
        // the value is never quoted back: a flag typed in the wrong place may hold anything
        if (!(ISSUE_KINDS as readonly string[]).includes(kind))
          throw new DccError('ERR_USAGE', `--kind takes ${ISSUE_KINDS.join(' or ')}`)
        return kind as IssueKind
      },
    })(),
    'key-dir': keyDirFlag,
    ledger: ledgerFlag,
    out: nonEmptyPath(
      'out',
      Flags.string({
        char: 'o',
        summary: 'Write the certificates as JSON Lines to this file (replaced whole at the end of the run).',
      }),
    ),
    'qr-dir': nonEmptyPath(
      'qr-dir',
      Flags.string({
        summary: 'Write a PNG and an SVG QR code per certificate here, named by UVCI.',
      }),
    ),
    rejects: nonEmptyPath(
      'rejects',
      Flags.string({
        summary: 'Write rejected records here, in the input format, with a reason column.',
      }),
    ),
    'dry-run': Flags.boolean({
      summary: 'Check every record, sign nothing, write nothing (no ledger, out, rejects or image file).',
      default: false,
    }),
    correct: Flags.boolean({
      summary:
        'Issue a record whose id was issued for other content as a correction that supersedes that certificate.',
      default: false,
    }),
    restore: Flags.boolean({
      summary:
        'With --correct: a record with the content of an earlier version of its certificate is signed as a correction that restores it (to undo a mistaken correction).',
      default: false,
    }),
    country: Flags.string({ summary: 'Country (co) for records without one; default the DSC’s country.' }),
    issuer: Flags.string({ summary: 'Issuer (is) for records without one; default the DSC’s organisation.' }),
    'uvci-issuer': Flags.string({
      summary: 'Issuer segment of generated UVCIs: URN:UVCI:01:<CC>:<segment>/<unique>#<check>.',
    }),
    validity: durationFlag({
      summary: 'Validity from issuance (exp = iat + validity, capped at the DSC’s expiry).',
      default: { amount: 12, unit: 'm' },
    }),
    at: atFlag({
      summary: 'Issuance time iat (ISO 8601); default now; later than now needs --allow-future.',
    }),
    'allow-future': allowFutureFlag,
    batch: batchFlag({
      summary: 'Batch name recorded in the ledger (at most 255 characters); default the input file name.',
    }),
    format: Flags.option({
      summary: 'Input format; default from the file extension, else from its first bytes.',
      options: ['csv', 'json', 'jsonl'] as const,
    })(),
    workers: Flags.integer({
      summary:
        'Signing threads for large batches, besides the main thread, which signs when it would wait for them (default: one per core but one; 0: the main thread alone; at most 64).',
      min: 0,
      max: 64,
    }),
    interactive: Flags.boolean({ char: 'i', summary: 'Prompt for one certificate.', default: false }),
    'no-prompt': noPromptFlag,
  }

  async run(): Promise<IssueReport> {
    const { args, flags } = await this.parse(Issue)
    const kind = flags.kind ?? 'dcc'
    if (kind === 'icvp' && flags.interactive)
      throw new DccError(
        'ERR_USAGE',
        '--interactive prompts for EU DCC records only; give ICVP records in a file',
      )
    if (flags.restore && !flags.correct)
      throw new DccError(
        'ERR_USAGE',
        '--restore restores an earlier version of a certificate as a correction: give it with --correct',
      )
    if (!flags.interactive && args.input === undefined && process.stdin.isTTY)
      throw new DccError('ERR_USAGE', 'give a file of records, - for stdin, or --interactive')
    const given = checkDefaults({
      ...(flags.country === undefined ? {} : { country: flags.country }),
      ...(flags.issuer === undefined ? {} : { issuer: flags.issuer }),
      ...(flags['uvci-issuer'] === undefined ? {} : { uvciIssuer: flags['uvci-issuer'] }),
    })
    if (!flags['dry-run']) refuseFutureAt(flags.at, flags['allow-future'])
    const { signer, keyDir, passphrase, pin } = await signerFromFlags(
      'issue',
      flags['key-dir'],
      flags['no-prompt'],
      { dryRun: flags['dry-run'] },
    )
    const source = args.input ?? '-'
    const country = given.country ?? signer.certificate.country
    // an ICVP's issuer (is) names the vaccinating organisation, which the DSC's (a ministry) is not:
    // only --issuer fills it in, so that the issuer-or-clinician rule still asks for one of them
    // the DSC's O read as a record's issuer column is (NFC, trimmed, runs of spaces one): an O of
    // `keys generate --org "  Mo  H  "` (kept as typed) or of older keys (NFD) is signed as `Mo H`
    const organisation = organisationOf(signer.certificate.der)
    const issuer =
      kind === 'icvp'
        ? given.issuer
        : (given.issuer ?? (organisation === undefined ? undefined : standardText(organisation)))
    const records = flags.interactive
      ? (await import('../cli/interactive-record.js')).promptRecord({ country, issuer })
      : undefined

    const large =
      source !== '-' &&
      !flags.interactive &&
      // with --qr-dir a record costs ~3 times as much (its images), so threads pay off sooner
      (statSync(source, { throwIfNoEntry: false })?.size ?? 0) > (flags['qr-dir'] ? 16 : 64) * 1024
    const threads = flags.workers ?? (large ? undefined : 0)
    // a PKCS#11 module that cannot lock for threads signs on this thread only
    const threaded = threads !== 0 && !import.meta.url.endsWith('.ts') && signer.threadSafe
    const ledgerPath = ledgerSpec(flags.ledger)
    // a missing input is found before anything is created (the ledger, an output file)
    if (!flags.interactive) checkInputSource(source)
    const inputFormat = flags.interactive
      ? undefined
      : (flags.format ?? (source !== '-' ? formatFromName(source) : undefined))
    // before anything is read or created: no output may be the input, the ledger or a key file
    refuseOverlappingPaths({
      inputs: [source],
      ledger: ledgerFileOf(ledgerPath),
      keyDir,
      ...(flags.out ? { out: flags.out } : {}),
      ...(flags.rejects ? { rejects: flags.rejects } : {}),
      ...(flags['qr-dir'] ? { qrDir: flags['qr-dir'] } : {}),
      ...(inputFormat ? { inputFormat } : {}),
    })
    if (!flags['dry-run']) checkDestinationFolders([flags.out, flags.rejects])
    // a dry run creates no ledger: without one (no file, a database without tables), it checks
    // against an empty ledger in memory
    // and an existing one is opened read only: not even migrated to this hcert's schema
    // opened by the service once every check that can fail before a record is read has passed (the
    // DSC's validity, the output files and folders, the rejects file it replaces): none creates a ledger
    let ledger: ReturnType<typeof openLedger> | undefined
    let checkpoint: BackgroundCheckpoint | undefined
    const open = (): ReturnType<typeof openLedger> => {
      ledger = flags['dry-run']
        ? openLedger(ledgerPath, { create: false, readOnly: true, absentAsEmpty: true })
        : openLedger(ledgerPath, { create: true })
      // with signing threads, the log's checkpoints leave the main thread too (it is the busier one)
      if (threaded && ledger instanceof Ledger && ledger.path !== ':memory:') {
        checkpoint = new BackgroundCheckpoint(ledger.path)
        ledger.checkpointInBackground(checkpoint)
      }
      return ledger
    }
    const jobSigner: JobSigner = threaded
      ? workerSigner({ dir: keyDir, passphrase, pin }, signer, threads)
      : inlineSigner(signer)
    // a progress line for batches worth watching: CSV and JSON Lines files, counted by their lines
    const countable =
      source !== '-' && !flags.interactive && process.stderr.isTTY && /\.(csv|jsonl|ndjson)$/i.test(source)
    const total = countable ? countLines(source) : undefined
    const progress = new Progress(total !== undefined && total >= 1000 ? total : undefined)
    const certificates: IssuedCertificate[] = []
    // asked once: oclif's jsonEnabled() reads the environment each time (1.6 µs a certificate)
    const json = this.jsonEnabled()
    const toStdout = !flags.out && !json
    // the output's shape follows the input's, never the number of certificates: one JSON object (or
    // --interactive) prints its HC1 text; a batch (CSV, JSON Lines, a JSON list) prints JSON Lines
    // with line and id, even when it holds one record, so a script reads every batch alike
    let alone = flags.interactive
    let writtenOut = 0
    const onCertificate = (certificate: IssuedCertificate): void => {
      writtenOut++
      if (json && !flags.out) certificates.push(certificate)
      if (!toStdout) return
      if (alone) certificates.push(certificate)
      else this.log(JSON.stringify(certificate))
    }
    if (!flags['dry-run'])
      describeStdout(
        'the certificates signed before it are committed to the ledger (the rest are not): run the same command again to write every record out (none is signed twice), or get them back with hcert export',
      )
    let report: IssueReport
    const interrupts = catchInterrupts(
      (text) => {
        if (!json) process.stderr.write(`\n${text}\n`)
      },
      // the second signal: the records written out so far are committed (the output file is not kept)
      (signal) => ({
        text: issueInterruptedText(signal, writtenOut),
        ...(json ? { json: { interrupted: signal, stoppedAtOnce: true, records: writtenOut } } : {}),
      }),
    )
    try {
      report = await issueCertificates({
        source,
        ...(records
          ? {
              records: (async function* () {
                yield await records
              })(),
            }
          : {}),
        ...(flags.format ? { format: flags.format } : {}),
        signer,
        jobSigner,
        ledger: open,
        batch:
          flags.batch ?? (flags.interactive ? 'interactive' : source === '-' ? 'stdin' : basename(source)),
        now: flags.at ?? new Date(),
        validity: flags.validity,
        defaults: { ...(country ? { country } : {}), ...(issuer ? { issuer } : {}) },
        ...(given.uvciIssuer ? { uvciIssuer: given.uvciIssuer } : {}),
        ...(flags.out ? { out: flags.out } : {}),
        ...(flags['qr-dir'] ? { qrDir: flags['qr-dir'] } : {}),
        ...(flags.rejects ? { rejects: flags.rejects } : {}),
        dryRun: flags['dry-run'],
        ...(flags.correct ? { correct: true } : {}),
        ...(flags.restore ? { restore: true } : {}),
        ...(kind === 'icvp' ? { kind } : {}),
        onCertificate,
        onFirstRecord: (record) => {
          if (record.alone) alone = true
        },
        onProgress: (n) => progress.update(n),
        // said once, on stderr (also with --json): a wait for another machine's lease is silent otherwise
        onWaiting: (records) =>
          process.stderr.write(
            `waiting for ${records} record(s) another run has reserved: they are written out once it commits them; if that run has stopped, its reservation runs out within ${Math.ceil(defaultLeaseMs() / 1000)} s (HCERT_LEDGER_LEASE)\n`,
          ),
        signal: interrupts.signal,
      })
    } finally {
      interrupts.release()
      progress.finish()
      await jobSigner.close()
      await checkpoint?.close()
      ledger?.close()
    }
    if (json && !flags.out) report.certificates = certificates
    if (report.rejected > 0) this.exitCode = EXIT.INVALID
    this.exitCode = interrupts.exitCode() ?? this.exitCode
    if (!json) {
      const single = toStdout && alone && !report.interrupted ? certificates[0] : undefined
      if (single) {
        this.log(single.hc1)
        if (process.stdout.isTTY) {
          const qr = (await import('qrcode-terminal')).default
          qr.generate(single.hc1, { small: true }, (text: string) => this.log(text))
        }
      }
      // no "Issued N" beside the error of a failed write to stdout
      if (await this.stdoutWritten()) this.printReport(report, flags.rejects)
    }
    return report
  }

  /** The report on stderr; `rejects`: the --rejects file, when given (the rest of the rejections are there). */
  private printReport(report: IssueReport, rejects: string | undefined): void {
    const c = this.colors
    const w = (line: string): void => {
      process.stderr.write(`${line}\n`)
    }
    // the batch name is the input file's name or --batch: shown, never acted on by the terminal
    const head = report.dryRun ? 'Dry run: nothing signed' : `Batch ${terminalText(report.batch)}`
    w(
      c.bold(
        `${head}: ${report.records} record${report.records === 1 ? '' : 's'}, ${report.dryRun ? `${report.wouldIssue ?? 0} would be issued` : `${report.issued} issued`}${report.corrected > 0 ? ` (${report.corrected} corrected)` : ''}${(report.wouldCorrect ?? 0) > 0 ? ` (${report.wouldCorrect} would be correction${report.wouldCorrect === 1 ? '' : 's'})` : ''}, ${report.alreadyIssued} already issued, ${report.rejected} rejected`,
      ),
    )
    for (const warning of report.warnings) w(c.yellow(`warning: ${terminalText(warning)}`))
    for (const r of report.rejections)
      w(
        `  ${c.red('rejected')} record ${r.index} (${r.element === undefined ? `line ${r.line}` : `element index ${r.element}`}) ${c.bold(r.field)}: ${r.reason}`,
      )
    if (report.rejected > report.rejections.length) {
      // say only where they are: a dry run records and writes nothing, and without --rejects no file has them
      const more = `  … and ${report.rejected - report.rejections.length} more`
      w(
        c.dim(
          report.dryRun
            ? `${more}, not listed (a dry run records and writes nothing: run without --dry-run, with --rejects FILE, to have every rejected record written out)`
            : rejects
              ? `${more}, in the ledger's rejections and the --rejects file`
              : `${more}, in the ledger's rejections (give --rejects FILE to have every rejected record written out)`,
        ),
      )
    }
    if (report.interrupted) w(c.yellow(issueInterruptedText(report.interrupted, report.records)))
  }
}

function countLines(path: string): number | undefined {
  try {
    const stat = statSync(path)
    // a device (a link to /dev/zero) has size 0 and no end: only regular files are counted
    if (!stat.isFile() || stat.size > 512 * 1024 * 1024) return undefined
    const data = readFileSync(path)
    let n = 0
    for (let i = data.indexOf(10); i !== -1; i = data.indexOf(10, i + 1)) n++
    return path.toLowerCase().endsWith('.csv') ? Math.max(0, n - 1) : n
  } catch {
    return undefined
  }
}
