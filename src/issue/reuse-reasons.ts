/**
 * Which part of a record differs from the certificate the ledger issued under its key, said
 * truly (README "Idempotency keys stand for one content"): a key stands for one content, and a
 * record that comes again with other content is told what differs, never more than the field's
 * name (no holder data, no UVCI). The content fingerprint leaves the UVCI out, and the key of a
 * record without an id leaves out also each entry's country (`co`), issuer (`is`) and `ver`; so a
 * record under the same key whose content fingerprint is the same differs only in the UVCI it gives
 * (`ci`), and one without an id whose content differs, only in those fields.
 */
import type { Rejection } from './build-dcc.js'
import { contentFingerprint } from '../ledger/content-fingerprint.js'
import type { IssuedRecord } from '../ledger/ledger.js'

/**
 * The rejection of a record given with its own UVCI (`field`: `ci`, or a payload's `v/ci`) whose
 * content is a certificate's issued before under its key with another UVCI. Names the field only.
 */
export function otherUvciRejection(field: string): Rejection {
  return {
    field,
    reason: `this record was issued before under another UVCI (only the UVCI given in ${field} differs): leave ${field} out to receive that certificate, or, to replace it with one under this UVCI, issue the record again with --correct`,
  }
}

/** The words of each payload part a record without an id may differ in, by member of an entry. */
const ENTRY_PARTS: ReadonlyArray<readonly [string, string]> = [
  ['co', 'country'],
  ['is', 'issuer'],
]

/**
 * The parts (`another country (v/co)`, `another issuer (v/is)`, `another schema version (ver)`; a
 * `flat` record's as its columns: `another country (column country, or --country)`) in which
 * `payload` differs from the `issued` one, among those a record without an id may differ in (its
 * key leaves them out). Empty when none does, or the stored payload cannot be read.
 */
export function differingParts(
  issuedPayload: string,
  payload: Record<string, unknown>,
  flat = false,
): string[] {
  let issued: Record<string, unknown>
  try {
    issued = JSON.parse(issuedPayload) as Record<string, unknown>
  } catch {
    return []
  }
  const parts: string[] = []
  for (const type of ['v', 't', 'r']) {
    const before = (issued[type] as Array<Record<string, unknown>> | undefined)?.[0]
    const now = (payload[type] as Array<Record<string, unknown>> | undefined)?.[0]
    if (!before || !now) continue
    for (const [member, words] of ENTRY_PARTS)
      if (before[member] !== now[member])
        parts.push(`another ${words} (${flat ? `column ${words}, or --${words}` : `${type}/${member}`})`)
  }
  if (issued.ver !== payload.ver)
    parts.push(
      flat ? "another schema version (hcert's DCC schema version then)" : 'another schema version (ver)',
    )
  return parts
}

/**
 * Why a record under a key the ledger holds for other content is not issued without `--correct`,
 * naming what differs: only its given UVCI (otherUvciRejection); for a record without an id, its
 * country, issuer or schema version (differingParts); else `otherwise`, the reason of a key reused
 * for other content.
 */
export function contentDifferenceRejection(
  issued: IssuedRecord,
  payload: Record<string, unknown>,
  uvciField: string,
  withoutId: boolean,
  otherwise: Rejection,
): Rejection {
  if (contentFingerprint(payload) === issued.content) return otherUvciRejection(uvciField)
  if (!withoutId) return otherwise
  const parts = differingParts(issued.head.payload, payload, !uvciField.includes('/'))
  if (parts.length === 0) return otherwise
  return {
    field: 'record',
    reason: `this record was issued before with ${parts.join(' and ')}; to replace that certificate, issue it again with --correct`,
  }
}
