/**
 * Data cleaning of an ICVP payload before it is signed (README "Issuing ICVP certificates"): the
 * fields the ICVP model requires (smart-trust-phw DVCMin: n, dob; the vaccination's vp, dt, bo),
 * the rule that the issuing organisation or the clinician is named (must-have-issuer-or-clinician-
 * name), dates that are dates and make sense together, and the length against a QR code's capacity
 * at error correction Q. Then the read side's own `schema` check (check-who-schema.ts), so that
 * nothing is signed that `hcert verify` would refuse.
 *
 * As for the DCC (check-record.ts): one reason per column, the first found wins; reasons name the
 * column and the kind of problem, never the value.
 */
import { isNotCalendarDate } from '../dcc/schema-formats.js'
import { checkWhoSchema } from '../gdhcn/check-who-schema.js'
import { parseInstant } from '../time/parse-instant.js'
import type { Rejection } from './build-dcc.js'
import { hc1LengthBound, QR_CAPACITY_Q, type SignedShape } from './hc1-size.js'
import { icvpColumnFor } from './icvp-columns.js'
import { LOOKS_LIKE_DCC } from './build-icvp.js'
import { Reasons } from './reasons.js'

const FULL_DATE = /^\d{4}-\d{2}-\d{2}$/
const MAX_FUTURE_SKEW_MS = 60 * 60 * 1000 // an hour, for clocks that disagree a little
const EARLIEST_BIRTH = Date.parse('1900-01-01T00:00:00Z')

const MISSING: Readonly<Record<string, string>> = {
  name: "is missing: the holder's name is required",
  dob: 'is missing: the date of birth is required (YYYY-MM-DD)',
  product: 'is missing: give the vaccine, by its name (such as STAMARIL) or its ICVP catalogue id',
  date: 'is missing: the vaccination date is required (YYYY-MM-DD)',
  batch: 'is missing: the batch (lot) number is required',
}

/**
 * The reasons to reject an ICVP record, after `earlier` (found while building it); [] when it may
 * be signed. `entry` is the record's ledger entry (co: the issuing country, the CWT iss). With
 * `signedShape`, a certificate too long for a QR code is rejected too.
 */
export function checkIcvpRecord(
  payload: Record<string, unknown>,
  entry: Record<string, unknown> | undefined,
  now: Date,
  earlier: readonly Rejection[] = [],
  signedShape?: SignedShape,
): Rejection[] {
  // a DCC payload: its one reason says so, without the ICVP fields it lacks
  if (earlier.some((r) => r.reason === LOOKS_LIKE_DCC)) return [...earlier]
  const out = new Reasons(earlier)
  const v = (payload.v ?? {}) as Record<string, unknown>
  const present = (value: unknown): value is string => typeof value === 'string' && value !== ''
  if (!present(payload.n)) out.add('name', MISSING.name as string)
  if (!present(payload.dob)) out.add('dob', MISSING.dob as string)
  if (!present(v.vp)) out.add('product', MISSING.product as string)
  if (!present(v.dt)) out.add('date', MISSING.date as string)
  if (!present(v.bo)) out.add('batch', MISSING.batch as string)
  if (!present(v.is) && !present(v.cn) && !out.covers('clinician') && !out.covers('issuer'))
    out.add(
      'issuer',
      'is missing, and so is clinician: an ICVP names the issuing organisation (issuer, or --issuer) or the clinician who vaccinated',
    )
  if (entry?.co === undefined)
    out.add('record', 'has no issuing country: give --country (the signing certificate names none)')

  const date = (field: string, value: unknown, what: string): Date | undefined => {
    if (!present(value)) return undefined
    if (!FULL_DATE.test(value)) out.add(field, `must be ${what} written YYYY-MM-DD`)
    else if (isNotCalendarDate(value)) out.add(field, 'is not a calendar date')
    else return parseInstant(value)
    return undefined
  }
  const dob = date('dob', payload.dob, 'a date of birth')
  const dt = date('date', v.dt, 'a date')
  const vls = date('valid_from', v.vls, 'a date')
  const vle = date('valid_until', v.vle, 'a date')
  const future = now.getTime() + MAX_FUTURE_SKEW_MS
  if (dob && dob.getTime() > now.getTime()) out.add('dob', 'the date of birth is in the future')
  if (dob && dob.getTime() < EARLIEST_BIRTH) out.add('dob', 'must be a date of birth from 1900 on')
  if (dob && dt && dob.getTime() > dt.getTime()) out.add('dob', 'the date of birth is after the vaccination')
  if (dt && dt.getTime() > future) out.add('date', 'the vaccination date is in the future')
  if (dt && vls && vls.getTime() < dt.getTime()) out.add('valid_from', 'is before the vaccination date')
  if (vle && vls && vle.getTime() < vls.getTime()) out.add('valid_until', 'is before valid_from')
  else if (vle && dt && vle.getTime() < dt.getTime()) out.add('valid_until', 'is before the vaccination date')
  // (not when national_id is given and wrong: one wrong value, one reason)
  if (payload.ndt !== undefined && payload.nid === undefined && !out.covers('national_id'))
    out.add('national_id_type', 'is given without national_id: give both, or neither')

  // the read side's model check: whatever it would refuse is refused here, by its column
  if (out.list.length === 0)
    for (const issue of checkWhoSchema('icvp', payload)) {
      const path = issue.split(' ')[0] ?? ''
      out.add(icvpColumnFor(path), `does not conform to the ICVP model (${issue.replace(/^\S+ /, '')})`)
    }
  if (signedShape && out.list.length === 0) {
    const length = hc1LengthBound(payload, typeof entry?.co === 'string' ? entry.co : undefined, signedShape)
    if (length > QR_CAPACITY_Q)
      out.add(
        'record',
        `the certificate would be about ${length} characters long; a QR code (error correction Q) holds at most ${QR_CAPACITY_Q}: shorten the longest fields`,
      )
  }
  return out.list
}
