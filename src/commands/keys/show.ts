import * as Args from '@oclif/core/args'
import { statSync } from 'node:fs'
import { basename, dirname, join } from 'node:path'
import { HcertCommand } from '../../cli/base-command.js'
import { renderCertificateInfo } from '../../cli/render/certificate-info-text.js'
import { certificateInfo, type CertificateInfo } from '../../keys/certificate-info.js'
import { DccError } from '../../errors.js'
import type { KeyLocation } from '../../keys/signer.js'
import {
  KEY_FILES,
  keyFolderCertificate,
  keyReferenceIn,
  readCertificateFile,
} from '../../services/key-dir.js'
import { existsSync } from 'node:fs'
import { terminalText } from '../../cli/render/terminal-text.js'

export interface KeysShowResult {
  certificates: Array<{ file: string; role: string } & CertificateInfo>
  /** for a key directory: where the DSC private key lives (a file, or a PKCS#11 token); no PIN */
  dscKey?: (KeyLocation & { file: string }) | undefined
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
    if (args.path.trim() === '')
      throw new DccError(
        'ERR_USAGE',
        "the path is empty (keys show '': an unset shell variable?); give a certificate file or a key directory",
      )
    const isDir = existsSync(args.path) && statSync(args.path).isDirectory()
    if (!isDir && basename(args.path) === KEY_FILES.dscKeyRef)
      throw new DccError(
        'ERR_KEYS',
        `keys: ${args.path} is a key reference (where the DSC key lives in a PKCS#11 token), not a certificate; give the key directory: hcert keys show ${dirname(args.path)}`,
      )
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
      ...certificateInfo(keyFolderCertificate(readCertificateFile(file), file)),
    }))
    const dscKey = isDir ? dscKeyIn(args.path) : undefined
    if (!this.jsonEnabled()) {
      this.log(
        certificates
          .map((c) => renderCertificateInfo(`${c.role}  ${this.colors.dim(c.file)}`, c, this.colors))
          .join('\n\n'),
      )
      if (dscKey)
        this.log(
          `\nDSC private key: ${
            dscKey.kind === 'pkcs11'
              ? `in PKCS#11 token '${terminalText(dscKey.token)}', key '${terminalText(dscKey.keyLabel)}' (CKA_ID ${dscKey.keyId}), module ${terminalText(dscKey.module)}`
              : `on disk, ${dscKey.file}`
          }`,
        )
    }
    return dscKey ? { certificates, dscKey } : { certificates }
  }
}

/** Where the DSC key of a key directory lives, or undefined when the folder holds neither kind. */
function dscKeyIn(dir: string): (KeyLocation & { file: string }) | undefined {
  const reference = keyReferenceIn(dir)
  if (reference) return { kind: 'pkcs11', ...reference, file: join(dir, KEY_FILES.dscKeyRef) }
  const file = join(dir, KEY_FILES.dscKey)
  return existsSync(file) ? { kind: 'file', file } : undefined
}
