/**
 * What a certificate says, as one hash: the "content" an idempotency key was issued for.
 *
 * Content is the DCC payload as it is signed, after cleaning and the fields hcert fills in (ver,
 * fnt/gnt, vaccine type and manufacturer, tg, co, is, recovery validity), with key order ignored,
 * but without the UVCI (`ci`) of each entry: hcert assigns it, and a renewal (or a rerun) gives the
 * same content a new one. Formatting of the input (column order, spacing around values, CSV or
 * JSON) is not content, since it is gone once the payload is built; iat and exp are not content
 * (they belong to the signature, not to the record). The hash is stored per certificate in the
 * ledger (`certificates.content`) and compared when a key comes again (README "Idempotency keys").
 */
import { hash } from 'node:crypto'

/** SHA-256 (hex, 64 characters) of the canonical JSON of `dcc` without the entries' `ci`. */
export function contentFingerprint(dcc: Record<string, unknown>): string {
  return hash('sha256', canonical(dcc, 0, CONTENT), 'hex')
}

/**
 * The record a certificate is for, as one hash: the idempotency key of an input record without an
 * `id` (`record:<this>`). The content fingerprint without what is not the record's own: `ver`
 * (hcert's schema version), and each entry's `ci`, `co` and `is` (the UVCI, and the country and
 * issuer, which `--country`/`--issuer` may fill in). So the same person's same event, in any input
 * form, has one key; and when only the country or issuer changed, the key is the same but the
 * content fingerprint is not, which is a record issued before with other content (`--correct`).
 * Computed from the payload as built (after NFC, value-set mapping and type normalisation), so a
 * stored payload gives back its record's key (schema.ts migrates the keys of ledgers from before).
 */
export function recordFingerprint(dcc: Record<string, unknown>): string {
  return hash('sha256', canonical(dcc, 0, RECORD), 'hex')
}

/** The fingerprint of a stored certificate's payload (JSON text, as the ledger keeps it). */
export function storedContentFingerprint(payload: string): string {
  return contentFingerprint(JSON.parse(payload) as Record<string, unknown>)
}

const ENTRY_ARRAYS = new Set(['v', 't', 'r'])

/** What each fingerprint leaves out: members of the payload, members of each entry. */
interface Omitted {
  payload: ReadonlySet<string>
  entry: ReadonlySet<string>
}
const CONTENT: Omitted = { payload: new Set(), entry: new Set(['ci']) }
const RECORD: Omitted = { payload: new Set(['ver']), entry: new Set(['ci', 'co', 'is']) }

/**
 * JSON with object keys sorted at every level (arrays keep their order, undefined members are
 * left out, as JSON.stringify does), without `ci` in the entries of v, t and r. `depth`: 0 for the
 * payload, 1 for an entry array, 2 for an entry. Written as one pass over the value: the spread
 * copies it replaced took twice as long (~25 µs a record under load, now ~14).
 */
function canonical(value: unknown, depth: number, omitted: Omitted): string {
  if (Array.isArray(value)) {
    let out = '['
    for (let i = 0; i < value.length; i++)
      out += `${i > 0 ? ',' : ''}${canonical(value[i], depth === 1 ? 2 : -1, omitted)}`
    return `${out}]`
  }
  if (value !== null && typeof value === 'object') {
    const object = value as Record<string, unknown>
    let out = '{'
    let first = true
    for (const key of Object.keys(object).sort()) {
      const member = object[key]
      if (
        member === undefined ||
        (depth === 2 && omitted.entry.has(key)) ||
        (depth === 0 && omitted.payload.has(key))
      )
        continue
      const next = depth === 0 && ENTRY_ARRAYS.has(key) ? 1 : -1
      out += `${first ? '' : ','}${JSON.stringify(key)}:${canonical(member, next, omitted)}`
      first = false
    }
    return `${out}}`
  }
  return JSON.stringify(value) ?? 'null'
}
