import * as Args from '@oclif/core/args'
import { helpParagraphs } from '../cli/help-text.js'
import * as Flags from '@oclif/core/flags'
import { HcertCommand } from '../cli/base-command.js'
import { allowMissingPrefixFlag, atFlag } from '../cli/flags.js'
import { renderCertificate, renderLayers } from '../cli/render/certificate-text.js'
import { terminalJson, terminalText } from '../cli/render/terminal-text.js'
import { decodeCertificate, type DecodeResult } from '../services/decode.js'
import { readCertificateInput, type CertificateInput } from '../services/read-input.js'
import { DccError } from '../errors.js'
import type { ShcDecodeResult } from '../shc/decode-shc.js'
import { isShcText } from '../shc/numeric.js'

export default class Decode extends HcertCommand {
  static override summary = 'Decode a certificate and show every layer, without checking its signature.'
  static override description =
    helpParagraphs(`Reads an HC1: string, a text file holding one, stdin (-), or a PNG/JPEG image of the QR code
(recognised by its bytes, not its name). Shows the signature algorithm and kid, the claims, the holder
and the vaccination, test or recovery entry with each code named from the official EU value sets.
WHO payloads are read too: the smart ICVP (-260/-6), the DDCC (-260/3 and 4, and the early form),
health links (-260/5, decoded, never fetched); --json names the payload's kind.
Nothing is verified here: use 'hcert verify' for that.
A SMART Health Card (shc:/) is read down to its FHIR bundle; the chunks of a chunked card
(shc:/i/n/…) may be given as several inputs or lines, in any order.`)

  static override examples = [
    { description: 'Decode a string', command: "<%= config.bin %> decode 'HC1:NCFOXN%TS3DH...'" },
    { description: 'Decode a photo of a QR code', command: '<%= config.bin %> decode qr-photo.jpg' },
    { description: 'From stdin, as JSON', command: 'cat cert.txt | <%= config.bin %> decode - --json' },
    {
      description: 'A chunked SMART Health Card from two QR images',
      command: '<%= config.bin %> decode chunk-1.png chunk-2.png',
    },
    {
      description: 'Show each layer (sizes, CBOR diagnostic notation)',
      command: '<%= config.bin %> decode cert.txt --layers',
    },
  ]

  // several inputs only as the chunks of one SMART Health Card (shc:/i/n/…)
  static override strict = false
  static override args = {
    // stdin is read by the command itself (it may be an image), not by oclif
    input: Args.string({
      description: 'HC1: string, path to a text or image file, or - for stdin',
      ignoreStdin: true,
    }),
  }

  static override flags = {
    layers: Flags.boolean({
      summary: 'Also show each layer: prefix, base45 length, zlib sizes, CBOR diagnostic notation.',
      default: false,
    }),
    unpacked: Flags.boolean({
      summary:
        'Print the COSE headers and the whole CWT as JSON, as the WHO gdhcn-validator unpacks them (claim keys as text, kid as base64url).',
      default: false,
    }),
    at: atFlag({ summary: 'The clock for "expires in ..." (ISO 8601); default now.' }),
    'allow-missing-prefix': allowMissingPrefixFlag,
  }

  async run(): Promise<DecodeResult | ShcDecodeResult> {
    const { args, argv, flags } = await this.parse(Decode)
    if (args.input === undefined && process.stdin.isTTY) {
      this.error('give a certificate: an HC1: string, a file, or - for stdin', { exit: 2 })
    }
    if (argv.length > 1) {
      if (argv.includes('-')) throw new DccError('ERR_USAGE', "'-' (stdin) cannot be mixed with other inputs")
      const inputs = []
      for (const arg of argv as string[]) inputs.push(await readCertificateInput(arg, process.stdin))
      return this.decodeShc(inputs, flags.layers, flags.at)
    }
    const input = await readCertificateInput(args.input, process.stdin)
    if (isShcText(input.text)) return this.decodeShc([input], flags.layers, flags.at)
    const result = decodeCertificate(input, {
      layers: flags.layers,
      unpacked: flags.unpacked,
      allowMissingPrefix: flags['allow-missing-prefix'],
    })
    if (flags.unpacked && !this.jsonEnabled()) {
      this.log(terminalJson(JSON.stringify(result.unpacked, null, 2)))
      return result
    }
    if (!this.jsonEnabled()) {
      this.log(renderCertificate(result, flags.at ?? new Date(), this.colors))
      if (result.layers) this.log(`\n${renderLayers(result.layers, this.colors)}`)
      for (const warning of result.warnings) this.log(this.colors.yellow(`warning: ${terminalText(warning)}`))
    }
    return result
  }

  /** a SMART Health Card, whole or in chunks; its modules load only for cards (HCERT start-up stays as it was) */
  private async decodeShc(
    inputs: CertificateInput[],
    layers: boolean,
    at: Date | undefined,
  ): Promise<ShcDecodeResult> {
    const { decodeShcInputs } = await import('../shc/shc-input.js')
    const { renderShc, renderShcLayers } = await import('../cli/render/shc-text.js')
    const result = decodeShcInputs(inputs, { layers })
    if (!this.jsonEnabled()) {
      this.log(renderShc(result, at ?? new Date(), this.colors))
      if (result.layers) this.log(`\n${renderShcLayers(result.layers, this.colors)}`)
      for (const warning of result.warnings) this.log(this.colors.yellow(`warning: ${terminalText(warning)}`))
    }
    return result
  }
}
