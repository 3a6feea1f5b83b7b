/** `hcert conformance`: every vector under a folder, compared with its EXPECTED* results. */
import { existsSync, readFileSync, statSync } from 'node:fs'
import { basename, join, relative, sep } from 'node:path'
import { findKnownIssue, parseKnownIssues, type KnownIssue } from '../conformance/known-issues.js'
import { runVector } from '../conformance/run-vector.js'
import type { Expectation, TestVector } from '../conformance/vector.js'
import { DccError } from '../errors.js'
import { findFiles } from './find-files.js'

export type OutcomeStatus = 'pass' | 'fail' | 'known' | 'skipped'

export interface VectorOutcome {
  file: string
  expectation: Expectation
  expected: boolean
  got: boolean | null
  status: OutcomeStatus
  reason: string
  knownIssue?: string
}

export interface ConformanceResult {
  dir: string
  vectors: number
  passed: number
  failed: number
  known: number
  skipped: number
  /** every outcome that is not a plain pass */
  outcomes: VectorOutcome[]
}

export async function runConformance(
  dir: string,
  options: { knownIssuesFile?: string; now: Date },
): Promise<ConformanceResult> {
  if (!existsSync(dir) || !statSync(dir).isDirectory())
    throw new DccError('ERR_USAGE', `conformance: ${dir} is not a directory`)
  const knownFile =
    options.knownIssuesFile ??
    (existsSync(join(dir, 'known_issues.csv')) ? join(dir, 'known_issues.csv') : undefined)
  let known: KnownIssue[] = []
  if (knownFile) {
    if (!existsSync(knownFile))
      throw new DccError('ERR_USAGE', `conformance: known-issues file ${knownFile} does not exist`)
    known = parseKnownIssues(readFileSync(knownFile, 'utf8'), knownFile)
  }
  const result: ConformanceResult = {
    dir,
    vectors: 0,
    passed: 0,
    failed: 0,
    known: 0,
    skipped: 0,
    outcomes: [],
  }
  for (const path of findFiles(dir, (name) => name.endsWith('.json'))) {
    const file = relative(dir, path)
    let vector: TestVector
    try {
      vector = JSON.parse(readFileSync(path, 'utf8')) as TestVector
    } catch (err) {
      result.failed++
      result.outcomes.push({
        file,
        expectation: 'EXPECTEDDECODE',
        expected: true,
        got: false,
        status: 'fail',
        reason: `not valid JSON (${(err as Error).message})`,
      })
      continue
    }
    if (typeof vector !== 'object' || vector === null || !vector.EXPECTEDRESULTS) continue
    result.vectors++
    const country = file.split(sep)[0] ?? ''
    const testSet = basename(file, '.json')
    for (const outcome of await runVector(vector, options.now)) {
      let status: OutcomeStatus =
        outcome.got === null ? 'skipped' : outcome.got === outcome.expected ? 'pass' : 'fail'
      const issue =
        status === 'fail' ? findKnownIssue(known, outcome.expectation, country, testSet) : undefined
      if (issue) status = 'known'
      result[status === 'pass' ? 'passed' : status === 'fail' ? 'failed' : status]++
      if (status !== 'pass')
        result.outcomes.push({ file, ...outcome, status, ...(issue ? { knownIssue: issue.reason } : {}) })
    }
  }
  return result
}
