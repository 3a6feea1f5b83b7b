/**
 * A signing thread for `hcert issue`: loads the document signer once, then signs part after part;
 * with --qr-dir it also draws and writes the QR images of certificates the ledger holds (ImageMessage),
 * through a gate the main thread stops before it exits (so that no temporary file is left).
 */
import { parentPort, workerData } from 'node:worker_threads'
import { encodeClaimsAround, signClaims } from '../hcert/sign-hc1.js'
import { qrWriter } from '../qr/load-qr-writer.js'
import { loadSigner } from '../services/key-dir.js'
import { unpackJobs, type ImageMessage, type SignerSource, type SignMessage } from './sign-jobs.js'

const source = workerData as SignerSource & { gate: Int32Array }
const signer = loadSigner(source.dir, source.passphrase, source.pin)

async function drawImages(message: ImageMessage): Promise<void> {
  try {
    const { writeQrFilesSync } = await qrWriter()
    message.hc1s.forEach((hc1, i) =>
      writeQrFilesSync(message.dir, message.uvcis[i] as string, hc1, source.gate),
    )
    parentPort?.postMessage({ id: message.id, written: true })
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
