/**
 * What a person's name and a document or batch number may hold, for `hcert issue` (README "Data
 * cleaning", "Issuing ICVP certificates"). A name holds letters (any script), with the marks written
 * on them, and spaces, hyphens, apostrophes (of every kind: ', ’, ʻ, ʼ…: ICAO Doc 9303 part 3
 * drops them), dots and the middle dot (Catalan l·l) between them; a digit, a symbol or an emoji is
 * no part of one (it is a shifted column, a typo, or a test). A number (national id, batch) holds
 * letters and digits with spaces, hyphens, dots, slashes and underscores.
 *
 * Each function takes a value already cleaned (clean-text.ts: NFC, trimmed, spaces collapsed, no
 * control character) and returns the reason in words, with the 1-based character position of the
 * first fault, never the value; undefined when it is fine.
 */

import { APOSTROPHES } from '../dcc/transliterate.js'

const HYPHENS = new Set(['-', '‐', '‑', '‒', '–', '—', '－'])
const NAME_STOPS = new Set(['.', '·', '・'])
const LETTER = /\p{L}/u
const MARK = /\p{M}/u
const DIGIT = /\p{N}/u
const PICTOGRAPH = /[\p{Extended_Pictographic}\p{So}]/u
const SYMBOL = /\p{S}/u
const PUNCTUATION = /\p{P}/u

/** The kind of a character a name may not hold, in words. */
function kindOf(ch: string): string {
  if (DIGIT.test(ch)) return 'a digit'
  if (PICTOGRAPH.test(ch)) return 'an emoji or symbol'
  if (SYMBOL.test(ch)) return 'a symbol'
  if (PUNCTUATION.test(ch)) return 'a punctuation mark'
  return 'a character that is not a letter'
}

/**
 * Why `name` is no person's name: it holds no letter, or a character that is not a letter, a mark,
 * a space, a hyphen, an apostrophe or a dot, or two of those marks together, or a hyphen at its
 * start or end. undefined when it is one.
 */
export function nameProblem(name: string): string | undefined {
  let position = 0
  let letter = false
  let fault: string | undefined
  /** the previous character was a hyphen, an apostrophe or a dot */
  let afterJoiner = false
  const chars = [...name]
  for (const ch of chars) {
    position++
    const joiner = APOSTROPHES.has(ch) || HYPHENS.has(ch) || NAME_STOPS.has(ch)
    // between letters: a hyphen neither starts nor ends a name (an apostrophe may start one, as
    // in 't Hooft, and a dot end one, as in Jr.), and no two such marks stand together; the same
    // holds of each word (a space on either side is a word's start or end: `.Nguyen`, `O' Brien`)
    const wordStart = position === 1 || chars[position - 2] === ' '
    const wordEnd = position === chars.length || chars[position] === ' '
    if (joiner && afterJoiner) fault ??= `two punctuation marks in a row at character ${position}`
    else if (HYPHENS.has(ch) && (position === 1 || position === chars.length))
      fault ??= `a hyphen at its ${position === 1 ? 'start' : 'end'}`
    else if (joiner && wordStart && !APOSTROPHES.has(ch))
      fault ??= `a punctuation mark at the start of a word at character ${position}`
    else if (joiner && wordEnd && ch !== '.')
      fault ??= `a punctuation mark at the end of a word at character ${position}`
    afterJoiner = joiner
    if (ch === ' ' || joiner || MARK.test(ch)) continue
    if (LETTER.test(ch)) letter = true
    else fault ??= `${kindOf(ch)} at character ${position}`
    if (letter && fault) break
  }
  if (!letter)
    return `holds no letter${fault ? `: it has ${fault}` : ''}; write the name in letters (or correct the columns, if they are shifted)`
  if (fault)
    return `contains ${fault}; a name holds letters, with spaces, hyphens or apostrophes between them: correct the name (or the columns, if they are shifted)`
  return undefined
}

const NUMBER_PUNCTUATION = new Set([' ', '-', '.', '/', '_'])

/**
 * Why `value` is no document or batch number: it holds a character other than letters, digits,
 * spaces, hyphens, dots, slashes and underscores, or no letter nor digit at all.
 */
export function numberProblem(value: string, what: string): string | undefined {
  let position = 0
  let alphanumeric = false
  for (const ch of value) {
    position++
    if (LETTER.test(ch) || DIGIT.test(ch)) alphanumeric = true
    else if (!NUMBER_PUNCTUATION.has(ch))
      return `contains a character other than letters, digits, spaces and - . / _ (${kindOf(ch)}) at character ${position}; ${what} holds letters and digits`
  }
  return alphanumeric ? undefined : `holds no letter or digit; ${what} holds letters and digits`
}

/** Why `value` (free text: a clinician, an organisation) is not one: it holds no letter. */
export function wordsProblem(value: string): string | undefined {
  return LETTER.test(value) ? undefined : 'holds no letter: write it in words'
}

/** `is longer than N characters` when `value` has more than `limit` characters (code points). */
export function lengthProblem(value: string, limit: number): string | undefined {
  if (value.length <= limit) return undefined
  return [...value].length > limit ? `is longer than ${limit} characters` : undefined
}
