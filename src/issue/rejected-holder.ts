/**
 * Whether a certificate (or a record read since) is the record an earlier rejects file's row
 * stands for, by its holder: the standardised surname, given name and date of birth (an ICVP: the
 * words of its standardised name, and the date of birth) are EQUAL, except in the fields the row's
 * own rejection named (those were wrong and may have been fixed). Sites number rows 1, 2, 3 every
 * day, so a holder who shares a surname and a birthday with the rejected one (the `--correct`
 * rule's "plausibly the same person") is another person: the row must stay (README "The rejects
 * file").
 */
import type { Holder } from './holder-match.js'

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

/** Whether `other` names the rejected row's holder: equal in every field but those `fixable`. */
export function sameRejectedHolder(
  kind: string | undefined,
  rejected: Holder,
  other: Holder,
  fixable: ReadonlySet<keyof Holder>,
): boolean {
  const equal = (field: keyof Holder): boolean =>
    fixable.has(field) ||
    (kind === 'icvp' && field === 'surname'
      ? words(rejected.surname) === words(other.surname)
      : rejected[field] === other[field])
  return equal('surname') && equal('given') && equal('dob')
}
