/**
 * Whether two records name plausibly the same person, as `issue` compares a record with the
 * certificate issued under its id (`--correct`) and an earlier rejects file's record with what was
 * issued or read since: of the standardised surname (`fnt`, ICAO 9303), the standardised given name
 * (`gnt`) and the date of birth, at most ONE differs. Surnames such as Nguyễn or Trần are shared by
 * millions, so one shared field proves nothing. A WHO ICVP has one name field: the date of birth
 * counts one, and the name one when the two names share a word (a typo, a surname taken at
 * marriage) or two when they share none. Names are compared standardised (ICAO 9303, as `fnt`/`gnt`
 * hold them; an ICVP's name transliterated the same way), never as written: `Trần Thị Bích` and
 * `TRAN THI BICH` are one name, and a change in diacritics alone is no change.
 */
import { transliterate } from '../dcc/transliterate.js'

/** A holder as compared: `surname` is an ICVP's whole name, `given` empty for an ICVP. */
export interface Holder {
  surname: string
  given: string
  dob: string
}

const text = (v: unknown): string =>
  typeof v === 'string' || typeof v === 'number'
    ? String(v).normalize('NFC').trim().replace(/\s+/gu, ' ').toUpperCase()
    : ''

/** A name as `fnt`/`gnt` would hold it (ICAO 9303), or as typed when it cannot be transliterated. */
function standardised(name: unknown): string {
  const typed = text(name)
  if (typed === '') return ''
  try {
    return transliterate(typed) || typed
  } catch {
    return typed
  }
}

/** The holder a signed payload names (the ledger's `payload`): `nam.fnt`, `nam.gnt`, `dob`; an ICVP's `n`, `dob`. */
export function holderOfPayload(type: string, payload: Record<string, unknown>): Holder {
  if (type === 'icvp') return { surname: standardised(payload.n), given: '', dob: text(payload.dob) }
  const nam = (payload.nam ?? {}) as Record<string, unknown>
  return {
    surname: text(nam.fnt) || standardised(nam.fn),
    given: text(nam.gnt) || standardised(nam.gn),
    dob: text(payload.dob),
  }
}

/**
 * The holder a record names as read, before (or without) being built: a flat record's `fn`/`gn`
 * (or `fnt`/`gnt`) and `dob`, a DCC payload's `nam`, an ICVP record's `name`.
 */
export function holderOfRecord(kind: string | undefined, raw: Record<string, unknown>): Holder {
  if (kind === 'icvp') return { surname: standardised(raw.name), given: '', dob: text(raw.dob) }
  const nam = (typeof raw.nam === 'object' && raw.nam !== null ? raw.nam : raw) as Record<string, unknown>
  return {
    surname: text(nam.fnt) || standardised(nam.fn),
    given: text(nam.gnt) || standardised(nam.gn),
    dob: text(raw.dob),
  }
}

/** Whether nothing of the holder could be read (a line that did not parse). */
export function holderUnknown(holder: Holder): boolean {
  return holder.surname === '' && holder.given === '' && holder.dob === ''
}

const wordsOf = (name: string): string[] => name.split(/[\s<,.-]+/u).filter((w) => w !== '')

/** How many of the holder fields differ (see the module comment for an ICVP's name). */
export function holderDifferences(kind: string | undefined, a: Holder, b: Holder): number {
  const dob = a.dob !== b.dob ? 1 : 0
  if (kind === 'icvp') {
    if (a.surname === b.surname) return dob
    const shared = new Set(wordsOf(a.surname))
    return dob + (wordsOf(b.surname).some((w) => shared.has(w)) ? 1 : 2)
  }
  return dob + (a.surname !== b.surname ? 1 : 0) + (a.given !== b.given ? 1 : 0)
}

/** Whether two holders are plausibly one person: at most one field differs. */
export function samePerson(kind: string | undefined, a: Holder, b: Holder): boolean {
  return holderDifferences(kind, a, b) <= 1
}
