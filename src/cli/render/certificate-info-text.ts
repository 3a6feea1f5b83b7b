import type { ChalkInstance } from 'chalk'
import { CERTIFICATE_TYPE_NAMES } from '../../dcc/types.js'
import type { CertificateInfo } from '../../keys/certificate-info.js'
import { terminalText as safe } from './terminal-text.js'

export function renderCertificateInfo(title: string, info: CertificateInfo, c: ChalkInstance): string {
  const row = (label: string, value: string): string => `  ${c.dim(label.padEnd(12))} ${value}`
  return [
    c.bold(title),
    row('kid', info.kid),
    row('algorithm', info.alg),
    row('subject', safe(info.subject)),
    row('valid', `${info.notBefore} → ${info.notAfter}`),
    row('EKU', info.eku.length ? info.eku.join(', ') : c.dim('none')),
    row('may issue', info.mayIssue.map((t) => CERTIFICATE_TYPE_NAMES[t]).join(', ')),
    row('SHA-256', info.sha256),
  ].join('\n')
}
