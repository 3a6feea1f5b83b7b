/**
 * QR images of a certificate: a PNG and an SVG named by its UVCI, both drawn from one symbol
 * (alphanumeric mode, error correction Q: HCERT 4.2.2; see qr-matrix.ts). The PNG is 1-bit
 * greyscale, 4 pixels a module with a quiet zone of 4 modules; the SVG is one path in module units.
 */
import { mkdir, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { qrMatrix } from './qr-matrix.js'
import { qrPng } from './qr-png.js'
import { qrSvg } from './qr-svg.js'

/** pixels a module in the PNG */
export const PNG_SCALE = 4
/** modules of quiet zone around the symbol, in both images (ISO/IEC 18004: at least 4) */
export const MARGIN = 4

/** A UVCI as a file name: `URN:UVCI:01:VN:MOH/ABC#X` → `URN_UVCI_01_VN_MOH_ABC_X`. */
export function fileNameFor(uvci: string): string {
  return uvci.replace(/[^A-Za-z0-9-]+/g, '_')
}

/** The two images of an HC1 text, from one QR symbol: ~0.4 ms together (the qrcode library's were ~15). */
export function qrImages(hc1: string): { png: Buffer; svg: Buffer } {
  const matrix = qrMatrix(hc1)
  return { png: qrPng(matrix, PNG_SCALE, MARGIN), svg: qrSvg(matrix, MARGIN) }
}

/** Creates one image file (the only place image files are created): 0600, it holds personal data. */
export async function writeImageFile(path: string, data: Uint8Array): Promise<void> {
  await writeFile(path, data, { mode: 0o600 })
}

const madeDirs = new Map<string, Promise<unknown>>()

/**
 * Writes `<dir>/<fileNameFor(uvci)>.png` and `.svg` (creating dir, 0700, once) and returns their
 * paths. The images are drawn before this returns its promise; the files are written on libuv's
 * threads, so a thread writing many certificates' images goes on drawing the next while the file
 * system creates these (an open() took ~1 ms under load, 4 times the drawing).
 */
export async function writeQrFiles(dir: string, uvci: string, hc1: string): Promise<string[]> {
  const { png, svg } = qrImages(hc1)
  let made = madeDirs.get(dir)
  if (!made) {
    made = mkdir(dir, { recursive: true, mode: 0o700 })
    madeDirs.set(dir, made)
    made.catch(() => madeDirs.delete(dir))
  }
  await made
  const base = join(dir, fileNameFor(uvci))
  await Promise.all([writeImageFile(`${base}.png`, png), writeImageFile(`${base}.svg`, svg)])
  return [`${base}.png`, `${base}.svg`]
}
