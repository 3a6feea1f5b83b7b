/**
 * What `verify` checks differently for WHO payloads (README "Payload kinds"):
 * - expiration: HCERT §3.3.1 asks for iat and exp, but WHO payloads go without: the ICVP samples
 *   carry no exp (a yellow-fever vaccination is valid for life), the early DDCC neither. A missing
 *   exp is then taken from the early DDCC's `valid_until` (the end of that day, UTC), a missing iat
 *   from its `valid_from`; otherwise the bound is left open with a warning.
 * - keyUsage: a signer from a GDHCN DID trust list signs for its trust domain only (ICVP keys sign
 *   ICVPs; DDCC keys the DDCC; DCC or DDCC keys the EU DCC; links any).
 */
import type { TrustedCertificate } from '../trust/trusted-certificate.js'
import { parseInstant } from '../time/parse-instant.js'
import { KIND_DOMAINS, type PayloadKind } from './payload-kind.js'

export interface WhoTimes {
  iat?: number
  exp?: number
  warnings: string[]
}

/** Midnight UTC of the day a payload date starts with; undefined when it is no calendar day (2021-02-30). */
function dayStart(value: unknown): number | undefined {
  if (typeof value !== 'string') return undefined
  const day = parseInstant(value.slice(0, 10))
  return day === undefined ? undefined : day.getTime() / 1000
}

/** The validity bounds of a WHO payload whose CWT lacks iat or exp (seconds since 1970). */
export function whoTimes(
  kind: Exclude<PayloadKind, 'dcc'>,
  payload: Record<string, unknown>,
  iat: number | undefined,
  exp: number | undefined,
): WhoTimes {
  const warnings: string[] = []
  if (exp === undefined && kind === 'ddcc-early') {
    const until = dayStart(payload.valid_until)
    if (until !== undefined) exp = until + 86_399
    else if (payload.valid_until !== undefined)
      warnings.push('valid_until is not a calendar date: no end of validity is taken from it')
  }
  if (iat === undefined && kind === 'ddcc-early') iat = dayStart(payload.valid_from)
  if (exp === undefined && warnings.length === 0)
    warnings.push(
      `the certificate has no exp claim (4): accepted without an end of validity, as ${kind} certificates may be`,
    )
  if (iat === undefined)
    warnings.push(
      `the certificate has no iat claim (6): accepted without a start of validity, as ${kind} certificates may be`,
    )
  return { iat, exp, warnings }
}

/** Why a DID-trust-list signer may not sign this kind, or undefined when it may. */
export function whoKeyUsageProblem(kind: PayloadKind, signer: TrustedCertificate): string | undefined {
  if (signer.domain === undefined) return undefined
  const domains = KIND_DOMAINS[kind]
  if (domains === undefined || domains.includes(signer.domain.toUpperCase())) return undefined
  return `the signing key is listed in the GDHCN trust domain ${signer.domain}; a ${kind} certificate is signed in the ${domains.join(' or ')} domain`
}
