import { describe, expect, it } from 'vitest'
import { runConformance } from '../../src/services/conformance.js'
import { VECTOR_DIR } from '../helpers/vectors.js'

const result = await runConformance(VECTOR_DIR, { now: new Date() })

describe('hcert conformance on the copied EU vectors', () => {
  it('has no unexpected result', () => {
    const failures = result.outcomes.filter((o) => o.status === 'fail')
    expect(failures).toEqual([])
    expect(result.failed).toBe(0)
  })

  it('evaluates thousands of expectations over every vector', () => {
    // 394 from the shared copy, plus LV/1 and ES/502 (signed by certificates marked CA:TRUE)
    expect(result.vectors).toBe(396)
    expect(result.passed).toBeGreaterThan(3500)
  })

  it('counts as known only failures that known_issues.csv lists, each with its reason', () => {
    const known = result.outcomes.filter((o) => o.status === 'known')
    expect(known.length).toBeGreaterThan(0)
    for (const o of known) {
      expect(o.knownIssue).toMatch(
        /^https:\/\/github.com\/eu-digital-green-certificates\/dgc-testdata\/issues\/\d+$/,
      )
      expect(['EXPECTEDSCHEMAVALIDATION', 'EXPECTEDVALIDOBJECT']).toContain(o.expectation)
    }
    // every known failure is in a country the list names
    expect(new Set(known.map((o) => o.file.split('/')[0]))).toEqual(new Set(['NL', 'BG', 'HU', 'RO']))
  })

  it('skips only expectations whose input fields the vector lacks', () => {
    const skipped = result.outcomes.filter((o) => o.status === 'skipped')
    for (const o of skipped) expect(o.reason).toMatch(/^the vector has no /)
  })
})
