/** A signing thread for `hcert issue`: loads the document signer once, then signs chunk after chunk. */
import { parentPort, workerData } from 'node:worker_threads'
import { encodeClaimsAround, signClaims } from '../hcert/sign-hc1.js'
import { loadSigner } from '../services/key-dir.js'
import { unpackJobs, type SignerSource, type SignMessage } from './sign-jobs.js'

const source = workerData as SignerSource
const signer = loadSigner(source.dir, source.passphrase)

parentPort?.on('message', (message: SignMessage) => {
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
