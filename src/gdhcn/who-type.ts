/** The certificate type (vaccination, test) a WHO payload kind carries, as `decode` names it; null for a link. */
import type { PayloadKind } from './payload-kind.js'

export function whoCertificateType(kind: Exclude<PayloadKind, 'dcc'>): string | null {
  if (kind === 'ddcc-tr') return 'test'
  if (kind === 'link') return null
  return 'vaccination'
}
