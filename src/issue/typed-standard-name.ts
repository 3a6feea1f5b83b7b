/**
 * Whether a typed `fnt`/`gnt` may stand for the `fn`/`gn` beside it. For a name in a script hcert
 * transliterates (Latin, Cyrillic), it must be hcert's own ICAO 9303 form, or close to it by the
 * `--correct` rule (holder-match.ts closeNames), once the letters transliterations disagree on are
 * folded (`<` left out; H as G and Y as I: Ukrainian passports write Г as H and И as Y, Russian ones
 * before 2013 Й as Y, which the name does not tell). A typed form that is not (another person's, the
 * two columns swapped between rows) would be signed as the certificate's standardised name while
 * the ledger and the verifier see another. A name in a script without a table cannot be checked.
 */
import { lacksTable, transliterate } from '../dcc/transliterate.js'
import type { Rejection } from './build-dcc.js'
import { closeNames } from './holder-match.js'

const fold = (name: string): string => name.replace(/</g, '').replace(/H/g, 'G').replace(/Y/g, 'I')

/** The rejection of a typed `to` (fnt, gnt) that does not match `from` (fn, gn), or undefined. Names no data. */
export function typedStandardRejection(
  name: string,
  typed: unknown,
  from: 'fn' | 'gn',
  to: 'fnt' | 'gnt',
): Rejection | undefined {
  // a typed form hcert cannot read as A–Z and < is refused by the schema check, with its own reason
  if (typeof typed !== 'string' || !/^[A-Z<]+$/.test(typed) || lacksTable(name)) return undefined
  const own = transliterate(name)
  if (own === '' || closeNames(fold(own), fold(typed))) return undefined
  return {
    field: to,
    reason: `does not match ${from} (hcert writes ${from} in ICAO form itself; leave ${to} empty or fix it)`,
  }
}
