/**
 * Whether two records name plausibly the same person, as `issue` compares a record with the
 * certificate issued under its id (`--correct`) and an earlier rejects file's record with what was
 * issued or read since. Each of the standardised surname (`fnt`, ICAO 9303), the standardised given
 * name (`gnt`) and the date of birth counts: a date of birth that changed counts ONE change; a name
 * that changed counts one (a typo fix) only when its standardised forms are close (`closeNames`:
 * optimal-string-alignment distance at most 2 and at most a third of the longer form's length,
 * rounded down), and TWO (another person on its own) when they are not. A WHO ICVP has one name
 * field: its words (standardised) are compared; all equal but one word that is close counts one,
 * any other difference (a word added, dropped, reordered, or not close) two. Another person = two
 * or more. Twins (`Nguyễn An`, `Nguyễn Bình`, same date of birth) and `Lê Thị Hoa` / `Phạm Thị Lan`
 * are two people; `Nguyễn Thị Hoa` / `Nguyễn Thi Hoà` (diacritics only) are one name. A DCC name
 * is compared as typed (`fn`/`gn`, comparableName) too, when both records give it: a name counts
 * the larger of its two changes, so `Trần` typed with `fnt` NGUYEN, or `李` with the `fnt` of `王`,
 * is not Nguyễn nor 王.
 */
import { lacksTable, transliterate } from '../dcc/transliterate.js'

/** A holder as compared: `surname` is an ICVP's whole name, `given` empty for an ICVP. */
export interface Holder {
  /** the standardised surname: `fnt` as given, else `fn` in ICAO form (an ICVP: its name) */
  surname: string
  given: string
  dob: string
  /**
   * A DCC's names as typed, `fn` and `gn` in comparable form (comparableName), whatever `fnt`/`gnt`
   * say: a Greek or Chinese name, or one whose `fnt` was typed, is not known by its `fnt` alone.
   * Empty or absent when not given.
   */
  typedSurname?: string
  typedGiven?: string
}

const text = (v: unknown): string =>
  typeof v === 'string' || typeof v === 'number'
    ? String(v).normalize('NFC').trim().replace(/\s+/gu, ' ').toUpperCase()
    : ''

/**
 * A name as `fnt`/`gnt` would hold it (ICAO 9303); one in a script without a table here (Greek,
 * Chinese, Arabic…) as its letters, capitals without marks, words joined by `<`: what a reason
 * objects to in a name (digits, symbols) is not part of it, so a name fixed compares as the same.
 */
export function comparableName(name: unknown): string {
  const typed = text(name)
  if (typed === '') return ''
  if (!lacksTable(typed)) return transliterate(typed) || typed
  return typed
    .normalize('NFD')
    .replace(/\p{M}/gu, '')
    .replace(/[^\p{L}]+/gu, '<')
    .replace(/^<|<$/g, '')
    .normalize('NFC')
}
const standardised = comparableName

/** The holder a signed payload names (the ledger's `payload`): `nam.fnt`, `nam.gnt`, `dob`; an ICVP's `n`, `dob`. */
export function holderOfPayload(type: string, payload: Record<string, unknown>): Holder {
  if (type === 'icvp') return { surname: standardised(payload.n), given: '', dob: text(payload.dob) }
  return dccHolder((payload.nam ?? {}) as Record<string, unknown>, payload.dob)
}

function dccHolder(nam: Record<string, unknown>, dob: unknown): Holder {
  return {
    surname: text(nam.fnt) || standardised(nam.fn),
    given: text(nam.gnt) || standardised(nam.gn),
    dob: text(dob),
    typedSurname: standardised(nam.fn),
    typedGiven: standardised(nam.gn),
  }
}

/**
 * The holder a record names as read, before (or without) being built: a flat record's `fn`/`gn`
 * (or `fnt`/`gnt`) and `dob`, a DCC payload's `nam`, an ICVP record's `name`.
 */
export function holderOfRecord(kind: string | undefined, raw: Record<string, unknown>): Holder {
  if (kind === 'icvp') return { surname: standardised(raw.name), given: '', dob: text(raw.dob) }
  const nam = (typeof raw.nam === 'object' && raw.nam !== null ? raw.nam : raw) as Record<string, unknown>
  return dccHolder(nam, raw.dob)
}

/** Whether nothing of the holder could be read (a line that did not parse). */
export function holderUnknown(holder: Holder): boolean {
  return holder.surname === '' && holder.given === '' && holder.dob === ''
}

const wordsOf = (name: string): string[] => name.split(/[\s<,.-]+/u).filter((w) => w !== '')

/**
 * The optimal-string-alignment (restricted Damerau-Levenshtein) distance of two strings, in code
 * points: insertions, deletions, substitutions and swaps of two adjacent characters count one each.
 */
export function osaDistance(a: string, b: string): number {
  const x = [...a]
  const y = [...b]
  const d: number[][] = Array.from({ length: x.length + 1 }, (_, i) =>
    Array.from({ length: y.length + 1 }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)),
  )
  for (let i = 1; i <= x.length; i++)
    for (let j = 1; j <= y.length; j++) {
      const cost = x[i - 1] === y[j - 1] ? 0 : 1
      const row = d[i] as number[]
      const up = d[i - 1] as number[]
      let v = Math.min(up[j]! + 1, row[j - 1]! + 1, up[j - 1]! + cost)
      if (i > 1 && j > 1 && x[i - 1] === y[j - 2] && x[i - 2] === y[j - 1])
        v = Math.min(v, (d[i - 2] as number[])[j - 2]! + 1)
      row[j] = v
    }
  return (d[x.length] as number[])[y.length]!
}

/**
 * Whether two standardised names are close enough for one to be a typo of the other: their
 * optimal-string-alignment distance is at most 2 and at most a third of the longer one's length
 * (rounded down): `TRAN`/`TRAM` (1 of 4), `NGUYEN`/`NGUEYN` (1 of 6), not `AN`/`AM` (1 of 2) nor
 * `AN`/`BINH` (3).
 */
export function closeNames(a: string, b: string): boolean {
  if (a === b) return true
  const longer = Math.max([...a].length, [...b].length)
  return osaDistance(a, b) <= Math.min(2, Math.floor(longer / 3))
}

/** What a changed name counts: 0 unchanged, 1 a typo fix (close), 2 another person's. */
function nameChange(a: string, b: string): number {
  if (a === b) return 0
  return closeNames(a, b) ? 1 : 2
}

/** What a changed ICVP name counts: its words all equal but one close word is 1; any other change is 2. */
function icvpNameChange(a: string, b: string): number {
  if (a === b) return 0
  const x = wordsOf(a)
  const y = wordsOf(b)
  if (x.length !== y.length) return 2
  const changed = x.map((w, i) => [w, y[i] as string] as const).filter(([v, w]) => v !== w)
  if (changed.length === 0) return 0 // the same words, other separators
  return changed.length === 1 && closeNames(changed[0]![0], changed[0]![1]) ? 1 : 2
}

/**
 * What a changed DCC name counts: the larger of its standardised form's change and, when both
 * records typed it, its typed form's (`fn`/`gn`): `Trần` typed with `fnt` NGUYEN is not Nguyễn.
 */
function dccNameChange(standard: [string, string], typed: [string?, string?]): number {
  const [a, b] = typed
  const byTyped = a && b ? nameChange(a, b) : 0
  return Math.max(nameChange(standard[0], standard[1]), byTyped)
}

/**
 * How many changes tell the holders apart (see the module comment): a date of birth that differs
 * counts 1, a name 1 when close and 2 when not, as standardised and as typed (an ICVP's name: by
 * its words). 0 is the same holder.
 */
export function holderDifferences(kind: string | undefined, a: Holder, b: Holder): number {
  const dob = a.dob !== b.dob ? 1 : 0
  if (kind === 'icvp') return dob + icvpNameChange(a.surname, b.surname)
  return (
    dob +
    dccNameChange([a.surname, b.surname], [a.typedSurname, b.typedSurname]) +
    dccNameChange([a.given, b.given], [a.typedGiven, b.typedGiven])
  )
}

/** What a changed ICVP name counts (icvpNameChange), for rejected-holder.ts. */
export const icvpNameChanges = (a: string, b: string): number => icvpNameChange(a, b)

/** Whether two holders are plausibly one person: fewer than two changes (holderDifferences). */
export function samePerson(kind: string | undefined, a: Holder, b: Holder): boolean {
  return holderDifferences(kind, a, b) <= 1
}
