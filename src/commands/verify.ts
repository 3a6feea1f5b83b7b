import * as Args from '@oclif/core/args'
import { helpParagraphs } from '../cli/help-text.js'
import * as Flags from '@oclif/core/flags'
import { HcertCommand } from '../cli/base-command.js'
import {
  allowMissingPrefixFlag,
  atFlag,
  nonEmptyPath,
  trustDomainFlag,
  trustFlag,
  trustSources,
} from '../cli/flags.js'
import { renderVerifyResult } from '../cli/render/verify-text.js'
import { DccError, EXIT, type ExitCode } from '../errors.js'
import { checkDidSources } from '../gdhcn/check-did-sources.js'
import { terminalText } from '../cli/render/terminal-text.js'
import { loadTrustList } from '../services/load-trust.js'
import { loadShcTrust } from '../shc/jwks.js'
import { exitCodeOf, verifyCertificates, VerifyTally } from '../services/verify.js'

export default class Verify extends HcertCommand {
  static override summary = 'Verify certificates: signature, validity clock, key usage and schema.'
  static override description =
    helpParagraphs(`Each input is an HC1: string, a text or image file, or - for stdin (one certificate per line,
or one image). Every check is reported by name: unprefix, base45, compression, decode, signature,
expiration, keyUsage, schema (pass, fail or skipped).

Trust (--trust, repeatable, or HCERT_TRUST): a PEM or DER certificate, a folder of them, the trust
list JSON that 'hcert keys generate' writes, a national-backend list ([{kid, rawData}] or
{"certificates": [...]}), or a GDHCN DID trust list (did.json; --trust-domain filters it,
--trust-proof-key verifies its proof); for SMART Health Cards (shc:/), a JWK Set file
({"keys": [...]}) of issuer keys (nothing is fetched). A card's checks: unprefix, numeric, decode,
compression, signature, expiration, schema.

Besides the EU DCC, the WHO payloads are verified: smart ICVP, DDCC, health links (--json: kind).

A text file may hold several certificates, one per line; each is verified. With several inputs the
last line counts them: '3 certificates: 1 valid, 1 invalid, 1 undecodable'.

Exit codes: 0 all valid · 3 an input could not be read or decoded · 4 an input decoded but failed a
check (with several inputs, the highest applies) · 2 usage or trust-list error.
With --json, one JSON object per input, one per line.`)

  static override examples = [
    {
      description: 'Verify one certificate',
      command: "<%= config.bin %> verify 'HC1:NCF...' --trust keys-example/trust-list.json",
    },
    {
      description: 'At a given moment',
      command: '<%= config.bin %> verify cert.png --trust dsc.pem --at 2021-06-01T12:00:00+02:00',
    },
    {
      description: 'A SMART Health Card against its issuer keys',
      command: '<%= config.bin %> verify card.png --trust issuer-jwks.json',
    },
    {
      description: 'A folder of fixtures in one process, as JSON Lines',
      command: 'cat fixtures/*.txt | <%= config.bin %> verify - --trust trust/ --json',
    },
  ]

  static override strict = false
  static override args = {
    // stdin is read by the command itself (images, one certificate per line), not by oclif
    input: Args.string({
      description: 'HC1: strings or files (text or image); - or nothing for stdin',
      ignoreStdin: true,
    }),
  }

  static override flags = {
    trust: trustFlag('Trusted certificates (file, folder or trust list JSON); repeatable.'),
    'trust-domain': trustDomainFlag(),
    'trust-proof-key': nonEmptyPath(
      'trust-proof-key',
      Flags.string({
        summary:
          'The key that signs the GDHCN DID trust lists given with --trust (a JWK, a DID document, a PEM public key or certificate): their proofs are verified, and a list whose proof fails is refused. Without it the proof is not checked (a warning says so).',
      }),
    ),
    at: atFlag(),
    'allow-missing-prefix': allowMissingPrefixFlag,
  }

  async run(): Promise<void> {
    const { argv, flags } = await this.parse(Verify)
    const inputs = argv as string[]
    const trustPaths = trustSources(flags.trust)
    if (trustPaths.length === 0) {
      throw new DccError(
        'ERR_USAGE',
        'verify needs trusted certificates: pass --trust <file|folder> or set HCERT_TRUST',
      )
    }
    const useStdin = inputs.length === 0 || (inputs.length === 1 && inputs[0] === '-')
    if (useStdin && process.stdin.isTTY)
      throw new DccError('ERR_USAGE', 'give certificates as arguments, or pipe them on stdin')
    if (!useStdin && inputs.includes('-'))
      throw new DccError('ERR_USAGE', "'-' (stdin) cannot be mixed with other inputs")
    // JWK Sets ({"keys": [...]}) are SMART Health Card issuer keys; the other sources, HCERT signers
    const shc = await loadShcTrust(trustPaths)
    const options = {
      trust: loadTrustList(shc.others, { domains: flags['trust-domain'] }),
      shcKeys: shc.keys,
      now: flags.at ?? new Date(),
      allowMissingPrefix: flags['allow-missing-prefix'],
    }
    // entries of the trust sources that were passed over: on stderr, so that --json stays JSON Lines
    for (const warning of [...shc.keys.warnings, ...options.trust.warnings])
      process.stderr.write(`warning: ${terminalText(warning)}\n`)
    for (const line of await checkDidSources(options.trust, flags['trust-proof-key'], flags['trust-domain']))
      process.stderr.write(`${line}\n`)
    const results = verifyCertificates(useStdin ? [] : inputs, process.stdin, options)
    let exit: ExitCode = EXIT.OK
    const tally = new VerifyTally()
    const json = this.jsonEnabled() // once: it reads the environment each time
    for await (const result of results) {
      const code = exitCodeOf(result)
      tally.add(code)
      exit = Math.max(exit, code) as ExitCode
      if (json) this.logJsonLine(result)
      else
        this.log(
          renderVerifyResult(
            result,
            options.now,
            this.colors,
            useStdin || inputs.length > 1 || (result.source !== 'argument' && result.source !== inputs[0]),
          ),
        )
    }
    if (!json && tally.total > 1) this.log(this.colors.dim(tally.summary()))
    this.exitCode = exit
  }
}
