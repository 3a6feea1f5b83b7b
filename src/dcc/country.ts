/**
 * Country codes as the DCC takes them: ISO 3166-1 alpha-2 codes that are assigned, as the EU value
 * set `country-2-codes` lists them (eHN value sets §2.6: the ISO 3166 list, plus XK for Kosovo).
 * A two-letter shape alone is not enough: `XX` or `QZ` are no country, and a certificate or DSC
 * carrying one would be refused by every verifier.
 */
import { DccError } from '../errors.js'
import { isInValueSet } from './valuesets.js'

/**
 * The assigned alpha-2 code `value` names (trimmed, upper-cased), or undefined when it is none
 * (a country name such as `Việt Nam`, a three-letter code, an unassigned code such as `XX`).
 */
export function assignedCountryCode(value: string): string | undefined {
  const code = value.trim().toUpperCase()
  return /^[A-Z]{2}$/.test(code) && isInValueSet('country-2-codes', code) ? code : undefined
}

/**
 * A `--country` flag's value as an assigned alpha-2 code (`vn` read as `VN`), the one check of
 * `issue`, `renew` and `keys generate`. Throws ERR_USAGE (exit 2), never quoting the value.
 */
export function countryFlag(value: string): string {
  const code = assignedCountryCode(value)
  if (code === undefined)
    throw new DccError(
      'ERR_USAGE',
      '--country must be an ISO 3166 two-letter country code in use, such as VN (not the country name or an unassigned code)',
    )
  return code
}
