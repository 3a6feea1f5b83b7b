import * as Args from '@oclif/core/args'
import { helpParagraphs } from '../cli/help-text.js'
import * as Flags from '@oclif/core/flags'
import { HcertCommand } from '../cli/base-command.js'
import {
  batchFlag,
  allowFutureFlag,
  atFlag,
  durationFlag,
  nonEmptyPath,
  noPromptFlag,
  refuseFutureAt,
  trustFlag,
  trustSources,
} from '../cli/flags.js'
import { catchInterrupts } from '../cli/interrupts.js'
import { describeStdout } from '../cli/stdout-errors.js'
import { keyDirFlag, ledgerFlag, signerFromFlags } from '../cli/signing-key.js'
import { DccError, EXIT } from '../errors.js'
import { AtomicFile } from '../fs/atomic-file.js'
import { ledgerFileOf, openLedger } from '../ledger/open.js'
import { countryFlag } from '../dcc/country.js'
import { checkDefaults } from '../issue/check-defaults.js'
import type { LedgerStore } from '../ledger/store.js'
import { ledgerSpec } from '../services/ledger-path.js'
import { prepareQrDir, refuseOverlappingPaths } from '../services/output-paths.js'
import { loadTrustList } from '../services/load-trust.js'
import { readCertificates } from '../services/read-certificate-stream.js'
import { renewCertificates, type RenewedCertificate, type RenewReport } from '../services/renew.js'
import { addDuration, formatDuration } from '../time/duration.js'
import { renewInterruptedText } from '../cli/render/interrupted-text.js'

export interface RenewResult extends RenewReport {
  dueBy: string
  certificates?: RenewedCertificate[]
}

export default class Renew extends HcertCommand {
  static override summary =
    'Issue new certificates for those that expired or are about to, without the holder asking.'
  static override description =
    helpParagraphs(`Without inputs, selects from the ledger every certificate not yet renewed that expires by the
due date (--expired: the clock; --expiring-within 30d by default), narrowed by --country, --type,
--batch or --kid. With inputs (HC1 strings, files, or - for stdin, one per line), renews those,
after verifying each against --trust: an expired certificate is what renew is for, but a bad
signature, an unknown signer or a failed schema is never renewed.
A renewal keeps the health content, gets a new iat and exp (--validity, 12 months) and a new UVCI
(the UVCI identifies one certificate for revocation, so it is not reused); the ledger links it to
the certificate it replaces, which is marked superseded. Only the latest current certificate of a
holder for an event is renewed (records with different ids are different people), and each
certificate once: running renew again does nothing. A renewal that a past --at would make expired
is refused for a certificate still valid.
--dry-run lists what would be renewed and signs and writes nothing; --at later than now needs
--allow-future (it signs certificates not valid today). The ledger must exist (only issue creates one).
Ctrl-C stops after the chunk in flight; what was renewed is committed and written out.
Exit codes: 0 · 4 when some inputs were refused · 2 usage · 130 / 143 stopped by SIGINT / SIGTERM.`)

  static override examples = [
    {
      description: 'Everything that has expired',
      command: '<%= config.bin %> renew --expired --key-dir keys/',
    },
    {
      description: 'What expires in the next 30 days, for one batch, as JSON Lines with QR images',
      command:
        '<%= config.bin %> renew --expiring-within 30d --batch records.csv --key-dir keys/ --out renewed.jsonl --qr-dir qr/',
    },
    {
      description: 'Everything signed by a DSC being retired',
      command: '<%= config.bin %> renew --kid kzlQn+5disA= --expiring-within 400d --key-dir keys-2023/',
    },
    {
      description: 'What would be renewed a month from now, signing nothing',
      command: '<%= config.bin %> renew --expired --at 2027-01-01 --dry-run --key-dir keys/',
    },
    {
      description: 'Certificates a holder brought',
      command: '<%= config.bin %> renew old.txt --trust trust-list.json --expired --key-dir keys/',
    },
  ]

  static override strict = false
  static override args = {
    input: Args.string({
      description: 'certificates to renew (HC1 strings, files, or - for stdin); none: select from the ledger',
      ignoreStdin: true,
    }),
  }

  static override flags = {
    'key-dir': keyDirFlag,
    ledger: ledgerFlag,
    trust: trustFlag('Trusted certificates, to verify given certificates first; repeatable.'),
    expired: Flags.boolean({
      summary: 'Renew what has expired by the clock.',
      default: false,
      exclusive: ['expiring-within'],
    }),
    'expiring-within': durationFlag({ summary: 'Renew what expires within this time (default 30d).' }),
    country: Flags.string({ summary: 'Only certificates of this country.' }),
    type: Flags.option({
      summary: 'Only this type (v, t, r: EU DCC; icvp: smart ICVP).',
      options: ['v', 't', 'r', 'icvp'] as const,
    })(),
    batch: batchFlag({
      summary: 'Only certificates first issued in this batch (or their renewals and corrections since).',
    }),
    kid: Flags.string({ summary: 'Only certificates signed by this kid (e.g. a DSC being retired).' }),
    at: atFlag({
      summary:
        'The clock (ISO 8601): iat of the renewals and the due date; later than now needs --allow-future.',
    }),
    'allow-future': allowFutureFlag,
    'dry-run': Flags.boolean({
      summary: 'List what would be renewed; sign, record and write nothing.',
      default: false,
    }),
    validity: durationFlag({ summary: 'Validity of the renewals.', default: { amount: 12, unit: 'm' } }),
    out: nonEmptyPath(
      'out',
      Flags.string({ char: 'o', summary: 'Write the renewals as JSON Lines to this file.' }),
    ),
    'qr-dir': nonEmptyPath(
      'qr-dir',
      Flags.string({ summary: 'Write a PNG and an SVG QR code per renewal here.' }),
    ),
    'uvci-issuer': Flags.string({ summary: 'Issuer segment of the new UVCIs.' }),
    'no-prompt': noPromptFlag,
  }

  async run(): Promise<RenewResult> {
    const { argv, flags } = await this.parse(Renew)
    const inputs = argv as string[]
    const dryRun = flags['dry-run']
    // checked exactly as issue's, before anything is read or written: a UVCI holds A–Z, 0–9 and /
    const { uvciIssuer } =
      flags['uvci-issuer'] === undefined ? {} : checkDefaults({ uvciIssuer: flags['uvci-issuer'] })
    // a country no certificate can have is a usage error, as for issue (not a silent "0 renewed")
    const country = flags.country === undefined ? undefined : countryFlag(flags.country)
    if (!dryRun) refuseFutureAt(flags.at, flags['allow-future'])
    const { signer, keyDir } = await signerFromFlags('renew', flags['key-dir'], flags['no-prompt'], {
      dryRun,
    })
    const now = flags.at ?? new Date()
    const window = flags['expiring-within'] ?? { amount: 30, unit: 'd' as const }
    const dueBy = flags.expired ? now : addDuration(now, window)
    const trustPaths = trustSources(flags.trust)
    if (inputs.length > 0 && trustPaths.length === 0)
      throw new DccError(
        'ERR_USAGE',
        'renewing given certificates needs --trust (or HCERT_TRUST), to verify them first',
      )
    const trust = inputs.length > 0 ? loadTrustList(trustPaths) : undefined
    // selecting from the ledger needs one: a mistyped --ledger is an error, not "0 renewed"
    const ledgerPath = ledgerSpec(flags.ledger)
    refuseOverlappingPaths({
      // the trust lists are read too: an --out naming one would empty it
      inputs: [...inputs, ...trustPaths],
      ledger: ledgerFileOf(ledgerPath),
      keyDir,
      ...(flags.out ? { out: flags.out } : {}),
      ...(flags['qr-dir'] ? { qrDir: flags['qr-dir'] } : {}),
    })
    // every destination is created before anything is signed; a dry run creates none
    const out = flags.out && !dryRun ? new AtomicFile(flags.out, { lockAs: '--out' }) : undefined
    try {
      if (flags['qr-dir'] && !dryRun) prepareQrDir(flags['qr-dir'])
    } catch (err) {
      out?.discard()
      throw err
    }
    let ledger: LedgerStore
    try {
      // a dry run only reads the ledger: opened read only (not migrated), as issue --dry-run
      ledger = openLedger(ledgerPath, { create: false, readOnly: dryRun })
    } catch (err) {
      out?.discard()
      throw err
    }
    const certificates: RenewedCertificate[] = []
    const toStdout = !flags.out && !this.jsonEnabled()
    if (!dryRun)
      describeStdout(
        'the renewals signed before it are committed to the ledger: run the same command again to write them out again and renew the rest (none is renewed twice), or get them back with hcert export',
      )
    let report: RenewReport
    const interrupts = catchInterrupts(
      (text) => {
        if (!this.jsonEnabled()) process.stderr.write(`\n${text}\n`)
      },
      // the second signal: the renewals written out so far are committed (--out is not kept)
      (signal) => ({
        text: renewInterruptedText(signal, written, undefined),
        ...(this.jsonEnabled()
          ? { json: { interrupted: signal, stoppedAtOnce: true, renewed: written } }
          : {}),
      }),
    )
    let failed = true
    let written = 0
    try {
      report = await renewCertificates({
        ledger,
        signer,
        now,
        validity: flags.validity,
        dueBy: Math.floor(dueBy.getTime() / 1000),
        // a renewal made within the window is not renewed again (it would be, on every run, when
        // the window is as long as --validity): as long before now as the window reaches after it
        ...(flags.expired ? {} : { replacedSince: Math.floor((2 * now.getTime() - dueBy.getTime()) / 1000) }),
        filter: {
          ...(country !== undefined ? { country } : {}),
          ...(flags.type ? { type: flags.type } : {}),
          ...(flags.batch ? { batch: flags.batch } : {}),
          ...(flags.kid ? { kid: flags.kid } : {}),
        },
        ...(inputs.length > 0
          ? { inputs: readCertificates(inputs, process.stdin), ...(trust ? { trust } : {}) }
          : {}),
        ...(uvciIssuer ? { uvciIssuer } : {}),
        batch: `renew ${now.toISOString()}`,
        ...(flags['qr-dir'] ? { qrDir: flags['qr-dir'] } : {}),
        dryRun,
        signal: interrupts.signal,
        onCertificate: (c) => {
          written++
          if (out) out.write(`${JSON.stringify(c)}\n`)
          else if (toStdout) this.log(JSON.stringify(c))
          else certificates.push(c)
        },
      })
      failed = false
    } finally {
      interrupts.release()
      ledger.close()
      // the renewals written are committed and will not be made again: the file keeps them even
      // when the run stops early (an interrupt, a failed write to the ledger)
      if (out) {
        // a run that failed before writing anything leaves the file as it was, not emptied
        if (failed && written === 0) out.discard()
        else if (failed) {
          try {
            out.commit()
          } catch {
            out.discard()
          }
        } else out.commit()
      }
    }
    if (report.refused.length > 0) this.exitCode = EXIT.INVALID
    this.exitCode = interrupts.exitCode() ?? this.exitCode
    const result: RenewResult = {
      ...report,
      dueBy: dueBy.toISOString(),
      ...(this.jsonEnabled() && !flags.out ? { certificates } : {}),
    }
    // no "N renewed" beside the error of a failed write to stdout
    if (!this.jsonEnabled() && (await this.stdoutWritten())) {
      const c = this.colors
      const w = (line: string): void => {
        process.stderr.write(`${line}\n`)
      }
      const due = flags.expired
        ? `expired by ${dueBy.toISOString()}`
        : `expiring by ${dueBy.toISOString()} (within ${formatDuration(window)})`
      w(
        c.bold(
          dryRun
            ? `Dry run, nothing signed: renew ${due}: ${report.wouldRenew?.length ?? 0} would be renewed, ${report.skipped.length} skipped, ${report.refused.length} refused`
            : `Renew ${due}: ${report.renewed} renewed${report.alreadyRenewed > 0 ? ` (${report.alreadyRenewed} already renewed, written again)` : ''}, ${report.skipped.length} skipped, ${report.refused.length} refused`,
        ),
      )
      const would = report.wouldRenew ?? []
      for (const d of would.slice(0, 50))
        w(`  ${c.dim('would renew')} ${d.uvci} (${d.type}, expires ${new Date(d.exp * 1000).toISOString()})`)
      if (would.length > 50) w(c.dim(`  … and ${would.length - 50} more (--json lists them all)`))
      for (const warning of report.warnings) w(c.yellow(`warning: ${warning}`))
      for (const s of report.skipped.slice(0, 50))
        w(`  ${c.dim('skipped')} ${s.uvci ?? s.source}: ${s.reason}`)
      if (report.skipped.length > 50)
        w(c.dim(`  … and ${report.skipped.length - 50} more skipped (--json lists them all)`))
      // named by UVCI (not personal data) where one is known, as skipped ones are; the first 50
      for (const r of report.refused.slice(0, 50))
        w(`  ${c.red('refused')} ${r.uvci ? `${r.uvci} (${r.source})` : r.source}: ${r.reason}`)
      if (report.refused.length > 50)
        w(c.dim(`  … and ${report.refused.length - 50} more refused (--json lists them all)`))
      if (report.interrupted) w(c.yellow(renewInterruptedText(report.interrupted, report.renewed, flags.out)))
    }
    return result
  }
}
