/** kid = the first 8 bytes of the SHA-256 of the DER-encoded document signer certificate (HCERT App. A.1). */
import { createHash } from 'node:crypto'

export function computeKid(certificateDer: Uint8Array): Uint8Array {
  return new Uint8Array(createHash('sha256').update(certificateDer).digest().subarray(0, 8))
}
