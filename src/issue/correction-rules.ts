/**
 * What `hcert issue --correct` may change in a certificate (README "Correcting a record that was
 * already issued"). A correction fixes a wrong record of the SAME event of the same person:
 *
 * - the event: the certificate type (vaccination `v`, test `t`, recovery `r`), the disease (`tg`)
 *   and, for a vaccination, the dose number (`dn`); an ICVP's disease (its product's, yellow fever or
 *   polio: any polio vaccine's, oral or inactivated). Anything else of the entry may change: a date, the product and its maker, the doses in
 *   the series, the test's type, name, device, result or centre, the country or issuer.
 * - the holder: one close typo in one name, or the date of birth, as against the current
 *   certificate (holder-match.ts samePerson), AND no name that is not close to the one the chain's
 *   first certificate (the original issue) gave, so that a chain of one-typo corrections cannot walk
 *   the certificate to another person.
 *
 * Reasons name the id column, never its value nor the holder's data.
 */
import { holderDifferences, holderOfPayload, type Holder } from './holder-match.js'
import { COVID_19 } from './build-dcc.js'
import type { Rejection } from './build-dcc.js'

const entryOf = (type: string, payload: Record<string, unknown>): Record<string, unknown> => {
  const list = payload[type === 'icvp' ? 'v' : type]
  const first = Array.isArray(list) ? list[0] : list
  return first && typeof first === 'object' ? (first as Record<string, unknown>) : {}
}

/**
 * An ICVP product id's disease: `yellow fever` for `YellowFeverProduct…`, `polio` for every polio
 * vaccine's (`PolioVaccineOralOPVBivalProduct…`, `PolioVaccineInactivatedIProduct…`: oral or
 * inactivated, one disease); undefined for ids that do not say.
 */
const icvpDisease = (vp: unknown): string | undefined => {
  if (typeof vp !== 'string') return undefined
  if (/^YellowFever[A-Za-z]*Product/u.test(vp)) return 'yellow fever'
  if (/^Polio[A-Za-z]*Product/u.test(vp)) return 'polio'
  return /^([A-Za-z]+?)Product/u.exec(vp)?.[1]?.toLowerCase()
}

/**
 * The event a payload of ledger type `type` is about, as a comparable text: the type, the disease
 * and a vaccination's dose number (an ICVP: its product's disease, when its id tells it).
 */
export function eventOf(type: string, payload: Record<string, unknown>): string {
  const entry = entryOf(type, payload)
  if (type === 'icvp') return `icvp:${icvpDisease(entry.vp) ?? '?'}`
  const disease = typeof entry.tg === 'string' ? entry.tg : COVID_19
  return type === 'v' ? `v:${disease}:${String(entry.dn)}` : `${type}:${disease}`
}

/** Whether two payloads of one ledger kind are about other events (eventOf); unknown ICVP diseases compare equal. */
export function otherEvent(
  issuedType: string,
  issued: Record<string, unknown>,
  type: string,
  payload: Record<string, unknown>,
): boolean {
  const a = eventOf(issuedType, issued)
  const b = eventOf(type, payload)
  if (a === 'icvp:?' || b === 'icvp:?') return false
  return a !== b
}

/**
 * Why a record whose key was issued for another event is not issued, with or without `--correct`:
 * a correction fixes the record of one vaccination, test or recovery; a test is not a fix of a
 * vaccination, nor dose 3 of dose 2; an ICVP's (`icvp`): a vaccination against another disease.
 * Names the column, never the id's text.
 */
export function otherEventRejection(hasId: boolean, icvp = false): Rejection {
  const what = hasId ? 'the id (column id)' : 'this record'
  if (icvp)
    return {
      field: hasId ? 'id' : 'record',
      reason: `${what} was issued before for a vaccination against another disease (the product of this record and that of the certificate under the id are vaccines against different diseases: a polio vaccination is not a yellow fever one): a correction of an ICVP fixes the record of the same vaccination (its date, the product against the same disease, the batch, the clinician, a typo in the name…), it does not replace one vaccination by another; give this record an id of its own`,
    }
  return {
    field: hasId ? 'id' : 'record',
    reason: `${what} was issued before for another event (another certificate type, disease or dose: a test or a recovery is not a vaccination, dose 2 is not dose 1): a correction fixes the record of the same vaccination, test or recovery (a date, the product, a typo in a name…), it does not replace one event by another; give this record an id of its own`,
  }
}

/**
 * Why a correction is not issued when one of its names is not close to the one the key's first
 * certificate gave (the chain's original issue), though close to the current one: corrections one
 * typo at a time would otherwise walk the certificate to another person. Names no data.
 */
export const DRIFTED_HOLDER: Rejection = {
  field: 'id',
  reason:
    "the id (column id) seems to belong to another person: its certificate was corrected before, and a name of this record is not a close typo of the one the id's first certificate gave (corrections are compared with the first certificate too, so that one typo at a time cannot move a certificate to someone else); give this record an id of its own",
}

const withoutDob = (h: Holder): Holder => ({ ...h, dob: '' })
const surnameOnly = (h: Holder): Holder => ({ ...withoutDob(h), given: '', typedGiven: '' })
const givenOnly = (h: Holder): Holder => ({ ...withoutDob(h), surname: '', typedSurname: '' })

/**
 * Whether a record's names drifted from those of the key's first certificate: a name (standardised,
 * and as typed when both give it; an ICVP's words) that is not a close typo of the first's. The
 * date of birth may differ (one field, corrected once or again).
 */
export function driftedFromFirst(
  type: string,
  first: Record<string, unknown>,
  payload: Record<string, unknown>,
): boolean {
  const a = holderOfPayload(type, first)
  const b = holderOfPayload(type, payload)
  return (
    holderDifferences(type, surnameOnly(a), surnameOnly(b)) > 1 ||
    holderDifferences(type, givenOnly(a), givenOnly(b)) > 1
  )
}
