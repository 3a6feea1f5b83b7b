/**
 * The DID trust lists the WHO publishes, with their proofs (test/fixtures/gdhcn/who-did, SOURCE.md):
 * hcert's URDNA2015 canonical form of the document and of the proof options is exactly the one the
 * reference JSON-LD processor (jsonld.js with the published contexts) gives; the keys load, the
 * 33-byte coordinates normalised. Their proofs do NOT verify with the WHO DEV signing key, by hcert
 * or by jsonld.js bytes (see README "GDHCN DID trust lists"): this test pins that state, so that a
 * change (a fix, or the WHO's documents) is seen.
 */
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { canonicalNQuads } from '../../src/gdhcn/did-canonical.js'
import { readProofKey, verifyDidProof } from '../../src/gdhcn/did-proof.js'

const DIR = join(import.meta.dirname, '..', 'fixtures', 'gdhcn', 'who-did')
const text = (name: string): string => readFileSync(join(DIR, name), 'utf8')
const json = (name: string): Record<string, unknown> => JSON.parse(text(name)) as Record<string, unknown>

describe.each(['ref-dcc-xxa-dsc', 'embedded-dcc-xxa-dsc'])('the WHO published %s', (name) => {
  const doc = json(`${name}.json`)
  const { proof, ...rest } = doc
  const { jws: _jws, ...options } = proof as Record<string, unknown>

  it('canonicalises exactly as jsonld.js does, document and proof options', () => {
    expect(canonicalNQuads(rest, doc['@context'])).toBe(text(`${name}.document.nq`))
    expect(canonicalNQuads(options, doc['@context'])).toBe(text(`${name}.proof-options.nq`))
  })

  it('its proof does not verify with the WHO DEV signing key: failed, with the possible causes', async () => {
    const key = await readProofKey(join(DIR, 'who-dev-signing-did.json'))
    const outcome = await verifyDidProof(doc, key)
    expect(outcome.status).toBe('failed')
    expect(outcome.status === 'failed' && outcome.reason).toMatch(/canonicalised it otherwise/)
  })
})
