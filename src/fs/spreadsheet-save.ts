/**
 * How a spreadsheet saved a CSV file back, from its first bytes: the encoding (UTF-8, UTF-16 as
 * "Unicode text", or a legacy code page such as Windows-1252 as Excel's plain "CSV" saves) and the
 * separator of its first line (a comma, or the locale's list separator: a semicolon where the
 * decimal mark is a comma; a tab in "Unicode text"). hcert reads and writes comma-separated UTF-8
 * (RFC 4180), so a site told which of the two differs, and Excel's name for the format it reads,
 * can act on it. Only the bytes' shape is looked at: nothing of the file is quoted (it may hold
 * personal data).
 */
import { isUtf8 } from 'node:buffer'

/** The text encoding of a file's first bytes. */
export type TextEncodingKind = 'utf-8' | 'utf-16' | 'legacy'

/** A CSV separator a spreadsheet writes. */
export type CsvSeparator = ',' | ';' | '\t'

/** Excel's own name for the format hcert reads (File > Save As > "Save as type"). */
export const EXCEL_CSV_UTF8 = '"CSV UTF-8 (Comma delimited)"'

/**
 * Whether the first bytes are UTF-16 text (as spreadsheets save "Unicode text"): a UTF-16 byte
 * order mark, or ASCII letters each followed (LE) or preceded (BE) by a zero byte.
 */
export function looksLikeUtf16(start: Uint8Array): boolean {
  if (
    start.length >= 2 &&
    ((start[0] === 0xff && start[1] === 0xfe) || (start[0] === 0xfe && start[1] === 0xff))
  )
    return true
  const n = Math.min(start.length, 64) & ~1
  if (n < 4) return false
  let le = true
  let be = true
  for (let i = 0; i < n; i += 2) {
    if (start[i] === 0 || start[i + 1] !== 0) le = false
    if (start[i] !== 0 || start[i + 1] === 0) be = false
  }
  return le || be
}

/**
 * The encoding of `bytes`, the first bytes of a file (`whole`: all of it; else a UTF-8 sequence
 * cut off at their end is no fault).
 */
export function encodingOf(bytes: Buffer, whole: boolean): TextEncodingKind {
  if (looksLikeUtf16(bytes)) return 'utf-16'
  if (isUtf8(bytes)) return 'utf-8'
  if (!whole)
    for (let cut = 1; cut <= 3 && cut < bytes.length; cut++)
      if (isUtf8(bytes.subarray(0, bytes.length - cut))) return 'utf-8'
  return 'legacy'
}

/** `bytes` as text in `encoding` (a legacy code page read as Latin-1: column names are ASCII), without a BOM. */
export function textOf(bytes: Buffer, encoding: TextEncodingKind): string {
  let text: string
  if (encoding === 'utf-16') {
    const be = bytes[0] === 0xfe || (bytes[0] === 0 && bytes[1] !== 0)
    text = new TextDecoder(be ? 'utf-16be' : 'utf-16le').decode(bytes)
  } else text = bytes.toString(encoding === 'utf-8' ? 'utf8' : 'latin1')
  return text.replace(/^\uFEFF/, '')
}

/**
 * The separator of a CSV header `line` by which one of its cells is `column` (hcert writes no
 * quotes around column names; a spreadsheet may), or undefined when no separator makes one.
 */
export function separatorNaming(line: string, column: string): CsvSeparator | undefined {
  for (const separator of [',', ';', '\t'] as const)
    if (
      line.split(separator).some(
        (cell) =>
          cell
            .replace(/^\s*"|"\s*$/g, '')
            .trim()
            .toLowerCase() === column,
      )
    )
      return separator
  return undefined
}

/**
 * The separator of a CSV header `line` when it is not the comma: a semicolon or a tab that splits
 * it into more cells than the comma does (a header of one cell has no separator to tell).
 */
export function otherSeparatorOf(line: string): Exclude<CsvSeparator, ','> | undefined {
  const commas = line.split(',').length
  for (const separator of [';', '\t'] as const) if (line.split(separator).length > commas) return separator
  return undefined
}

/** How a spreadsheet saved a CSV file, where it differs from what hcert writes (all undefined: it does not). */
export interface SpreadsheetSave {
  encoding?: Exclude<TextEncodingKind, 'utf-8'>
  separator?: Exclude<CsvSeparator, ','>
}

/**
 * What differs, in words a site can act on, e.g. `separated by semicolons (;) where hcert writes
 * commas, and not UTF-8 text (…)`; empty when nothing does.
 */
export function saveWords(save: SpreadsheetSave, verb: 'reads' | 'writes' = 'writes'): string {
  const words: string[] = []
  if (save.separator === ';') words.push(`separated by semicolons (;) where hcert ${verb} commas`)
  if (save.separator === '\t') words.push(`separated by tabs where hcert ${verb} commas`)
  if (save.encoding === 'legacy')
    words.push(
      'not UTF-8 text (it has a byte no UTF-8 character has: likely Windows-1252 or Latin-1, as a spreadsheet\'s plain "CSV" saves)',
    )
  if (save.encoding === 'utf-16') words.push('UTF-16 text (a spreadsheet\'s "Unicode text"), not UTF-8')
  return words.join(', and ')
}

/** What to do about a spreadsheet's save, in words. */
export const SAVE_AS_ADVICE = `in the spreadsheet, save it as ${EXCEL_CSV_UTF8} (UTF-8, commas)`
