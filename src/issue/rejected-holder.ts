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
import { looksLikeSpreadsheetDate } from './spreadsheet-date.js'

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
 * rejection named: a date of birth there must be the same date fixed (fixedDob); a name must be the
 * same name fixed (fixedName).
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
  return (
    name('surname') &&
    name('given') &&
    (fixable.has('dob') ? fixedDob(rejected.dob, other.dob) : rejected.dob === other.dob)
  )
}

/** The digits of a date of birth as year, month, day (`30.02.1990` as `19900230`), else as typed. */
function dobDigits(dob: string): string {
  const digits = dob.replace(/\D/gu, '')
  const dmy = /^\s*(\d{1,2})\D+(\d{1,2})\D+(\d{4})\s*$/u.exec(dob)
  if (dmy) return `${dmy[3]}${(dmy[2] as string).padStart(2, '0')}${(dmy[1] as string).padStart(2, '0')}`
  return digits
}

/** Days from the spreadsheets' epoch (1899-12-30) to 1970-01-01. */
const SERIAL_EPOCH_DAYS = 25569

/**
 * The dates (as `YYYYMMDD` digits) a rejected date of birth that is not a date as written stands
 * for, in the forms the reader recognises and explains in its reasons (spreadsheet-date.ts): a
 * spreadsheet's date number (`33000`: 1990-05-07), a compact `19900507`, a local day-month style
 * (`7/5/1990`, `07.05.90`: both day-month and month-day orders; a two-digit year as 19yy and 20yy).
 * Empty when it stands for none.
 */
export function datesStoodFor(dob: string): string[] {
  const text = dob.trim()
  if (looksLikeSpreadsheetDate(text)) {
    const day = new Date((Math.floor(Number(text)) - SERIAL_EPOCH_DAYS) * 86_400_000)
    return [day.toISOString().slice(0, 10).replace(/-/gu, '')]
  }
  if (/^\d{8}$/u.test(text)) return [text]
  const local = /^(\d{1,2})([./-])(\d{1,2})\2(\d{2}|\d{4})$/u.exec(text)
  if (!local) return []
  const [, first, , second, year] = local as unknown as [string, string, string, string, string]
  const years = year.length === 4 ? [year] : [`19${year}`, `20${year}`]
  const two = (d: string): string => d.padStart(2, '0')
  return years.flatMap((y) => [`${y}${two(second)}${two(first)}`, `${y}${two(first)}${two(second)}`])
}

/**
 * Whether `fixed` can be the rejected date of birth `rejected` fixed (README "The rejects file"):
 * a rejected text with no date in it (fewer than four digits: `unknown`, `x`) may be any; a rejected
 * text that is not a date as written but stands for one (datesStoodFor: a spreadsheet's date
 * number, a compact or local-style date) is fixed by that date, or by one close to it as below;
 * else, as digits in year-month-day order, the fixed date is the same year and month, or the same
 * month and day (the year mistyped: `2035-03-09` for 1985), or differs from it by one typo: one
 * digit changed, added or left out, two neighbouring digits swapped, or the day and the month
 * swapped. A namesake born another year is not the row's holder.
 */
export function fixedDob(rejected: string, fixed: string): boolean {
  const b = dobDigits(fixed)
  if (rejected.replace(/\D/gu, '').length < 4) return true
  const stoodFor = datesStoodFor(rejected)
  if (stoodFor.some((a) => closeDobDigits(a, b))) return true
  return closeDobDigits(dobDigits(rejected), b)
}

/** Whether the date digits `b` are `a` or `a` with one typo (fixedDob). */
function closeDobDigits(a: string, b: string): boolean {
  if (a === b) return true
  if (a.length >= 6 && b.length >= 6 && a.slice(0, 6) === b.slice(0, 6)) return true
  if (a.length === 8 && b.length === 8 && a.slice(4) === b.slice(4)) return true
  if (a.length === 8 && b.length === 8 && a.slice(0, 4) + a.slice(6, 8) + a.slice(4, 6) === b) return true
  return oneTypo(a, b)
}

/** Whether `a` and `b` differ by one character changed, added or left out, or two neighbours swapped. */
function oneTypo(a: string, b: string): boolean {
  if (a.length === b.length) {
    const diff = [...a].flatMap((c, i) => (c === b[i] ? [] : [i]))
    if (diff.length === 1) return true
    return (
      diff.length === 2 &&
      diff[1] === (diff[0] as number) + 1 &&
      a[diff[0] as number] === b[diff[1] as number] &&
      a[diff[1] as number] === b[diff[0] as number]
    )
  }
  const [short, long] = a.length < b.length ? [a, b] : [b, a]
  if (long.length - short.length !== 1) return false
  let i = 0
  while (i < short.length && short[i] === long[i]) i++
  return short.slice(i) === long.slice(i + 1)
}
