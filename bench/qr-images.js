// QR images decoded per second on the EU vectors' 2DCODE pictures: the jsqr reader hcert had before
// (bench/jsqr-reader.js) and ZXing (dist/qr/read-qr-image.js), side by side in one run.
// Standalone: node bench/qr-images.js [--quick]   (after npm run build)
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'
import { readQrImage } from '../dist/qr/read-qr-image.js'
import { findFiles } from '../dist/services/find-files.js'
import { readWithJsqr } from './jsqr-reader.js'

/** Every 2DCODE picture under test/fixtures/dgc-testdata, with the PREFIX it should read as. */
function vectorImages(root) {
  const dir = join(root, 'test', 'fixtures', 'dgc-testdata')
  const images = []
  for (const path of findFiles(dir, (name) => name.endsWith('.json'))) {
    const vector = JSON.parse(readFileSync(path, 'utf8'))
    if (typeof vector['2DCODE'] === 'string')
      images.push({ bytes: new Uint8Array(Buffer.from(vector['2DCODE'], 'base64')), text: vector.PREFIX })
  }
  return images
}

/** Images a second over about `seconds` (whole passes, at least one), and how many read as PREFIX. */
async function measure(images, read, seconds) {
  let n = 0
  let right = 0
  const start = performance.now()
  do {
    for (const image of images) {
      const text = await read(image.bytes)
      if (n < images.length && text !== undefined && (image.text === undefined || text === image.text))
        right++
      n++
    }
  } while (performance.now() - start < seconds * 1000)
  return { rate: n / ((performance.now() - start) / 1000), right }
}

export async function qrImageBench(root, seconds) {
  const images = vectorImages(root)
  const zxing = async (bytes) => {
    try {
      return (await readQrImage(bytes, 'png', 'bench')).text
    } catch {
      return undefined
    }
  }
  await zxing(images[0].bytes) // compile the module once, as a run of hcert does
  const before = await measure(images, readWithJsqr, seconds)
  const after = await measure(images, zxing, seconds)
  console.log(`QR images: the ${images.length} 2DCODE pictures of the EU vectors (PNG), one thread`)
  console.log(
    `  before, jsqr + pngjs      ${before.rate.toFixed(0).padStart(5)} images/s, ${before.right}/${images.length} read as PREFIX`,
  )
  console.log(
    `  after, ZXing (zxing-wasm) ${after.rate.toFixed(0).padStart(5)} images/s, ${after.right}/${images.length} read as PREFIX  ${(after.rate / before.rate).toFixed(1)}x\n`,
  )
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  await qrImageBench(
    join(fileURLToPath(import.meta.url), '..', '..'),
    process.argv.includes('--quick') ? 1 : 3,
  )
}
