/**
 * Whether a certificate (or a record read since) is the record an earlier rejects file's row
 * stands for, by its holder: the standardised surname, given name and date of birth (an ICVP: the
 * words of its standardised name, and the date of birth) are EQUAL, except in the fields the row's
 * own rejection named: those were wrong and may have been FIXED, a name into a close one (never
 * ignored: any record under the id would clear the row of a Greek name, whose reason names fnt). Sites number rows 1, 2, 3 every
 * day, so a holder who shares a surname and a birthday with the rejected one (the `--correct`
 * rule's "plausibly the same person") is another person: the row must stay (README "The rejects
 * file").
 */
import { closeNames, icvpNameChanges, type Holder } from './holder-match.js'

/** The holder fields a rejection reason names (`fn: …; dob: …`), as Holder keys. */
export function fieldsOfReason(kind: string | undefined, reason: string | undefined): Set<keyof Holder> {
  const named = new Set<keyof Holder>()
  for (const part of (reason ?? '').split(/;\s*/u)) {
    const field = /^\s*([A-Za-z_/]+)\s*:/u.exec(part)?.[1]?.toLowerCase()
    if (field === undefined) continue
    const leaf = field.split('/').pop() as string
    if (kind === 'icvp') {
      if (leaf === 'name' || leaf === 'n') named.add('surname')
    } else if (leaf === 'fn' || leaf === 'fnt') named.add('surname')
    else if (leaf === 'gn' || leaf === 'gnt') named.add('given')
    else if (leaf === 'nam') {
      named.add('surname')
      named.add('given')
    }
    if (leaf === 'dob') named.add('dob')
  }
  return named
}

const words = (name: string): string =>
  name
    .split(/[\s<,.-]+/u)
    .filter((w) => w !== '')
    .join(' ')

/**
 * Whether a name the row's rejection named is the same name FIXED: as typed (`fn`/`gn`, in whatever
 * script, comparableName: what the reason objected to, digits or symbols, left out), else as
 * standardised, close by the `--correct` rule (closeNames); an ICVP's name: close, or all its words
 * equal but one close word. Never ignored: `Ζαχαρίου` is no fix of `Παπαδόπουλος`. A row that gave
 * no name there has none to compare (the other fields must match).
 */
function fixedName(kind: string | undefined, rejected: string, other: string): boolean {
  if (rejected === '') return true
  if (kind === 'icvp') return closeNames(rejected, other) || icvpNameChanges(rejected, other) <= 1
  return closeNames(rejected, other)
}

/**
 * Whether `other` names the rejected row's holder: its names and date of birth equal (a DCC's names
 * as standardised and as typed, when both give them), but in the fields `fixable`, the row's
 * rejection named: a date of birth there may be any; a name must be the same name fixed (fixedName).
 */
export function sameRejectedHolder(
  kind: string | undefined,
  rejected: Holder,
  other: Holder,
  fixable: ReadonlySet<keyof Holder>,
): boolean {
  const typedOf = (h: Holder, field: 'surname' | 'given'): string =>
    (field === 'surname' ? h.typedSurname : h.typedGiven) ?? ''
  const name = (field: 'surname' | 'given'): boolean => {
    const [a, b] = [typedOf(rejected, field), typedOf(other, field)]
    // as typed when both typed it, else as standardised
    if (fixable.has(field))
      return a && b ? fixedName(kind, a, b) : fixedName(kind, rejected[field], other[field])
    if (kind === 'icvp') return words(rejected[field]) === words(other[field])
    return rejected[field] === other[field] && (!a || !b || a === b)
  }
  return name('surname') && name('given') && (fixable.has('dob') || rejected.dob === other.dob)
}
