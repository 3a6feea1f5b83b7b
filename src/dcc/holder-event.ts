/**
 * Who and what a certificate is about, without the certificate's own identity: the holder
 * (standardised names, date of birth) and the event (type, disease, date, dose). Two certificates
 * with the same key describe the same vaccination, test or recovery of the same person; renew
 * renews only the latest of them. Stored as a hash, so the ledger index holds no names.
 */
import { hash } from 'node:crypto'
import { certificateTypes } from './types.js'

export function holderEventKey(dcc: Record<string, unknown>): string {
  const nam = (dcc.nam ?? {}) as Record<string, unknown>
  const type = certificateTypes(dcc)[0] ?? '?'
  const entry = ((dcc[type] as Array<Record<string, unknown>> | undefined)?.[0] ?? {}) as Record<
    string,
    unknown
  >
  const event =
    type === 'v'
      ? [entry.tg, entry.dt, entry.dn]
      : type === 't'
        ? [entry.tg, entry.sc, entry.tt]
        : [entry.tg, entry.fr]
  const parts = [nam.fnt ?? '', nam.gnt ?? '', dcc.dob ?? '', type, ...event].map((p) => String(p ?? ''))
  return hash('sha256', parts.join('\u0000'), 'hex').slice(0, 32)
}
