/**
 * When certificates signed now are valid: iat = now, exp = now + validity, but never beyond the
 * signing certificate (HCERT: exp must not exceed the DSC's validity). A DSC that is not valid now
 * signs nothing.
 */
import { DccError } from '../errors.js'
import type { Signer } from '../keys/signer.js'
import { addDuration, type Duration } from '../time/duration.js'

export interface SigningWindow {
  iat: number
  exp: number
  /** set when exp was capped at the DSC's expiry */
  warning?: string
}

export function signingWindow(signer: Signer, now: Date, validity: Duration): SigningWindow {
  const { notBefore, notAfter, subject } = signer.certificate
  if (now < notBefore) {
    throw new DccError(
      'ERR_KEYS',
      `keys: the signing certificate (${subject}) is not valid before ${notBefore.toISOString()}`,
    )
  }
  if (now > notAfter) {
    throw new DccError(
      'ERR_KEYS',
      `keys: the signing certificate (${subject}) expired on ${notAfter.toISOString()}; roll a new one with 'hcert keys generate --csca'`,
    )
  }
  const iat = Math.floor(now.getTime() / 1000)
  const wanted = addDuration(now, validity)
  if (wanted <= notAfter) return { iat, exp: Math.floor(wanted.getTime() / 1000) }
  return {
    iat,
    exp: Math.floor(notAfter.getTime() / 1000),
    warning: `the validity was capped at ${notAfter.toISOString()}, when the signing certificate expires (HCERT: exp must not exceed the DSC's validity); renew these certificates with a new DSC before then`,
  }
}

/**
 * Whether a certificate valid until `exp` would be expired by the real clock (`realNow`) while the
 * certificate it replaces (valid until `replacedExp`) is still valid: a backdated clock (`--at` in
 * the past) must never leave a holder with no valid certificate. All three in seconds since the
 * epoch. Shared by renew (a renewal) and issue --correct (a correction).
 */
export function expiresBeforeReplaced(exp: number, replacedExp: number, realNow: number): boolean {
  return exp <= realNow && replacedExp > realNow
}
