/**
 * The work a large image costs is bounded: measured on the built CLI in a child process, with
 * /usr/bin/time for the peak resident memory and the CPU seconds (wall time on a shared machine
 * says little).
 */
import { spawnSync } from 'node:child_process'
import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { BIN } from '../helpers/cli.js'
import { encodePng, pngBomb, renderQr } from '../helpers/qr-raster.js'
import { vector } from '../helpers/vectors.js'

const TEXT = vector('AT/2DCode/raw/1.json').PREFIX as string
const tmp = mkdtempSync(join(tmpdir(), 'hcert-large-image-'))

function timed(args: string[]): { code: number; stdout: string; cpuSeconds: number; maxRssMb: number } {
  const result = spawnSync('/usr/bin/time', ['-f', 'TIME %U %S %M', process.execPath, BIN, ...args], {
    encoding: 'utf8',
    env: { ...process.env, NO_COLOR: '1' },
  })
  const [user, system, kb] = (/TIME (\S+) (\S+) (\d+)/.exec(result.stderr) ?? []).slice(1).map(Number)
  return {
    code: result.status ?? -1,
    stdout: result.stdout,
    cpuSeconds: (user ?? NaN) + (system ?? NaN),
    maxRssMb: (kb ?? NaN) / 1024,
  }
}

describe('large images answer within bounds', () => {
  it('a 40-megapixel RGB PNG (as costly as any accepted image) is read in a few CPU seconds and under 300 MB', async () => {
    const [width, height] = [8000, 5000]
    const code = renderQr(TEXT, { scale: 24, margin: 4 })
    const path = join(tmp, 'photo-40mp.png')
    writeFileSync(
      path,
      await encodePng(width, height, 3, (y) => {
        const row = new Uint8Array(width * 3).fill(230)
        const cy = y - 1000
        if (cy >= 0 && cy < code.height)
          for (let x = 0; x < code.width; x++)
            row.fill(code.data[cy * code.width + x] as number, (5000 + x) * 3, (5001 + x) * 3)
        return row
      }),
    )
    const run = timed(['decode', path, '--json', '--layers'])
    expect(run.code).toBe(0)
    expect(JSON.parse(run.stdout).layers.image).toMatchObject({ width, height })
    // issue 12 asks for well under 500 MB. stb_image held the 120 MB of pixel data twice over in
    // WebAssembly memory: 390-401 MB. Read row by row into a 10 MP grey image (png-grey.ts): 213 MB
    // (2026-11-30, the same run measured 390 MB before).
    expect(run.maxRssMb).toBeLessThan(300)
    expect(run.cpuSeconds).toBeLessThan(10)
  })

  it('a blank 6000x6000 RGBA PNG (over the 120 MB of samples stb_image may hold) is ERR_QR_NOT_FOUND, read scaled down', async () => {
    const size = 6000
    const path = join(tmp, 'blank-rgba.png')
    writeFileSync(path, await encodePng(size, size, 4, () => new Uint8Array(size * 4).fill(255)))
    const run = timed(['decode', path, '--json'])
    expect(run.code).toBe(3)
    expect(JSON.parse(run.stdout).error).toMatchObject({
      code: 'ERR_QR_NOT_FOUND',
      message: expect.stringMatching(/\(6000x6000, read scaled down to 3000x3000\)/),
    })
    expect(run.maxRssMb).toBeLessThan(300)
  })

  it('a 4-megapixel checkerboard (many false finder patterns) gets ERR_QR_NOT_FOUND in about a second', async () => {
    const path = join(tmp, 'checkerboard.png')
    const size = 2000
    writeFileSync(
      path,
      await encodePng(size, size, 1, (y) =>
        Uint8Array.from({ length: size }, (_, x) => (((x >> 2) + (y >> 2)) % 2 ? 0 : 255)),
      ),
    )
    const run = timed(['decode', path, '--json'])
    expect(run.code).toBe(3)
    expect(JSON.parse(run.stdout).error.code).toBe('ERR_QR_NOT_FOUND')
    expect(run.cpuSeconds).toBeLessThan(5)
  })

  it('a 1.4 MB PNG whose pixel data inflates to 1.38 GB is ERR_IMAGE in well under a second of CPU and 200 MB', async () => {
    const path = join(tmp, 'bomb.png')
    writeFileSync(path, await pngBomb(2000, 2000, 1380 << 20))
    const run = timed(['decode', path, '--json'])
    expect(run.code).toBe(3)
    expect(JSON.parse(run.stdout).error).toMatchObject({
      code: 'ERR_IMAGE',
      message: expect.stringMatching(/inflates to more than the 4002000 bytes its 2000x2000 pixels need/),
    })
    expect(run.maxRssMb).toBeLessThan(200)
    expect(run.cpuSeconds).toBeLessThan(3)
  })
})
