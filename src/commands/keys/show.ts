import * as Args from '@oclif/core/args'
import { statSync } from 'node:fs'
import { join } from 'node:path'
import { HcertCommand } from '../../cli/base-command.js'
import { renderCertificateInfo } from '../../cli/render/certificate-info-text.js'
import { certificateInfo, type CertificateInfo } from '../../keys/certificate-info.js'
import { DccError } from '../../errors.js'
import { KEY_FILES, readCertificateFile } from '../../services/key-dir.js'
import { parseTrustedCertificate } from '../../trust/trusted-certificate.js'
import { existsSync } from 'node:fs'

export interface KeysShowResult {
  certificates: Array<{ file: string; role: string } & CertificateInfo>
}

export default class KeysShow extends HcertCommand {
  static override summary =
    'Show kid, subject, algorithm, EKU and validity of a certificate or a key directory.'
  static override examples = [
    { description: 'A key directory', command: '<%= config.bin %> keys show keys-example' },
    { description: 'One certificate', command: '<%= config.bin %> keys show dsc.crt.pem --json' },
  ]

  static override args = {
    path: Args.string({ description: 'certificate file (PEM or DER) or key directory', required: true }),
  }

  async run(): Promise<KeysShowResult> {
    const { args } = await this.parse(KeysShow)
    const isDir = existsSync(args.path) && statSync(args.path).isDirectory()
    const files: Array<[string, string]> = isDir
      ? (
          [
            [join(args.path, KEY_FILES.dscCert), 'Document signer (DSC)'],
            [join(args.path, KEY_FILES.cscaCert), 'Country signing CA (CSCA)'],
          ] as Array<[string, string]>
        ).filter(([file]) => existsSync(file))
      : [[args.path, 'Certificate']]
    if (files.length === 0)
      throw new DccError(
        'ERR_KEYS',
        `keys: ${args.path} holds no ${KEY_FILES.dscCert} or ${KEY_FILES.cscaCert} (not a key directory)`,
      )
    const certificates = files.map(([file, role]) => ({
      file,
      role,
      ...certificateInfo(parseTrustedCertificate(readCertificateFile(file), file)),
    }))
    if (!this.jsonEnabled())
      this.log(
        certificates
          .map((c) => renderCertificateInfo(`${c.role}  ${this.colors.dim(c.file)}`, c, this.colors))
          .join('\n\n'),
      )
    return { certificates }
  }
}
