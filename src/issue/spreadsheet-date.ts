/**
 * Dates a spreadsheet saved as its date numbers: Excel and LibreOffice store a date as the days
 * since 1899-12-30 (44197 is 2021-01-01), and a column formatted as a number exports that number
 * instead of the date. hcert never guesses the date (the 1900 leap-year bug, other epochs): the
 * reason says what the value looks like and how to export it, never the value.
 */
import type { Rejection } from './build-dcc.js'

/** The input columns that hold a date (DCC and ICVP flat records). */
const DATE_COLUMNS: ReadonlySet<string> = new Set(['dob', 'date', 'valid_from', 'valid_until'])

/** A date number from 1927-05-18 (10000) to 2173-10-14 (99999), with or without a time fraction. */
const SERIAL = /^\d{5}(\.\d+)?$/

export const SPREADSHEET_DATE_HINT =
  "(it looks like a spreadsheet's date number, not a date: format the column as text or as a date written YYYY-MM-DD before saving the file)"

/**
 * A date written day, month and year in a local style (`1/6/2021`, `01.06.2021`, `6-1-21`), as a
 * spreadsheet shows a date column and saves it when the column is not text: 1/6 is 1 June or 6
 * January depending on the locale, so hcert never reads it (the reason says how to write it).
 */
const LOCAL = /^\d{1,2}([./-])\d{1,2}\1(\d{2}|\d{4})$/

export const LOCAL_DATE_HINT =
  '(it looks like a date written day, month and year in a local style, which cannot be read the same everywhere: 1/6 is 1 June in Viet Nam and 6 January in the United States; write it YYYY-MM-DD: in the spreadsheet, set the column to text, or to dates shown YYYY-MM-DD, before saving the file)'

/** Whether `value` (a cell, or a JSON value) looks like a spreadsheet's date number. */
export function looksLikeSpreadsheetDate(value: unknown): boolean {
  return (typeof value === 'string' || typeof value === 'number') && SERIAL.test(String(value).trim())
}

/**
 * `rejections` with a hint added to each reason about a date column whose value in the flat record
 * `raw` looks like a spreadsheet's date number (SPREADSHEET_DATE_HINT) or a date in a local style
 * (LOCAL_DATE_HINT); changed in place, and returned. The value itself is never quoted.
 */
export function hintSpreadsheetDates(
  rejections: Rejection[],
  raw: Readonly<Record<string, unknown>>,
): Rejection[] {
  for (const rejection of rejections) {
    if (!DATE_COLUMNS.has(rejection.field)) continue
    const value = raw[rejection.field]
    const hint = looksLikeSpreadsheetDate(value)
      ? SPREADSHEET_DATE_HINT
      : typeof value === 'string' && LOCAL.test(value.trim())
        ? LOCAL_DATE_HINT
        : undefined
    if (hint && !rejection.reason.endsWith(hint)) rejection.reason = `${rejection.reason} ${hint}`
  }
  return rejections
}
