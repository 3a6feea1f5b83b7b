/**
 * What a file of records is when it is no text at all: a spreadsheet saved in its own format, a
 * PDF, an archive. Sites export "the records" from a spreadsheet, and the workbook itself is the
 * usual mistake; the message says what the file is and how to save it as CSV, as the UTF-16 and
 * Latin-1 messages do (read-records.ts). Read from the file's first bytes (its signature), never
 * from its name.
 */

const ZIP = [0x50, 0x4b, 0x03, 0x04] // PK\3\4: a ZIP archive (xlsx, ods, docx…: Office Open XML, OpenDocument)
const OLE2 = [0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1] // an OLE2 compound file: .xls, .doc
const PDF = [0x25, 0x50, 0x44, 0x46, 0x2d] // %PDF-
const GZIP = [0x1f, 0x8b]

const startsWith = (bytes: Uint8Array, signature: readonly number[]): boolean =>
  bytes.length >= signature.length && signature.every((b, i) => bytes[i] === b)

/**
 * The kind of a file that is no text, in words (`an Excel workbook (.xlsx)`), from its first bytes;
 * undefined for anything else (text, or a file too short to tell).
 */
export function binaryFileKind(start: Uint8Array): string | undefined {
  if (startsWith(start, ZIP)) {
    // an OpenDocument file stores its media type first, uncompressed; an Excel workbook has xl/ parts
    const head = Buffer.from(start.subarray(0, 4096)).toString('latin1')
    if (head.includes('application/vnd.oasis.opendocument.spreadsheet'))
      return 'an OpenDocument spreadsheet (.ods)'
    if (head.includes('xl/') || head.includes('[Content_Types].xml')) return 'an Excel workbook (.xlsx)'
    return 'a ZIP archive'
  }
  if (startsWith(start, OLE2)) return 'an Excel 97–2003 workbook (.xls) or another Office document'
  if (startsWith(start, PDF)) return 'a PDF document'
  if (startsWith(start, GZIP)) return 'a gzip-compressed file'
  return undefined
}

/** The message for a file of `kind`: what it is, and what to save it as. */
export function binaryFileMessage(kind: string): string {
  return `input: the file is ${kind}, not text; hcert reads CSV, JSON Lines or JSON: open it in its program and save the records as "CSV UTF-8 (Comma delimited)"${kind.startsWith('a ZIP') || kind.startsWith('a gzip') ? ' (or extract the CSV file from it)' : ''}`
}
