import * as Args from '@oclif/core/args'
import * as Flags from '@oclif/core/flags'
import { HcertCommand } from '../cli/base-command.js'
import { allowMissingPrefixFlag, atFlag } from '../cli/flags.js'
import { renderCertificate, renderLayers } from '../cli/render/certificate-text.js'
import { terminalText } from '../cli/render/terminal-text.js'
import { decodeCertificate, type DecodeResult } from '../services/decode.js'
import { readCertificateInput } from '../services/read-input.js'

export default class Decode extends HcertCommand {
  static override summary = 'Decode a certificate and show every layer, without checking its signature.'
  static override description = `Reads an HC1: string, a text file holding one, stdin (-), or a PNG/JPEG image of the QR code
(recognised by its bytes, not its name). Shows the signature algorithm and kid, the claims, the holder
and the vaccination, test or recovery entry with each code named from the official EU value sets.
Nothing is verified here: use 'hcert verify' for that.`

  static override examples = [
    { description: 'Decode a string', command: "<%= config.bin %> decode 'HC1:NCFOXN%TS3DH...'" },
    { description: 'Decode a photo of a QR code', command: '<%= config.bin %> decode qr-photo.jpg' },
    { description: 'From stdin, as JSON', command: 'cat cert.txt | <%= config.bin %> decode - --json' },
    {
      description: 'Show each layer (sizes, CBOR diagnostic notation)',
      command: '<%= config.bin %> decode cert.txt --layers',
    },
  ]

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
    at: atFlag({ summary: 'The clock for "expires in ..." (ISO 8601); default now.' }),
    'allow-missing-prefix': allowMissingPrefixFlag,
  }

  async run(): Promise<DecodeResult> {
    const { args, flags } = await this.parse(Decode)
    if (args.input === undefined && process.stdin.isTTY) {
      this.error('give a certificate: an HC1: string, a file, or - for stdin', { exit: 2 })
    }
    const input = await readCertificateInput(args.input, process.stdin)
    const result = decodeCertificate(input, {
      layers: flags.layers,
      allowMissingPrefix: flags['allow-missing-prefix'],
    })
    if (!this.jsonEnabled()) {
      this.log(renderCertificate(result, flags.at ?? new Date(), this.colors))
      if (result.layers) this.log(`\n${renderLayers(result.layers, this.colors)}`)
      for (const warning of result.warnings) this.log(this.colors.yellow(`warning: ${terminalText(warning)}`))
    }
    return result
  }
}
