/** `hcert conformance`: every vector under a folder, compared with its EXPECTED* results. */
import { existsSync, statSync } from 'node:fs'
import { basename, join, relative, sep } from 'node:path'
import { findKnownIssue, parseKnownIssues, type KnownIssue } from '../conformance/known-issues.js'
import { runVector } from '../conformance/run-vector.js'
import { checkVectorShape } from '../conformance/vector-shape.js'
import type { Expectation, TestVector } from '../conformance/vector.js'
import { DccError } from '../errors.js'
import { NotReadableFile, readRegularFileSync } from '../fs/read-regular-file.js'
import { findFiles } from './find-files.js'
import { jsonTooDeep, MAX_JSON_DEPTH } from '../codec/json-depth.js'

/** A test vector (a JSON file of one certificate) or a known-issues file is a few KB; larger ones are refused unread. */
const MAX_VECTOR_BYTES = 16 * 1024 * 1024

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

/**
 * Runs every vector file (JSON with EXPECTEDRESULTS) under `dir`.
 * Errors: ERR_USAGE (exit 2) when `dir` is not a readable folder, holds no vector, or the
 * known-issues file is missing, unreadable or malformed.
 */
export async function runConformance(
  dir: string,
  options: { knownIssuesFile?: string; now: Date },
): Promise<ConformanceResult> {
  const stat = statSync(dir, { throwIfNoEntry: false })
  if (!stat)
    throw new DccError('ERR_USAGE', `conformance: ${dir} does not exist; give the folder of test vectors`)
  if (!stat.isDirectory())
    throw new DccError(
      'ERR_USAGE',
      `conformance: ${dir} is ${stat.isFile() ? 'a file' : 'not a regular folder'}, not a folder of test vectors; give the folder (it is searched recursively)`,
    )
  const knownFile =
    options.knownIssuesFile ??
    (existsSync(join(dir, 'known_issues.csv')) ? join(dir, 'known_issues.csv') : undefined)
  const known = knownFile ? readKnownIssues(knownFile) : []
  const result: ConformanceResult = {
    dir,
    vectors: 0,
    passed: 0,
    failed: 0,
    known: 0,
    skipped: 0,
    outcomes: [],
  }
  /** A vector file that cannot be run counts as one failed expectation, with the reason. */
  const failVector = (file: string, reason: string): void => {
    result.failed++
    result.outcomes.push({
      file,
      expectation: 'EXPECTEDDECODE',
      expected: true,
      got: false,
      status: 'fail',
      reason,
    })
  }
  for (const path of findFiles(dir, (name) => name.endsWith('.json'))) {
    const file = relative(dir, path)
    let vector: TestVector
    try {
      vector = JSON.parse(readRegularFileSync(path, MAX_VECTOR_BYTES).toString('utf8')) as TestVector
    } catch (err) {
      failVector(
        file,
        err instanceof SyntaxError
          ? `not valid JSON (${err.message})`
          : err instanceof NotReadableFile
            ? `not readable (${err.reason === 'too-large' ? `${err.size} bytes, more than the ${MAX_VECTOR_BYTES} a vector may have` : `a ${err.kind}`})`
            : `not readable (${(err as NodeJS.ErrnoException).code ?? 'error'})`,
      )
      continue
    }
    if (jsonTooDeep(vector)) {
      failVector(file, `not readable (JSON nesting more than ${MAX_JSON_DEPTH} levels deep)`)
      continue
    }
    if (typeof vector !== 'object' || vector === null || !vector.EXPECTEDRESULTS) continue
    result.vectors++
    const country = file.split(sep)[0] ?? ''
    const testSet = basename(file, '.json')
    let outcomes: Awaited<ReturnType<typeof runVector>>
    try {
      checkVectorShape(vector)
      outcomes = await runVector(vector, options.now)
    } catch (err) {
      // a vector whose fields have the wrong types (PREFIX: null, COSE: {} …) fails alone
      failVector(
        file,
        `not a well-formed test vector (${err instanceof DccError ? err.message : 'a field of the wrong type'})`,
      )
      continue
    }
    for (const outcome of outcomes) {
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
  if (result.vectors === 0 && result.failed === 0)
    throw new DccError(
      'ERR_USAGE',
      `conformance: ${dir} holds no test vectors (JSON files with EXPECTEDRESULTS, as in dgc-testdata), in it or its subfolders`,
    )
  return result
}

function readKnownIssues(file: string): KnownIssue[] {
  let text: string
  try {
    text = readRegularFileSync(file, MAX_VECTOR_BYTES).toString('utf8')
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code
    const why =
      err instanceof NotReadableFile
        ? err.reason === 'too-large'
          ? `is ${err.size} bytes, more than the ${MAX_VECTOR_BYTES} accepted`
          : `is a ${err.kind}, not a file`
        : code === 'ENOENT'
          ? 'does not exist'
          : code === 'EISDIR'
            ? 'is a folder'
            : `cannot be read (${code})`
    throw new DccError('ERR_USAGE', `conformance: known-issues file ${file} ${why}`, { cause: err })
  }
  return parseKnownIssues(text, file)
}
