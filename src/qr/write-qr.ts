/**
 * QR images of a certificate: a PNG and an SVG named by its UVCI, both drawn from one symbol
 * (alphanumeric mode, error correction Q: HCERT 4.2.2; see qr-matrix.ts). The PNG is 1-bit
 * greyscale, 4 pixels a module with a quiet zone of 4 modules; the SVG is one path in module units.
 */
import { createHash } from 'node:crypto'
import { makeDirectories } from '../fs/make-directories.js'
import { join } from 'node:path'
import { qrMatrix } from './qr-matrix.js'
import { qrPng } from './qr-png.js'
import { qrSvg } from './qr-svg.js'
import { removeStaleTemporariesIn, writeFileAtomic, writeFileAtomicAsync } from '../fs/atomic-file.js'

/** pixels a module in the PNG */
export const PNG_SCALE = 4
/** modules of quiet zone around the symbol, in both images (ISO/IEC 18004: at least 4) */
export const MARGIN = 4

/** longest name fileNameFor returns, in bytes (file systems allow 255; the temporary name adds ~22) */
const MAX_NAME = 200

/**
 * A UVCI as a file name, one to one: two UVCIs never share a name, even on a file system that ignores
 * case. Upper-case letters, digits and `-` stay; `:` becomes `_`; every other byte of the UTF-8
 * (`/`, `#`, `_`, `%`, lower case, …) becomes `%XX` (upper-case hex). So
 * `URN:UVCI:01:VN:MOH/ABC#X` → `URN_UVCI_01_VN_MOH%2FABC%23X` and `URN:UVCI:01:VN:ABC_123_X` →
 * `URN_UVCI_01_VN_ABC%5F123%5FX`. A name that would pass 200 bytes keeps its first 150 and ends with
 * `~` and 32 hex digits of the UVCI's SHA-256 (`~` is in no other name).
 */
export function fileNameFor(uvci: string): string {
  let name = ''
  for (const byte of Buffer.from(uvci, 'utf8')) {
    if ((byte >= 0x41 && byte <= 0x5a) || (byte >= 0x30 && byte <= 0x39) || byte === 0x2d)
      name += String.fromCharCode(byte)
    else if (byte === 0x3a) name += '_'
    else name += `%${byte.toString(16).toUpperCase().padStart(2, '0')}`
  }
  if (name.length <= MAX_NAME) return name
  return `${name.slice(0, 150)}~${createHash('sha256').update(uvci).digest('hex').slice(0, 32)}`
}

/** Where a certificate's images go: `<dir>/<fileNameFor(uvci)>.png` and `.svg`. */
export function qrFilePaths(dir: string, uvci: string): { png: string; svg: string } {
  const base = join(dir, fileNameFor(uvci))
  return { png: `${base}.png`, svg: `${base}.svg` }
}

/**
 * Writes one image file: mode 0600 (it holds the whole certificate), created exclusively under a
 * temporary name and renamed into place, so a link planted at the name is replaced, not followed.
 * Synchronous, for a single image; throws a coded ERR_USAGE on failure.
 */
export function writeQrImage(path: string, data: string | Uint8Array): void {
  writeFileAtomic(path, data, { durable: false })
}

/** The two images of an HC1 text, from one QR symbol: ~0.5 ms together (the qrcode library's were ~15). */
export function qrImages(hc1: string): QrImages {
  const matrix = qrMatrix(hc1)
  return { png: qrPng(matrix, PNG_SCALE, MARGIN), svg: qrSvg(matrix, MARGIN) }
}

export interface QrImages {
  png: Buffer
  svg: Buffer
}

/**
 * Creates one image file (the only place image files are created): as writeQrImage, with the steps
 * on libuv's threads (writeFileAtomicAsync). Not fsynced: an image can be drawn again from the
 * ledger (`hcert export`); only a power failure may leave the last images missing, empty or short.
 */
export function writeImageFile(path: string, data: Uint8Array): Promise<void> {
  return writeFileAtomicAsync(path, data)
}

const madeDirs = new Map<string, Promise<unknown>>()

/**
 * Writes images already drawn (qrImages) as `<dir>/<fileNameFor(uvci)>.png` and `.svg`, creating
 * dir (0700) once (and removing the temporary files a killed run left in it), and returns their paths. The files are written on libuv's threads: the calling
 * thread goes on while the file system creates them (an open() took ~1 ms under load, more than
 * the drawing).
 */
export async function writeQrImageFiles(dir: string, uvci: string, images: QrImages): Promise<string[]> {
  let made = madeDirs.get(dir)
  if (!made) {
    // one level at a time: Node's recursive mkdir spins forever under /proc (make-directories.ts)
    // and, once, the temporary files a killed run left there (removeStaleTemporariesIn)
    made = Promise.resolve()
      .then(() => makeDirectories(dir, 0o700))
      .then(() => removeStaleTemporariesIn(dir))
    madeDirs.set(dir, made)
    made.catch(() => madeDirs.delete(dir))
  }
  await made
  const paths = qrFilePaths(dir, uvci)
  await Promise.all([writeImageFile(paths.png, images.png), writeImageFile(paths.svg, images.svg)])
  return [paths.png, paths.svg]
}

/** Draws the images of `hc1` now (qrImages) and writes them (writeQrImageFiles). */
export async function writeQrFiles(dir: string, uvci: string, hc1: string): Promise<string[]> {
  return writeQrImageFiles(dir, uvci, qrImages(hc1))
}
