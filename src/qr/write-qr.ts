/** QR images of a certificate: PNG and SVG, alphanumeric mode, error correction Q (HCERT 4.2.2). */
import { mkdir, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import QRCode from 'qrcode'

/** A UVCI as a file name: `URN:UVCI:01:VN:MOH/ABC#X` → `URN_UVCI_01_VN_MOH_ABC_X`. */
export function fileNameFor(uvci: string): string {
  return uvci.replace(/[^A-Za-z0-9-]+/g, '_')
}

const madeDirs = new Set<string>()

export async function writeQrFiles(dir: string, uvci: string, hc1: string): Promise<string[]> {
  if (!madeDirs.has(dir)) {
    await mkdir(dir, { recursive: true, mode: 0o700 })
    madeDirs.add(dir)
  }
  const segments = [{ data: hc1, mode: 'alphanumeric' as const }]
  const options = { errorCorrectionLevel: 'Q' as const, margin: 4 }
  const base = join(dir, fileNameFor(uvci))
  const svg = await QRCode.toString(segments, { ...options, type: 'svg' })
  await Promise.all([
    QRCode.toFile(`${base}.png`, segments, { ...options, type: 'png', scale: 4 }),
    writeFile(`${base}.svg`, svg),
  ])
  return [`${base}.png`, `${base}.svg`]
}
