/**
 * ZXing-C++ (zxing-wasm) with its WebAssembly binary read from the installed package, never fetched:
 * the package's default would download it from a CDN at run time.
 */
import { readFile } from 'node:fs/promises'
import { fileURLToPath } from 'node:url'
import { prepareZXingModule, readBarcodes, type ReaderOptions, type ReadResult } from 'zxing-wasm/reader'

let ready: Promise<unknown> | undefined

/** The path of zxing_reader.wasm in the installed zxing-wasm, wherever hcert itself is installed. */
export function readerWasmPath(): string {
  return fileURLToPath(import.meta.resolve('zxing-wasm/reader/zxing_reader.wasm'))
}

async function load(): Promise<void> {
  const path = readerWasmPath()
  const bytes = await readFile(path)
  const wasmBinary = bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength)
  await prepareZXingModule({
    // locateFile too, so that nothing the module looks up can point at the network
    overrides: { wasmBinary, locateFile: (name: string) => (name.endsWith('.wasm') ? path : name) },
    fireImmediately: true,
  })
}

/**
 * ZXing's readBarcodes, once its module is compiled (~30 ms, the first time): on PNG/JPEG file bytes
 * (decoded by ZXing's own stb_image) or RGBA pixels. A module that cannot load is a broken install,
 * not a bad image: that error is passed on as it is.
 */
export async function zxingReader(): Promise<
  (input: Uint8Array, options: ReaderOptions) => Promise<ReadResult[]>
> {
  ready ??= load()
  await ready
  return readBarcodes
}
