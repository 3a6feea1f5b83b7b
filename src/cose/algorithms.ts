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

export function algName(alg: number | undefined): string {
  if (alg === undefined) return 'none'
  return COSE_ALGORITHMS[alg] ?? `unknown (${alg})`
}
