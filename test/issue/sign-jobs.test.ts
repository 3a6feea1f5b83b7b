import { describe, expect, it } from 'vitest'
import { encodeCbor } from '../../src/codec/cbor.js'
import { encodeClaimsAround, encodeClaims, signClaims } from '../../src/hcert/sign-hc1.js'
import { verifyHc1 } from '../../src/hcert/verify-hc1.js'
import { packJobs, signed, unpackJobs, type JobSigner, type SignJob } from '../../src/issue/sign-jobs.js'
import { TrustList } from '../../src/trust/trust-list.js'
import { exampleSigner } from '../helpers/keys.js'
import { RECOVERY, TEST, VACCINATION } from '../helpers/payloads.js'

const JOBS: SignJob[] = [
  { dcc: VACCINATION, claims: { iss: 'VN', iat: 1622592000, exp: 1654128000 } },
  { dcc: TEST, claims: { iat: 1622592000, exp: 1654128000 } },
  { dcc: RECOVERY, claims: { iss: 'AT', iat: 1622592000.5, exp: 2 ** 32 + 1 } },
  { dcc: { ...VACCINATION, nam: { fnt: 'X'.repeat(3000) } }, claims: { iss: 'DE', iat: 1, exp: 2 } },
]

describe('signing jobs as one message for a signing thread', () => {
  it('unpacks to the same CBOR and claims that were packed, in order', () => {
    const message = packJobs(7, JOBS)
    expect(message.id).toBe(7)
    // one buffer of its own, transferable to the thread
    expect(message.dccs.byteOffset).toBe(0)
    expect(message.dccs.buffer.byteLength).toBe(message.dccs.length)
    const unpacked = [...unpackJobs(message)]
    expect(unpacked).toHaveLength(JOBS.length)
    unpacked.forEach(([dcc, claims], i) => {
      const job = JOBS[i] as SignJob
      expect(Buffer.from(dcc)).toEqual(Buffer.from(encodeCbor(job.dcc)))
      expect(claims).toEqual(job.claims)
      // and the thread's encoding of the claims is the one-step encoding
      expect(Buffer.from(encodeClaimsAround(dcc, claims))).toEqual(
        Buffer.from(encodeClaims(job.dcc, job.claims)),
      )
    })
  })

  it('an empty part packs and unpacks to nothing', () => {
    expect([...unpackJobs(packJobs(0, []))]).toEqual([])
  })

  it('what a thread signs from an unpacked job verifies, with the claims it was given', () => {
    const signer = exampleSigner()
    const trust = new TrustList([signer.certificate])
    const [dcc, claims] = [...unpackJobs(packJobs(1, JOBS.slice(0, 1)))][0] as [Uint8Array, SignJob['claims']]
    const { hc1 } = signClaims(encodeClaimsAround(dcc, claims), signer)
    const result = verifyHc1(hc1, { trust, now: new Date(1630000000000) })
    expect(result.valid).toBe(true)
    expect(result.claims).toEqual({ iss: 'VN', iat: 1622592000, exp: 1654128000 })
    expect(result.payload).toEqual(VACCINATION)
  })
})

describe('the main thread signing while it waits for the threads', () => {
  /** a signer whose texts come back once the main thread has signed `parts` parts */
  const sharing = (
    parts: number,
  ): { signer: JobSigner; signing: Promise<string[]>; helped: () => number } => {
    let helped = 0
    let resolve: (texts: string[]) => void = () => undefined
    const signing = new Promise<string[]>((r) => (resolve = r))
    const signer: JobSigner = {
      sign: () => signing,
      writeImages: async () => undefined,
      help: () => {
        if (helped === parts) return false
        helped++
        if (helped === parts) setImmediate(() => resolve(['HC1:A', 'HC1:B']))
        return true
      },
      close: async () => undefined,
    }
    return { signer, signing, helped: () => helped }
  }

  it('signs waiting parts until the texts are back, then stops', async () => {
    const { signer, signing, helped } = sharing(3)
    expect(await signed(signing, signer)).toEqual(['HC1:A', 'HC1:B'])
    expect(helped()).toBe(3)
  })

  it('signs nothing when the texts are already back', async () => {
    const { signer, helped } = sharing(3)
    expect(await signed(Promise.resolve(['HC1:C']), signer)).toEqual(['HC1:C'])
    expect(helped()).toBe(0)
  })

  it('waits when nothing is left to sign, and passes a failure on', async () => {
    const { signer, helped } = sharing(0)
    const failing = new Promise<string[]>((_, reject) =>
      setTimeout(() => reject(new Error('thread died')), 10),
    )
    await expect(signed(failing, signer)).rejects.toThrow('thread died')
    expect(helped()).toBe(0)
  })
})
