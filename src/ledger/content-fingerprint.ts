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
  const copy: Record<string, unknown> = { ...dcc }
  for (const type of ['v', 't', 'r']) {
    const entries = copy[type]
    if (!Array.isArray(entries)) continue
    copy[type] = entries.map((entry: unknown) => {
      if (!entry || typeof entry !== 'object' || Array.isArray(entry)) return entry
      const { ci: _ci, ...rest } = entry as Record<string, unknown>
      return rest
    })
  }
  return hash('sha256', canonical(copy), 'hex')
}

/** The fingerprint of a stored certificate's payload (JSON text, as the ledger keeps it). */
export function storedContentFingerprint(payload: string): string {
  return contentFingerprint(JSON.parse(payload) as Record<string, unknown>)
}

/** JSON with object keys sorted at every level; arrays keep their order. */
function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`
  if (value && typeof value === 'object') {
    const object = value as Record<string, unknown>
    return `{${Object.keys(object)
      .sort()
      .filter((k) => object[k] !== undefined)
      .map((k) => `${JSON.stringify(k)}:${canonical(object[k])}`)
      .join(',')}}`
  }
  return JSON.stringify(value) ?? 'null'
}
