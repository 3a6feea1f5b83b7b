/**
 * ICAO Doc 9303 Part 3 (8th ed., section 6) transliteration for the standardised names `fnt` / `gnt`:
 * A–Z and `<` only.
 * - Latin: letters the ICAO table spells out (Ä→AE, ß→SS, Þ→TH, Ø→OE…) and letters Unicode does not
 *   decompose (Đ, Ł, Ħ, ı…) come from a table; other accented Latin letters lose their marks (NFD),
 *   which covers Vietnamese (Ư→U, Ơ→O, Ặ→A).
 * - Cyrillic: the ICAO Cyrillic table (Table B) as written for Russian, with the Ukrainian,
 *   Belarusian, Serbian and Macedonian letters it lists (Є→IE, Ї→I, Ґ→G, Ў→U, Ђ→D, Љ→LJ…): Ш→SH,
 *   Щ→SHCH, Ю→IU, Я→IA, Ъ→IE, Ь is dropped. The table's per-language variants (Ukrainian Г→H, И→Y)
 *   need the holder's language, which a name does not carry: give `fnt`/`gnt` for those.
 * - Spaces and hyphens become `<`; apostrophes (of every kind: ’ ʻ ʼ ʿ ꞌ…, APOSTROPHES), dots and
 *   digits are dropped.
 * Letters of other scripts (Chinese, Arabic, Greek…) have no table here: `lacksTable` finds them, so
 * that the caller can ask for `fnt`/`gnt` instead of a name with letters silently missing.
 */
const TABLE: Readonly<Record<string, string>> = {
  Ä: 'AE',
  Å: 'AA',
  Æ: 'AE',
  Ö: 'OE',
  Ø: 'OE',
  Œ: 'OE',
  Ü: 'UE',
  ß: 'SS',
  ẞ: 'SS',
  Þ: 'TH',
  Ð: 'D',
  Đ: 'D',
  Ĳ: 'IJ',
  Ł: 'L',
  Ħ: 'H',
  Ŧ: 'T',
  Ŀ: 'L',
  Ŋ: 'N',
  I: 'I',
  ı: 'I',
  Ɨ: 'I',
  Ƶ: 'Z',
  Ɖ: 'D',
}

/** ICAO Doc 9303 Part 3, Table B (Cyrillic), upper case; lower case is upper-cased first. */
const CYRILLIC: Readonly<Record<string, string>> = {
  А: 'A',
  Б: 'B',
  В: 'V',
  Г: 'G',
  Ѓ: 'G',
  Ґ: 'G',
  Д: 'D',
  Ђ: 'D',
  Е: 'E',
  Ѐ: 'E',
  Ё: 'E',
  Є: 'IE',
  Ж: 'ZH',
  З: 'Z',
  Ѕ: 'DZ',
  И: 'I',
  Ѝ: 'I',
  І: 'I',
  Ї: 'I',
  Й: 'I',
  Ј: 'J',
  К: 'K',
  Ќ: 'K',
  Л: 'L',
  Љ: 'LJ',
  М: 'M',
  Н: 'N',
  Њ: 'NJ',
  О: 'O',
  П: 'P',
  Р: 'R',
  С: 'S',
  Т: 'T',
  Ћ: 'C',
  У: 'U',
  Ў: 'U',
  Ф: 'F',
  Х: 'KH',
  Ц: 'TS',
  Ч: 'CH',
  Џ: 'DZ',
  Ш: 'SH',
  Щ: 'SHCH',
  Ъ: 'IE',
  Ы: 'Y',
  Ь: '',
  Э: 'E',
  Ю: 'IU',
  Я: 'IA',
}

/** Apostrophes and the marks written for them in Latin names (ICAO Doc 9303 part 3 omits them all: O’Brien → OBRIEN, Haʻaheo → HAAHEO). */
export const APOSTROPHES: ReadonlySet<string> = new Set([
  "'", // U+0027
  '`', // U+0060 grave accent, typed for an apostrophe
  '´', // U+00B4 acute accent, likewise
  'ʹ', // U+02B9 modifier letter prime
  'ʻ', // U+02BB ʻokina (Hawaiian), Tongan fakauʻa, Uzbek oʻ
  'ʼ', // U+02BC modifier letter apostrophe (Nahuatl, Ukrainian in Latin letters)
  'ʽ', // U+02BD
  'ʾ', // U+02BE ʾalif (transliterated Arabic, Hebrew)
  'ʿ', // U+02BF ʿayn
  'ˈ', // U+02C8
  '‘', // U+2018
  '’', // U+2019 the apostrophe word processors write
  '‛', // U+201B
  '′', // U+2032 prime
  'ꞌ', // U+A78C saltillo
  'Ꞌ', // U+A78B
  '＇', // U+FF07 full-width
])

export const MAX_STANDARDISED_LENGTH = 80

// Names repeat (a family name, a common given name), and names with marks take the slow path per
// letter: results are remembered, up to a bound, for a batch's worth of distinct names.
const remembered = new Map<string, string>()
const REMEMBER_AT_MOST = 50_000

export function transliterate(name: string): string {
  let known = remembered.get(name)
  if (known === undefined) {
    known = transliterateName(name)
    if (remembered.size >= REMEMBER_AT_MOST) remembered.clear()
    remembered.set(name, known)
  }
  return known
}

// and so do letters: Vietnamese given names are mostly distinct, their letters with marks are not
const letters = new Map<string, string>()

/** A letter's transliteration; undefined for a letter of a script without a table here. */
function transliterateLetter(char: string): string | undefined {
  const mapped = TABLE[char] ?? TABLE[char.toLowerCase()] ?? CYRILLIC[char]
  if (mapped !== undefined) return mapped
  const base = char.normalize('NFKD').replace(/\p{M}/gu, '')
  if (/^[A-Z]+$/.test(base)) return base
  const cyrillic = CYRILLIC[base]
  if (cyrillic !== undefined) return cyrillic
  if (/[\s\p{Pd}]/u.test(char)) return '<' // spaces and hyphens (-, ‐, ‑, –, —…)
  if (APOSTROPHES.has(char)) return '' // ʻ ʼ ʿ are modifier letters to Unicode, apostrophes to ICAO
  if (/^\p{L}/u.test(base)) return undefined
  return '' // apostrophes, dots, digits and marks are dropped
}

/**
 * True when the name holds a letter of a script without a transliteration table here (Han, Arabic,
 * Greek…): its `fnt`/`gnt` must be given, not made up from the letters that have one.
 */
export function lacksTable(name: string): boolean {
  for (const char of name.normalize('NFC').toUpperCase()) {
    const code = char.charCodeAt(0)
    if ((code >= 65 && code <= 90) || code === 32) continue
    if (transliterateLetter(char) === undefined) return true
  }
  return false
}

/** Scripts by their Unicode name (UAX #24), in the words a site uses. */
const SCRIPTS: ReadonlyArray<readonly [RegExp, string]> = [
  [/\p{Script=Latin}/u, 'Latin'],
  [/\p{Script=Cyrillic}/u, 'Cyrillic'],
  [/\p{Script=Greek}/u, 'Greek'],
  [/\p{Script=Han}/u, 'Chinese characters (Han)'],
  [/\p{Script=Hangul}/u, 'Korean (Hangul)'],
  [/[\p{Script=Hiragana}\p{Script=Katakana}]/u, 'Japanese kana'],
  [/\p{Script=Arabic}/u, 'Arabic'],
  [/\p{Script=Hebrew}/u, 'Hebrew'],
  [/\p{Script=Armenian}/u, 'Armenian'],
  [/\p{Script=Georgian}/u, 'Georgian'],
  [/\p{Script=Thai}/u, 'Thai'],
  [/\p{Script=Lao}/u, 'Lao'],
  [/\p{Script=Khmer}/u, 'Khmer'],
  [/\p{Script=Myanmar}/u, 'Myanmar'],
  [/\p{Script=Devanagari}/u, 'Devanagari'],
  [/\p{Script=Bengali}/u, 'Bengali'],
  [/\p{Script=Tamil}/u, 'Tamil'],
  [/\p{Script=Telugu}/u, 'Telugu'],
  [/\p{Script=Ethiopic}/u, 'Ethiopic'],
  [/\p{Script=Mongolian}/u, 'Mongolian'],
  [/\p{Script=Tibetan}/u, 'Tibetan'],
]

/** The script of a letter, in words (`another script` for one not listed in SCRIPTS). */
export function scriptOf(char: string): string {
  return SCRIPTS.find(([pattern]) => pattern.test(char))?.[1] ?? 'another script'
}

/**
 * The first letter of `name` without a transliteration here (see lacksTable): its 1-based position
 * in the name as written (NFC) and its script, in words; undefined when every letter has one.
 */
export function untabledLetter(name: string): { at: number; script: string } | undefined {
  let at = 0
  for (const char of name.normalize('NFC')) {
    at++
    const code = char.toUpperCase().charCodeAt(0)
    if ((code >= 65 && code <= 90) || code === 32) continue
    if ([...char.toUpperCase()].some((c) => transliterateLetter(c) === undefined))
      return { at, script: scriptOf(char) }
  }
  return undefined
}

function transliterateName(name: string): string {
  let out = ''
  for (const char of name.normalize('NFC').toUpperCase()) {
    // A–Z and the space as they are (most letters of most names): no table, no regular expression
    const code = char.charCodeAt(0)
    if (code >= 65 && code <= 90) {
      out += char
      continue
    }
    if (code === 32) {
      out += '<'
      continue
    }
    let letter = letters.get(char)
    if (letter === undefined) {
      letter = transliterateLetter(char) ?? ''
      if (letters.size < REMEMBER_AT_MOST) letters.set(char, letter)
    }
    out += letter
  }
  if (out.includes('<')) out = out.replace(/<+/g, '<').replace(/^<|<$/g, '')
  // past the schema's 80: cut, without a trailing <, as DIGG dgc-java's MrzEncoder does (HCERT notes
  // §11) and ICAO 9303 part 3 truncates names in the MRZ; fn/gn keep the whole name (README)
  if (out.length > MAX_STANDARDISED_LENGTH) out = out.slice(0, MAX_STANDARDISED_LENGTH).replace(/<+$/, '')
  return out
}
