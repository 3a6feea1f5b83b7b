import * as Flags from '@oclif/core/flags'
import { helpParagraphs } from '../../cli/help-text.js'
import { HcertCommand } from '../../cli/base-command.js'
import { atFlag, durationFlag, nonEmptyPath, noPromptFlag, usageFlag } from '../../cli/flags.js'
import { passphraseFor, refuseEmptyPassphraseEnv } from '../../cli/passphrase.js'
import { DccError } from '../../errors.js'
import { pinFor, pinIsTyped } from '../../cli/pin.js'
import { renderCertificateInfo } from '../../cli/render/certificate-info-text.js'
import { isKeyEncrypted, KEY_FILES } from '../../services/key-dir.js'
import { describeStdout } from '../../cli/stdout-errors.js'
import { generateKeys, type GenerateKeysResult } from '../../services/generate-keys.js'
import { join } from 'node:path'
import { checkKeyLabel } from '../../keys/pkcs11/key-reference.js'
import { terminalText } from '../../cli/render/terminal-text.js'

export default class KeysGenerate extends HcertCommand {
  static override summary =
    'Create a country signing CA (CSCA) and a document signer certificate (DSC) signed by it.'
  static override description =
    helpParagraphs(`Writes to --out: csca.key.pem and dsc.key.pem (PKCS#8, mode 0600, AES-256 encrypted when a
passphrase is given), csca.crt.pem and dsc.crt.pem, and trust-list.json for verifiers (kept across
rolls, so certificates signed by an earlier DSC still verify).
The passphrase comes from HCERT_KEY_PASSPHRASE, or a prompt with --encrypt; never from a flag.
With --pkcs11 the DSC key pair is generated inside a PKCS#11 token (sensitive, not extractable) and
dsc.pkcs11.json refers to it (module, token, key label and id; never the PIN, which comes from
HCERT_PKCS11_PIN or a prompt).
kid = first 8 bytes of the SHA-256 of the DER DSC, in base64. No private key is ever printed.`)

  static override examples = [
    {
      description: 'ES256 keys for Viet Nam',
      command: '<%= config.bin %> keys generate --country VN --org "Ministry of Health" --out keys/',
    },
    {
      description: 'PS256 (RSA 3072), vaccination certificates only',
      command: '<%= config.bin %> keys generate --alg PS256 --rsa-bits 3072 --usage v --out keys-ps/',
    },
    {
      description: 'Roll a new DSC under an existing CSCA',
      command: '<%= config.bin %> keys generate --csca keys/ --out keys-2022/',
    },
    {
      description: 'The DSC key in an HSM (PKCS#11), for vaccination certificates only',
      command:
        'HCERT_PKCS11_PIN=… <%= config.bin %> keys generate --pkcs11 /usr/lib/softhsm/libsofthsm2.so --token hcert --key-label dsc-v --usage v --out keys-v/',
    },
    {
      description: 'Encrypt the private keys (passphrase prompted)',
      command: '<%= config.bin %> keys generate --encrypt --out keys/',
    },
  ]

  static override flags = {
    out: nonEmptyPath(
      'out',
      Flags.directory({ char: 'o', summary: 'Key directory to write.', default: 'hcert-keys' }),
    ),
    alg: Flags.option({
      summary: 'Signature algorithm of the DSC.',
      options: ['ES256', 'PS256'] as const,
      default: 'ES256',
    })(),
    'rsa-bits': Flags.option({
      summary: 'RSA modulus for PS256: 2048 (default) or 3072; a usage error with ES256.',
      options: ['2048', '3072'] as const,
    })(),
    usage: usageFlag({
      summary: 'Certificate types the DSC may sign (Extended Key Usage): v, t, r; default all.',
    }),
    country: Flags.string({
      char: 'c',
      summary:
        'Country (ISO 3166-1 alpha-2) in the subjects; default the --csca CSCA’s when rolling, else VN.',
    }),
    org: Flags.string({
      summary:
        'Organisation in the subjects; default the --csca CSCA’s when rolling, else "Example Ministry of Health".',
    }),
    'csca-validity': durationFlag({ summary: 'Validity of a new CSCA.', default: { amount: 4, unit: 'y' } }),
    'valid-from': atFlag({
      summary: 'Start of the validity of the new certificates (ISO 8601); default now.',
    }),
    'dsc-validity': durationFlag({
      summary: 'Validity of the DSC (capped at the CSCA’s).',
      default: { amount: 2, unit: 'y' },
    }),
    csca: nonEmptyPath(
      'csca',
      Flags.directory({
        summary: 'Reuse the CSCA in this key directory (csca.key.pem, csca.crt.pem) to roll a new DSC.',
        exists: true,
      }),
    ),
    'import-key': nonEmptyPath(
      'import-key',
      Flags.file({
        summary: 'Use this existing private key (PEM PKCS#8/PKCS#1/SEC1, or DER) for the DSC.',
        exists: true,
        exclusive: ['pkcs11'],
      }),
    ),
    pkcs11: nonEmptyPath(
      'pkcs11',
      Flags.string({
        summary:
          'Generate the DSC key in a PKCS#11 token: path of the module (e.g. /usr/lib/softhsm/libsofthsm2.so).',
        dependsOn: ['token'],
      }),
    ),
    token: Flags.string({
      summary: 'Label of the PKCS#11 token (with --pkcs11); the PIN comes from HCERT_PKCS11_PIN or a prompt.',
      dependsOn: ['pkcs11'],
    }),
    'key-label': Flags.string({
      summary: 'Label of the new key pair in the token (default hcert-dsc-<UTC time>).',
      dependsOn: ['pkcs11'],
    }),
    encrypt: Flags.boolean({
      summary: `Encrypt the private keys (passphrase from ${'HCERT_KEY_PASSPHRASE'} or a prompt).`,
      default: false,
    }),
    force: Flags.boolean({ summary: 'Overwrite keys already in --out.', default: false }),
    'no-prompt': noPromptFlag,
  }

  async run(): Promise<GenerateKeysResult> {
    const { flags } = await this.parse(KeysGenerate)
    // the labels are checked before a passphrase or the PIN is asked for; an empty --token is
    // refused, never read as "no token" (the DSC key would be written to disk instead)
    if (flags.token !== undefined && flags.token.trim() === '')
      throw new DccError(
        'ERR_USAGE',
        `--token is empty (--token '': an unset shell variable?); give the label of the PKCS#11 token, or leave --pkcs11 and --token out to write the DSC key to disk`,
      )
    if (flags['key-label'] !== undefined) checkKeyLabel(flags['key-label'])
    if (flags['rsa-bits'] !== undefined && flags.alg !== 'PS256')
      throw new DccError('ERR_USAGE', '--rsa-bits is for --alg PS256 (an RSA key); ES256 keys are P-256')
    // set but empty would write unencrypted keys silently
    refuseEmptyPassphraseEnv()
    const needsPassphrase =
      flags.encrypt || (flags.csca !== undefined && isKeyEncrypted(join(flags.csca, KEY_FILES.cscaKey)))
    const passphrase = await passphraseFor(flags.encrypt ? 'new' : 'existing', {
      required: needsPassphrase,
      prompt: !flags['no-prompt'],
    })
    // --pkcs11 needs --token (dependsOn), checked not empty above
    const pkcs11 =
      flags.pkcs11 !== undefined && flags.token !== undefined
        ? {
            module: flags.pkcs11,
            token: flags.token,
            pin: await pinFor(flags.token, { prompt: !flags['no-prompt'] }),
            pinTyped: pinIsTyped(),
            ...(flags['key-label'] === undefined ? {} : { keyLabel: flags['key-label'] }),
          }
        : undefined
    const result = await generateKeys({
      out: flags.out,
      alg: flags.alg,
      rsaBits: Number(flags['rsa-bits'] ?? '2048') as 2048 | 3072,
      usage: flags.usage ?? [],
      ...(flags.country !== undefined ? { country: flags.country } : {}),
      ...(flags.org !== undefined ? { organisation: flags.org } : {}),
      cscaValidity: flags['csca-validity'],
      dscValidity: flags['dsc-validity'],
      now: flags['valid-from'] ?? new Date(),
      ...(flags.csca ? { cscaDir: flags.csca } : {}),
      ...(flags['import-key'] ? { dscKeyFile: flags['import-key'] } : {}),
      ...(passphrase ? { passphrase } : {}),
      ...(pkcs11 ? { pkcs11 } : {}),
      force: flags.force,
    })
    // the keys are in place: a report that cannot be written (stdout on a full disk) must not leave
    // the user thinking nothing was done (a rerun would then refuse to overwrite them)
    const folder = /^[\w./-]+$/.test(flags.out) ? flags.out : `'${flags.out.replaceAll("'", `'\\''`)}'`
    describeStdout(
      `the keys are written all the same (only this report was lost): ${folder} holds them, and hcert keys show ${folder} shows them`,
    )
    if (!this.jsonEnabled()) {
      const c = this.colors
      this.log(renderCertificateInfo('Document signer (DSC)', result.dsc, c))
      this.log('')
      this.log(renderCertificateInfo('Country signing CA (CSCA)', result.csca, c))
      this.log('')
      if (result.dscKey.kind === 'pkcs11')
        this.log(
          `DSC private key: in PKCS#11 token '${terminalText(result.dscKey.token)}', key '${terminalText(result.dscKey.keyLabel)}' (CKA_ID ${result.dscKey.keyId}); it never leaves the token`,
        )
      for (const w of result.warnings) this.log(c.yellow(`warning: ${w}`))
      this.log(`Wrote ${result.files.join(', ')}${result.encrypted ? ' (private keys encrypted)' : ''}`)
    }
    return result
  }
}
