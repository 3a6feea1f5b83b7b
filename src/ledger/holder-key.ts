/**
 * The holder of a rejected record as the `rejections` table keeps it: keyed hashes, never the names
 * or the date of birth. `stats` counts a rejected record as fixed and issued when a certificate is
 * later issued under its id for plausibly the same person, by the rule `issue --correct` and the
 * rejects carry-over use as far as hashes allow (sameHolder: a name that differs counts as another
 * person unless the rejection named that field; see holder-match.ts samePerson for the full rule).
 * Each field (and each word of the surname, for that rule) is stored as the first 16 hex digits of
 * HMAC-SHA-256(ledger secret, field and value), so two holders compare field by field and no guess
 * can be checked without the ledger's secret (rejection-key.ts). Text form:
 * `v1:<kind>:<surname>.<given>.<dob>.<word>,<word>…` (kind `icvp` or `dcc`).
 */
import { createHmac } from 'node:crypto'
import { holderOfPayload, holderOfRecord, holderUnknown, type Holder } from '../issue/holder-match.js'

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

/** a stored holder read back into its fields' hashes, and its surname's (an ICVP's name's) word hashes */
interface StoredHolder {
  kind: 'icvp' | 'dcc'
  surname: string
  given: string
  dob: string
  words: Set<string>
}

function parse(stored: string): StoredHolder | undefined {
  const match = /^v1:(icvp|dcc):([0-9a-f]*)\.([0-9a-f]*)\.([0-9a-f]*)\.([0-9a-f,]*)$/.exec(stored)
  if (!match) return undefined
  return {
    kind: match[1] as 'icvp' | 'dcc',
    surname: match[2] as string,
    given: match[3] as string,
    dob: match[4] as string,
    words: new Set((match[5] as string).split(',').filter((w) => w !== '')),
  }
}

/**
 * Which holder field a rejection's `field` (its column: `fn`, `nam/gnt`, an ICVP's `name`) names:
 * `surname` (an ICVP's name too), `given`, or undefined for any other.
 */
export function holderFieldOf(field: string): 'surname' | 'given' | undefined {
  const last = field.split(/[/.]/u).pop() ?? ''
  if (last === 'fn' || last === 'fnt' || last === 'name' || last === 'n') return 'surname'
  if (last === 'gn' || last === 'gnt') return 'given'
  return undefined
}

/**
 * Whether a rejection's stored holder and a certificate's holder (stored form too) are plausibly
 * the same person. Closeness cannot be measured on hashes, so this is stricter than samePerson: a
 * date of birth that differs counts one change; a name that differs counts one only when the
 * rejection named that field (`named`: the fields of the record's rejections, as holderFieldOf
 * reads them; for an ICVP, and only when all words but one are equal), and two (another person)
 * otherwise; fewer than two changes is the same person. Records of another kind (an ICVP and a
 * DCC) never are; a stored form that cannot be read is not.
 */
export function sameHolder(
  stored: string,
  certificate: string,
  named: ReadonlySet<'surname' | 'given'> = new Set(),
): boolean {
  const a = parse(stored)
  const b = parse(certificate)
  if (!a || !b || a.kind !== b.kind) return false
  let changes = a.dob !== b.dob ? 1 : 0
  if (a.surname !== b.surname) {
    const oneWord =
      a.kind !== 'icvp' ||
      (a.words.size === b.words.size && [...a.words].filter((w) => !b.words.has(w)).length <= 1)
    changes += named.has('surname') && oneWord ? 1 : 2
  }
  if (a.given !== b.given) changes += named.has('given') ? 1 : 2
  return changes <= 1
}
