/** COSE algorithm identifiers (RFC 9053 / RFC 8230) that HCERT uses or that appear in the wild. */
export const COSE_ALGORITHMS: Readonly<Record<number, string>> = {
  [-7]: 'ES256',
  [-35]: 'ES384',
  [-36]: 'ES512',
  [-8]: 'EdDSA',
  [-37]: 'PS256',
  [-38]: 'PS384',
  [-39]: 'PS512',
}

export type SupportedAlg = 'ES256' | 'PS256'
export const ALG_ID: Readonly<Record<SupportedAlg, number>> = { ES256: -7, PS256: -37 }

/** 'ES256', 'unknown (-9)', 'none'; a text-string alg as 'text "…"' (printable ASCII, at most 20 characters shown) */
export function algName(alg: number | string | undefined): string {
  if (alg === undefined) return 'none'
  if (typeof alg === 'string') {
    const shown = alg.length <= 20 && /^[\x20-\x7e]*$/.test(alg) ? alg : `${alg.length} characters`
    return `text "${shown}"`
  }
  return COSE_ALGORITHMS[alg] ?? `unknown (${alg})`
}
