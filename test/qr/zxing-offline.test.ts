import { existsSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'

const original = globalThis.fetch

describe('the QR reader offline', () => {
  afterEach(() => {
    globalThis.fetch = original
  })

  it("loads ZXing's .wasm from the installed zxing-wasm package and fetches nothing", async () => {
    const fetched: string[] = []
    globalThis.fetch = (input: string | URL | Request) => {
      fetched.push(String(input instanceof Request ? input.url : input))
      return Promise.reject(new Error('the network is blocked in this test'))
    }
    // imported here, so that the module loads with the network blocked
    const { readQrImage } = await import('../../src/qr/read-qr-image.js')
    const { readerWasmPath } = await import('../../src/qr/zxing.js')
    const png = readFileSync(join(import.meta.dirname, '..', 'fixtures', 'bug09a-qr-trailing-newline.png'))
    expect((await readQrImage(png, 'png', 'bug09a')).text).toMatch(/^HC1:/)
    expect(fetched).toEqual([])
    expect(readerWasmPath()).toMatch(/zxing-wasm[\\/]dist[\\/]reader[\\/]zxing_reader\.wasm$/)
    expect(existsSync(readerWasmPath())).toBe(true)
  })
})
