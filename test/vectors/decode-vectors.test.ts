/**
 * Every copied EU vector that sets a decode expectation gives the expected outcome through the public
 * decode path: the string path (decodeHc1 and its layers) and, for 2DCODE, the image path.
 */
import { describe, expect, it } from 'vitest'
import { runVector } from '../../src/conformance/run-vector.js'
import type { Expectation } from '../../src/conformance/vector.js'
import { loadVectors } from '../helpers/vectors.js'

const DECODE_EXPECTATIONS: readonly Expectation[] = [
  'EXPECTEDUNPREFIX',
  'EXPECTEDB45DECODE',
  'EXPECTEDCOMPRESSION',
  'EXPECTEDDECODE',
  'EXPECTEDVALIDJSON',
  'EXPECTEDPICTUREDECODE',
]

/**
 * known_issues.csv entries that touch these expectations. The upstream list names only schema,
 * verification, expiration and key-usage issues plus FR 'test_pcr_ok' (test_cose_json,
 * test_cbor_json), a vector that is not in this copy; none applies here.
 */
const KNOWN: ReadonlyArray<{ vector: string; expectation: Expectation; reason: string }> = []

const vectors = loadVectors().filter(({ vector }) =>
  DECODE_EXPECTATIONS.some((e) => typeof vector.EXPECTEDRESULTS?.[e] === 'boolean'),
)

describe('EU test vectors: decode expectations', () => {
  it('covers the copied vectors', () => {
    expect(vectors.length).toBeGreaterThan(350)
  })

  it.each(vectors.map((v) => [v.name, v] as const))('%s', async (_name, { name, vector }) => {
    const outcomes = (await runVector(vector, new Date())).filter((o) =>
      DECODE_EXPECTATIONS.includes(o.expectation),
    )
    for (const outcome of outcomes) {
      if (outcome.got === null) continue // the vector lacks the fields this step reads (e.g. no COMPRESSED)
      if (KNOWN.some((k) => k.vector === name && k.expectation === outcome.expectation)) continue
      expect({ expectation: outcome.expectation, got: outcome.got, reason: outcome.reason }).toMatchObject({
        expectation: outcome.expectation,
        got: outcome.expected,
      })
    }
  })
})
