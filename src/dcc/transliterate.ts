/**
 * ICAO Doc 9303 Part 3 transliteration for the standardised names `fnt` / `gnt`: A–Z and `<` only.
 * Letters the ICAO table spells out (Ä→AE, ß→SS, Þ→TH, Ø→OE…) and letters Unicode does not
 * decompose (Đ, Ł, Ħ, ı…) come from a table; other accented Latin letters lose their marks (NFD),
 * which covers Vietnamese (Ư→U, Ơ→O, Ặ→A). Spaces and hyphens become `<`; apostrophes are dropped.
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

function transliterateLetter(char: string): string {
  const mapped = TABLE[char] ?? TABLE[char.toLowerCase()]
  if (mapped !== undefined) return mapped
  const base = char.normalize('NFD').replace(/\p{M}/gu, '')
  if (/^[A-Z]+$/.test(base)) return base
  if (/[\s\-‐‑–]/u.test(char)) return '<'
  return '' // apostrophes, dots and anything without a Latin transliteration are dropped
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
      letter = transliterateLetter(char)
      if (letters.size < REMEMBER_AT_MOST) letters.set(char, letter)
    }
    out += letter
  }
  if (out.includes('<')) out = out.replace(/<+/g, '<').replace(/^<|<$/g, '')
  if (out.length > MAX_STANDARDISED_LENGTH) out = out.slice(0, MAX_STANDARDISED_LENGTH).replace(/<+$/, '')
  return out
}
