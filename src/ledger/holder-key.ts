/**
 * The holder of a rejected record as the `rejections` table keeps it: keyed hashes, never the names
 * or the date of birth. `stats` counts a rejected record as fixed and issued when a certificate is
 * later issued under its id for plausibly the same person, by the rule `issue --correct` and the
 * rejects carry-over use (holder-match.ts samePerson: at most one of the standardised surname,
 * given name and date of birth differs; an ICVP's one name counts one when the names share a word).
 * Each field (and each word of the surname, for that rule) is stored as the first 16 hex digits of
 * HMAC-SHA-256(ledger secret, field and value), so two holders compare field by field and no guess
 * can be checked without the ledger's secret (rejection-key.ts). Text form:
 * `v1:<kind>:<surname>.<given>.<dob>.<word>,<word>…` (kind `icvp` or `dcc`).
 */
import { createHmac } from 'node:crypto'
import {
  holderDifferences,
  holderOfPayload,
  holderOfRecord,
  holderUnknown,
  type Holder,
} from '../issue/holder-match.js'

/** a record's holder as read (holder-match.ts), with the kind of record it was read as */
export interface RecordHolder extends Holder {
  kind: 'icvp' | 'dcc'
}

/** The holder of a record as read (`--kind`); undefined when nothing of it could be read. */
export function rejectedHolder(
  kind: string | undefined,
  raw: Record<string, unknown>,
): RecordHolder | undefined {
  const holder = holderOfRecord(kind, raw)
  return holderUnknown(holder) ? undefined : { ...holder, kind: kind === 'icvp' ? 'icvp' : 'dcc' }
}

/** The holder a signed payload of `type` names, as a RecordHolder; undefined when the payload cannot be read. */
export function certificateHolder(type: string, payload: string): RecordHolder | undefined {
  try {
    const holder = holderOfPayload(type, JSON.parse(payload) as Record<string, unknown>)
    return { ...holder, kind: type === 'icvp' ? 'icvp' : 'dcc' }
  } catch {
    return undefined
  }
}

const wordsOf = (name: string): string[] => name.split(/[\s<,.-]+/u).filter((w) => w !== '')

/** The stored form of `holder` in a ledger with `secret` (64 hex digits). */
export function holderKey(secret: string, holder: RecordHolder): string {
  const key = Buffer.from(secret, 'hex')
  const h = (field: string, value: string): string =>
    createHmac('sha256', key).update(`holder\u0000${field}\u0000${value}`).digest('hex').slice(0, 16)
  const words = [...new Set(wordsOf(holder.surname))].map((w) => h('word', w)).sort()
  return `v1:${holder.kind}:${h('surname', holder.surname)}.${h('given', holder.given)}.${h('dob', holder.dob)}.${words.join(',')}`
}

/** a stored holder read back into fields of hashes (words joined by spaces, as holderDifferences splits them) */
function parse(stored: string): RecordHolder | undefined {
  const match = /^v1:(icvp|dcc):([0-9a-f]*)\.([0-9a-f]*)\.([0-9a-f]*)\.([0-9a-f,]*)$/.exec(stored)
  if (!match) return undefined
  return {
    kind: match[1] as 'icvp' | 'dcc',
    // an ICVP's name: the whole name's hash, then its words' (holderDifferences compares the whole
    // first, then whether a word is shared; the whole name's hash shares no word)
    surname:
      match[1] === 'icvp'
        ? [match[2] as string, ...(match[5] as string).split(',').filter((w) => w !== '')].join(' ')
        : (match[2] as string),
    given: match[3] as string,
    dob: match[4] as string,
  }
}

/**
 * Whether a rejection's stored holder and a certificate's holder (stored form too) are plausibly
 * the same person (samePerson); records of another kind (an ICVP and a DCC) never are. A stored
 * form that cannot be read is not.
 */
export function sameHolder(stored: string, certificate: string): boolean {
  const a = parse(stored)
  const b = parse(certificate)
  if (!a || !b || a.kind !== b.kind) return false
  return holderDifferences(a.kind === 'icvp' ? 'icvp' : undefined, a, b) <= 1
}
