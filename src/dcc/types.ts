/** The DCC payload (schema 1.3.x), as issued under CWT claim -260 / 1. */
export interface Names {
  fn?: string
  fnt?: string
  gn?: string
  gnt?: string
}

export interface VaccinationEntry {
  tg: string
  vp: string
  mp: string
  ma: string
  dn: number
  sd: number
  dt: string
  co: string
  is: string
  ci: string
}

export interface TestEntry {
  tg: string
  tt: string
  nm?: string
  ma?: string
  sc: string
  dr?: string
  tr: string
  tc?: string
  co: string
  is: string
  ci: string
}

export interface RecoveryEntry {
  tg: string
  fr: string
  co: string
  is: string
  df: string
  du: string
  ci: string
}

export interface HealthCertificate {
  ver: string
  nam: Names
  dob: string
  v?: VaccinationEntry[]
  t?: TestEntry[]
  r?: RecoveryEntry[]
}

export type CertificateType = 'v' | 't' | 'r'
export const CERTIFICATE_TYPE_NAMES: Readonly<Record<CertificateType, string>> = {
  v: 'vaccination',
  t: 'test',
  r: 'recovery',
}

/** Which of v / t / r the payload carries (the types present, in that order). */
export function certificateTypes(dcc: Record<string, unknown>): CertificateType[] {
  const types: CertificateType[] = []
  for (const key of TYPES) {
    const entries = dcc[key]
    if (Array.isArray(entries) && entries.length > 0) types.push(key)
  }
  return types
}

const TYPES: readonly CertificateType[] = ['v', 't', 'r']
