import * as Args from '@oclif/core/args'
import { helpParagraphs } from '../cli/help-text.js'
import * as Flags from '@oclif/core/flags'
import { HcertCommand } from '../cli/base-command.js'
import { nonEmptyPath } from '../cli/flags.js'
import { terminalText as safe } from '../cli/render/terminal-text.js'
import { EXIT } from '../errors.js'
import { runConformance, type ConformanceResult } from '../services/conformance.js'

export default class Conformance extends HcertCommand {
  static override summary =
    'Run test vectors in the public EU dgc-testdata format and compare every EXPECTED* result.'
  static override description =
    helpParagraphs(`Walks <dir> recursively for vector files (JSON with EXPECTEDRESULTS) and runs each expectation
through the same code paths as 'hcert decode' and 'hcert verify', for every payload kind they read
(the EU DCC and the WHO kinds: JSON and CBOR then hold that kind's payload, and the schema
expectations check its model). Expectations whose input fields a
vector lacks are skipped, as the reference harness does. A known-issues file (known_issues.csv in <dir>
by default) marks expected failures with their reason. Exits 4 on any unexpected result, and 2
when <dir> holds no vector.`)

  static override examples = [
    {
      description: 'Run the bundled EU vectors',
      command: '<%= config.bin %> conformance test/fixtures/dgc-testdata',
    },
    { description: 'For CI, as JSON', command: '<%= config.bin %> conformance vectors/ --json' },
  ]

  static override args = {
    dir: Args.directory({
      description: 'folder of test vectors, searched recursively',
      required: true,
    }),
  }

  static override flags = {
    'known-issues': nonEmptyPath(
      'known-issues',
      Flags.file({
        summary:
          'CSV of expected failures (test_name,country,test_set,reason); default <dir>/known_issues.csv',
      }),
    ),
    verbose: Flags.boolean({
      char: 'v',
      summary: 'Also list skipped expectations and known issues.',
      default: false,
    }),
  }

  async run(): Promise<ConformanceResult> {
    const { args, flags } = await this.parse(Conformance)
    const result = await runConformance(args.dir, { knownIssuesFile: flags['known-issues'], now: new Date() })
    if (result.failed > 0) this.exitCode = EXIT.INVALID
    if (!this.jsonEnabled()) this.printText(result, flags.verbose)
    return result
  }

  private printText(result: ConformanceResult, verbose: boolean): void {
    const c = this.colors
    for (const o of result.outcomes) {
      if (o.status === 'fail') {
        this.log(
          `${c.red('FAIL')} ${safe(o.file)} ${o.expectation}: expected ${o.expected}, got ${o.got}${o.reason ? ` — ${safe(o.reason)}` : ''}`,
        )
      } else if (verbose && o.status === 'known') {
        // what was expected and got, as for a failure, then the known issue; the reason when there is one
        this.log(
          `${c.yellow('KNOWN')} ${safe(o.file)} ${o.expectation}: expected ${o.expected}, got ${o.got} (known issue: ${safe(o.knownIssue ?? '')})${o.reason ? ` — ${safe(o.reason)}` : ''}`,
        )
      } else if (verbose) {
        this.log(`${c.dim('SKIP')} ${safe(o.file)} ${o.expectation}: ${safe(o.reason)}`)
      }
    }
    const total = result.passed + result.failed + result.known + result.skipped
    const skippedWhy = [
      result.known > 0
        ? `${result.known} known issue${result.known === 1 ? '' : 's'}${verbose ? '' : ' (listed with -v)'}`
        : '',
      result.skipped > 0
        ? `${result.skipped} expectation${result.skipped === 1 ? '' : 's'} whose input field the vector lacks`
        : '',
    ].filter(Boolean)
    this.log(
      c.dim(
        `${result.vectors} vector${result.vectors === 1 ? '' : 's'}, ${total} expectations${skippedWhy.length ? `; skipped: ${skippedWhy.join(', ')}` : ''}`,
      ),
    )
    this.log(`${result.passed} passed, ${result.failed} failed, ${result.known + result.skipped} skipped`)
  }
}
