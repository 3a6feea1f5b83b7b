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

/** Whether `value` (a cell, or a JSON value) looks like a spreadsheet's date number. */
export function looksLikeSpreadsheetDate(value: unknown): boolean {
  return (typeof value === 'string' || typeof value === 'number') && SERIAL.test(String(value).trim())
}

/**
 * `rejections` with SPREADSHEET_DATE_HINT added to each reason about a date column whose value in
 * the flat record `raw` looks like a spreadsheet's date number (changed in place, and returned).
 */
export function hintSpreadsheetDates(
  rejections: Rejection[],
  raw: Readonly<Record<string, unknown>>,
): Rejection[] {
  for (const rejection of rejections)
    if (
      DATE_COLUMNS.has(rejection.field) &&
      looksLikeSpreadsheetDate(raw[rejection.field]) &&
      !rejection.reason.endsWith(SPREADSHEET_DATE_HINT)
    )
      rejection.reason = `${rejection.reason} ${SPREADSHEET_DATE_HINT}`
  return rejections
}
