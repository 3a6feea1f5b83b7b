import { mkdtempSync, readFileSync, statSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { PNG } from 'pngjs'
import QRCode from 'qrcode'
import { describe, expect, it } from 'vitest'
import { signHc1 } from '../../src/hcert/sign-hc1.js'
import { qrMatrix, type QrMatrix } from '../../src/qr/qr-matrix.js'
import { qrPng } from '../../src/qr/qr-png.js'
import { qrSvg } from '../../src/qr/qr-svg.js'
import { MARGIN, PNG_SCALE, qrImages, writeQrFiles } from '../../src/qr/write-qr.js'
import { fromBytes } from '../../src/services/read-input.js'
import { exampleSigner } from '../helpers/keys.js'
import { EXP, IAT, VACCINATION } from '../helpers/payloads.js'
import { seeded } from '../helpers/random.js'

const ALPHANUMERIC = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ $%*+-./:'

/** the symbol the qrcode library makes, mask chosen by it: what hcert 0.1 wrote */
function librarySymbol(text: string): { mask: number; modules: Uint8Array } {
  const symbol = QRCode.create([{ data: text, mode: 'alphanumeric' }], { errorCorrectionLevel: 'Q' })
  return { mask: symbol.maskPattern as number, modules: Uint8Array.from(symbol.modules.data) }
}

/** a real certificate, its family name padded with `padding` letters that compress little */
function certificate(alg: 'ES256' | 'PS256', padding = 0): string {
  const next = seeded(padding)
  let fnt = 'X'
  for (let i = 0; i < padding; i++) fnt += String.fromCharCode(65 + next(26))
  const dcc = { ...VACCINATION, nam: { ...VACCINATION.nam, fnt } }
  return signHc1(dcc, { iss: 'AT', iat: IAT, exp: EXP }, exampleSigner(alg)).hc1
}

/** The module grid an SVG's path draws (each run `M x y.5hN` / `m dx 0hN`), without the quiet zone. */
function svgModules(svg: string, size: number): Uint8Array {
  const grid = new Uint8Array(size * size)
  const d = /<path stroke="#000000" d="([^"]*)"\/>/.exec(svg)?.[1] ?? ''
  let x = 0
  let y = 0
  for (const [, cmd, a, b] of d.matchAll(/([Mmh])(\d+(?:\.5)?)(?: (\d+(?:\.5)?))?/g)) {
    if (cmd === 'M') [x, y] = [Number(a), Number(b) - 0.5]
    else if (cmd === 'm') x += Number(a)
    else {
      for (let k = 0; k < Number(a); k++) grid[(y - MARGIN) * size + (x + k - MARGIN)] = 1
      x += Number(a)
    }
  }
  return grid
}

/** The module grid a PNG shows: the pixel at each module's centre, dark or light. */
function pngModules(png: Buffer, size: number): { side: number; grid: Uint8Array; greys: Set<number> } {
  const image = PNG.sync.read(png)
  const grid = new Uint8Array(size * size)
  const greys = new Set<number>()
  for (let i = 0; i < image.data.length; i += 4) greys.add(image.data[i] as number)
  for (let row = 0; row < size; row++) {
    for (let col = 0; col < size; col++) {
      // every pixel of the module, not only one
      const values = new Set<number>()
      for (let dy = 0; dy < PNG_SCALE; dy++)
        for (let dx = 0; dx < PNG_SCALE; dx++) {
          const x = (col + MARGIN) * PNG_SCALE + dx
          const y = (row + MARGIN) * PNG_SCALE + dy
          values.add(image.data[(y * image.width + x) * 4] as number)
        }
      expect(values.size).toBe(1)
      grid[row * size + col] = values.has(0) ? 1 : 0
    }
  }
  return { side: image.width, grid, greys }
}

describe('the QR symbol of an HC1 text', () => {
  it('is the qrcode library’s symbol, mask included, for texts of every length up to the largest alphanumeric Q symbol', () => {
    const next = seeded(11)
    const masks = new Set<number>()
    // lengths spread over versions 1-40; 2,420 characters is version 40's capacity at Q
    const lengths = [1, 2, 10, 30, 31, 100, 400, 520, 700, 1000, 1500, 2000, 2419, 2420]
    for (let n = 0; n < 60; n++) lengths.push(1 + next(1200))
    for (const length of lengths) {
      let text = ''
      for (let i = 0; i < length; i++) text += ALPHANUMERIC[next(ALPHANUMERIC.length)]
      const mine = qrMatrix(text)
      const theirs = librarySymbol(text)
      expect(mine.mask).toBe(theirs.mask)
      expect(Buffer.from(mine.modules).equals(Buffer.from(theirs.modules))).toBe(true)
      masks.add(mine.mask)
    }
    expect([...masks].sort()).toEqual([0, 1, 2, 3, 4, 5, 6, 7])
  })

  it('is the library’s symbol for every length from 1 to 320 characters (each padding and terminator case of versions 1-10)', () => {
    const next = seeded(12)
    for (let length = 1; length <= 320; length++) {
      let text = ''
      for (let i = 0; i < length; i++) text += ALPHANUMERIC[next(ALPHANUMERIC.length)]
      const mine = qrMatrix(text)
      const theirs = librarySymbol(text)
      expect(mine.mask).toBe(theirs.mask)
      expect(Buffer.from(mine.modules).equals(Buffer.from(theirs.modules))).toBe(true)
    }
  })

  it('refuses a character outside the alphanumeric set', () => {
    expect(() => qrMatrix('HC1:abc')).toThrow(/alphanumeric/)
  })

  it('refuses what an alphanumeric Q symbol cannot hold, as the library does', () => {
    expect(() => qrMatrix('A'.repeat(2421))).toThrow(/too big/)
  })
})

describe('the PNG and the SVG of a certificate', () => {
  const cases: Array<[string, string]> = [
    ['ES256 (~510 characters, version 17)', certificate('ES256')],
    ['PS256 (~800 characters, version 22)', certificate('PS256')],
    ['ES256, a long name (~1,400 characters, version 30)', certificate('ES256', 800)],
    ['PS256, near the largest (~2,360 of 2,420 characters, version 40)', certificate('PS256', 1400)],
  ]

  it.each(cases)(
    '%s: the PNG scans back to the HC1 text, and shows the symbol module for module',
    async (_, hc1) => {
      const { png } = qrImages(hc1)
      const matrix = qrMatrix(hc1)
      expect((await fromBytes(png, 'cert.png')).text).toBe(hc1)
      const shown = pngModules(png, matrix.size)
      expect(shown.side).toBe((matrix.size + 2 * MARGIN) * PNG_SCALE)
      expect(Buffer.from(shown.grid).equals(Buffer.from(matrix.modules))).toBe(true)
      // black on white only; the quiet zone white
      expect([...shown.greys].sort((a, b) => a - b)).toEqual([0, 255])
      // 1-bit greyscale
      expect([png[24], png[25]]).toEqual([1, 0])
    },
  )

  it.each(cases)(
    '%s: the SVG is the document the qrcode library writes, and draws the same symbol',
    async (_, hc1) => {
      const svg = qrImages(hc1).svg.toString('latin1')
      const matrix = qrMatrix(hc1)
      const side = matrix.size + 2 * MARGIN
      expect(svg).toMatch(
        new RegExp(
          `^<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${side} ${side}" shape-rendering="crispEdges">` +
            `<path fill="#ffffff" d="M0 0h${side}v${side}H0z"/><path stroke="#000000" d="[Mmh0-9. ]+"/></svg>\\n$`,
        ),
      )
      expect(Buffer.from(svgModules(svg, matrix.size)).equals(Buffer.from(matrix.modules))).toBe(true)
      const library = await QRCode.toString([{ data: hc1, mode: 'alphanumeric' }], {
        errorCorrectionLevel: 'Q',
        margin: MARGIN,
        type: 'svg',
      })
      expect(svg).toBe(library)
    },
  )

  it('encodes the matrix it is given: a PNG of any scale and margin has its pixels where the modules are', () => {
    const matrix: QrMatrix = {
      size: 3,
      version: 1,
      mask: 0,
      modules: Uint8Array.from([1, 0, 1, 0, 1, 0, 1, 1, 0]),
    }
    const image = PNG.sync.read(qrPng(matrix, 3, 1))
    expect(image.width).toBe(15)
    const dark = (x: number, y: number): boolean => image.data[(y * 15 + x) * 4] === 0
    expect(dark(3, 3) && dark(5, 5) && !dark(6, 3) && dark(6, 9) && !dark(12, 9) && !dark(0, 0)).toBe(true)
    expect(qrSvg(matrix, 1).toString('latin1')).toContain('d="M1 1.5h1m1 0h1M2 2.5h1M1 3.5h2"')
  })
})

describe('writing the image files', () => {
  it('writes <UVCI>.png and .svg, 0600, in a folder made 0700', async () => {
    const dir = join(mkdtempSync(join(tmpdir(), 'hcert-qr-')), 'made')
    const hc1 = certificate('ES256')
    const files = await writeQrFiles(dir, 'URN:UVCI:01:AT:ABC/123#X', hc1)
    expect(files).toEqual([
      join(dir, 'URN_UVCI_01_AT_ABC%2F123%23X.png'),
      join(dir, 'URN_UVCI_01_AT_ABC%2F123%23X.svg'),
    ])
    expect(statSync(dir).mode & 0o777).toBe(0o700)
    for (const file of files) expect(statSync(file).mode & 0o777).toBe(0o600)
    expect((await fromBytes(readFileSync(files[0] as string), 'x.png')).text).toBe(hc1)
    expect(readFileSync(files[1] as string).equals(qrImages(hc1).svg)).toBe(true)
  })
})
