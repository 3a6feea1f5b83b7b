/**
 * The values `hcert issue` puts into every record that lacks them (`--country`, `--issuer`,
 * `--uvci-issuer`), checked before anything is read: a wrong one would otherwise reject, or
 * break, every record of the batch.
 */
import { DccError } from '../errors.js'
import { assignedCountryCode } from '../dcc/country.js'
import { forbiddenCharacter, standardText } from './clean-text.js'

/** the UVCI alphabet (eHN guidelines Annex 2): A–Z and 0–9, with `/` between parts */
// at most two parts: the UVCI grammar allows three after the country, and hcert's unique part is the last
const UVCI_SEGMENT = /^[A-Z0-9]+(?:\/[A-Z0-9]+)?$/
/** the DCC schema's limit for `is` */
const MAX_ISSUER_LENGTH = 80

export interface DefaultFlags {
  country?: string
  issuer?: string
  uvciIssuer?: string
}

/** The flags as records use them (a country code upper-cased); ERR_USAGE naming the flag. */
export function checkDefaults(flags: DefaultFlags): DefaultFlags {
  const out: DefaultFlags = {}
  if (flags.country !== undefined) {
    const code = assignedCountryCode(flags.country)
    if (!code)
      throw new DccError(
        'ERR_USAGE',
        '--country must be an ISO 3166 two-letter country code in use, such as VN (not the country name or an unassigned code)',
      )
    out.country = code
  }
  if (flags.issuer !== undefined) {
    // as the records' own issuer column is read: NFC, trimmed, runs of spaces one, and no control,
    // bidirectional or invisible character
    const issuer = standardText(flags.issuer)
    if (issuer === '' || [...issuer].length > MAX_ISSUER_LENGTH || forbiddenCharacter(issuer))
      throw new DccError(
        'ERR_USAGE',
        `--issuer must be 1 to ${MAX_ISSUER_LENGTH} characters without control characters, bidirectional controls or invisible characters (the DCC schema's limit for "is")`,
      )
    out.issuer = issuer
  }
  if (flags.uvciIssuer !== undefined) {
    const segment = flags.uvciIssuer.trim().toUpperCase()
    if (!UVCI_SEGMENT.test(segment) || segment.length > 40)
      throw new DccError(
        'ERR_USAGE',
        '--uvci-issuer must be letters A–Z and digits only (one or two parts separated by /, at most 40 characters): a UVCI holds nothing else',
      )
    out.uvciIssuer = segment
  }
  return out
}
