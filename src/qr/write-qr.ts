/** QR images of a certificate: PNG and SVG, alphanumeric mode, error correction Q (HCERT 4.2.2). */
import { createHash } from 'node:crypto'
import { mkdir } from 'node:fs/promises'
import { join } from 'node:path'
import QRCode from 'qrcode'
import { writeFileAtomic } from '../fs/atomic-file.js'

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
 * Synchronous, so it may run on a worker thread as well; throws a coded ERR_USAGE on failure.
 */
export function writeQrImage(path: string, data: string | Uint8Array): void {
  writeFileAtomic(path, data, { durable: false })
}

const madeDirs = new Set<string>()

export async function writeQrFiles(dir: string, uvci: string, hc1: string): Promise<string[]> {
  if (!madeDirs.has(dir)) {
    await mkdir(dir, { recursive: true, mode: 0o700 })
    madeDirs.add(dir)
  }
  const segments = [{ data: hc1, mode: 'alphanumeric' as const }]
  const options = { errorCorrectionLevel: 'Q' as const, margin: 4 }
  const { png, svg } = qrFilePaths(dir, uvci)
  const [pngBytes, svgText] = await Promise.all([
    QRCode.toBuffer(segments, { ...options, type: 'png', scale: 4 }),
    QRCode.toString(segments, { ...options, type: 'svg' }),
  ])
  writeQrImage(png, pngBytes)
  writeQrImage(svg, svgText)
  return [png, svg]
}
