/**
 * A signing thread for `hcert issue`: loads the document signer once, then signs part after part;
 * with --qr-dir it also draws the QR images of certificates the ledger holds (ImageMessage), which the
 * main thread writes (so that every temporary file is its own to remove on an interrupt).
 */
import { parentPort, workerData } from 'node:worker_threads'
import { encodeClaimsAround, signClaims } from '../hcert/sign-hc1.js'
import { qrWriter } from '../qr/load-qr-writer.js'
import { loadSigner } from '../services/key-dir.js'
import {
  packImages,
  unpackJobs,
  type ImageMessage,
  type SignerSource,
  type SignMessage,
} from './sign-jobs.js'

const source = workerData as SignerSource
const signer = loadSigner(source.dir, source.passphrase, source.pin)

async function drawImages(message: ImageMessage): Promise<void> {
  try {
    const { qrImages } = await qrWriter()
    const drawn = packImages(message.hc1s.map((hc1) => qrImages(hc1)))
    parentPort?.postMessage({ id: message.id, drawn }, [drawn.bytes.buffer])
  } catch (err) {
    const { message: error, code } = err as Error & { code?: string }
    parentPort?.postMessage({ id: message.id, error, code })
  }
}

parentPort?.on('message', (message: SignMessage | ImageMessage) => {
  if ('hc1s' in message) {
    void drawImages(message)
    return
  }
  try {
    const started = performance.now()
    const hc1: string[] = []
    for (const [dcc, claims] of unpackJobs(message))
      hc1.push(signClaims(encodeClaimsAround(dcc, claims), signer).hc1)
    // how long the part took tells the main thread how many parts to give ahead
    parentPort?.postMessage({ id: message.id, hc1, ms: performance.now() - started })
  } catch (err) {
    parentPort?.postMessage({ id: message.id, error: (err as Error).message })
  }
})
