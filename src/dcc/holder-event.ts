/**
 * Who and what a certificate is about, without the certificate's own identity: the holder
 * (standardised names, ICAO 9303 as fnt/gnt hold them, and date of birth) and the event (type,
 * disease, date, dose). Two certificates with the same key describe plausibly the same vaccination,
 * test or recovery of the same person: `issue` warns about them (sameHolderEvent), whatever case or
 * diacritics the names were typed in (`Nguyễn`, `NGUYỄN`, `Nguyen` are one name). Stored as a hash,
 * so the ledger index holds no names.
 *
 * The standardised forms merge names written differently (Müller and Mueller, Văn Ân and Văn An),
 * which may be two people: renew therefore compares the names as written too (sameHolder) before
 * it treats a certificate as another's later one. Keys stored before `k3` (schema 1 to 6 ledgers:
 * `k2`, names as written) are kept: a new certificate's key matches only certificates issued since.
 */
import { hash } from 'node:crypto'
import { parseInstant } from '../time/parse-instant.js'
import { transliterate } from './transliterate.js'
import { certificateTypes } from './types.js'

const text = (v: unknown): string => (typeof v === 'string' ? v.normalize('NFC') : String(v ?? ''))

/** The holder's identity as a tuple of strings: fn, gn (NFC), fnt, gnt, dob. */
export function holderParts(dcc: Record<string, unknown>): string[] {
  const nam = (dcc.nam ?? {}) as Record<string, unknown>
  return [nam.fn, nam.gn, nam.fnt, nam.gnt, dcc.dob].map(text)
}

/** True when two payloads name the same holder (names as written, standardised names, dob). */
export function sameHolder(a: Record<string, unknown>, b: Record<string, unknown>): boolean {
  const x = holderParts(a)
  const y = holderParts(b)
  return x.every((p, i) => p === y[i])
}

const typed = (v: unknown): string =>
  typeof v === 'string' || typeof v === 'number'
    ? String(v).normalize('NFC').trim().replace(/\s+/gu, ' ').toUpperCase()
    : ''

/** A name as fnt/gnt hold it (ICAO 9303), or as typed (capitals) when it cannot be transliterated. */
export function standardisedName(name: unknown): string {
  const t = typed(name)
  if (t === '') return ''
  try {
    return transliterate(t) || t
  } catch {
    return t
  }
}

/** The holder as the key compares it: standardised surname and given name (fnt/gnt), date of birth. */
function standardHolder(dcc: Record<string, unknown>): string[] {
  const nam = (dcc.nam ?? {}) as Record<string, unknown>
  return [
    typed(nam.fnt) || standardisedName(nam.fn),
    typed(nam.gnt) || standardisedName(nam.gn),
    text(dcc.dob),
  ]
}

/**
 * A test's sample time as the instant it names, in UTC (`2021-06-01T10:00:00+02:00` →
 * `2021-06-01T08:00:00Z`; fractional seconds kept to the millisecond, trailing zeros dropped): the
 * same sample written at another UTC offset is the same event. A time written with `Z` is unchanged,
 * so keys stored before this rule still match; one that cannot be read is kept as written.
 */
export function sampleInstant(sc: unknown): string {
  if (typeof sc !== 'string') return text(sc)
  const instant = parseInstant(sc)
  if (!instant || Number.isNaN(instant.getTime())) return text(sc)
  return instant.toISOString().replace(/\.?0+Z$/, 'Z')
}

/** 32 hex characters: sha256 of the holder (standardised names, dob) and the event, truncated. */
export function holderEventKey(dcc: Record<string, unknown>): string {
  const type = certificateTypes(dcc)[0] ?? '?'
  const entry = ((dcc[type] as Array<Record<string, unknown>> | undefined)?.[0] ?? {}) as Record<
    string,
    unknown
  >
  const event =
    type === 'v'
      ? [entry.tg, entry.dt, entry.dn]
      : type === 't'
        ? [entry.tg, sampleInstant(entry.sc), entry.tt]
        : [entry.tg, entry.fr]
  const parts = ['k3', ...standardHolder(dcc), type, ...event.map(text)]
  return hash('sha256', parts.join('\u0000'), 'hex').slice(0, 32)
}
