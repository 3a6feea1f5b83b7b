/**
 * Expected failures, in the format of dgc-testdata's known_issues.csv:
 * `test_name,country,test_set,reason`, where test_name is the reference harness's test (or an
 * EXPECTED* name, or empty for every expectation), country the top folder, test_set the file name
 * without `.json` (empty for the whole country).
 */
import { DccError } from '../errors.js'
import { EXPECTATIONS, HARNESS_TEST_NAMES, type Expectation } from './vector.js'

export interface KnownIssue {
  expectations: readonly Expectation[]
  country: string
  testSet: string
  reason: string
}

/** EXPECTEDVALIDOBJECT applies the same schema to the JSON field, so a schema finding covers both. */
const ALSO_COVERS: Partial<Record<Expectation, Expectation>> = {
  EXPECTEDSCHEMAVALIDATION: 'EXPECTEDVALIDOBJECT',
}

export function parseKnownIssues(text: string, origin: string): KnownIssue[] {
  const lines = text.split(/\r?\n/).filter((line) => line.trim() !== '')
  const header = lines
    .shift()
    ?.split(',')
    .map((h) => h.trim())
  if (!header || header.join(',') !== 'test_name,country,test_set,reason') {
    throw new DccError('ERR_USAGE', `${origin}: the first line must be 'test_name,country,test_set,reason'`)
  }
  return lines.map((line, i) => {
    const [testName = '', country = '', testSet = '', ...rest] = line.split(',')
    const name = testName.trim()
    let expectations: Expectation[]
    if (name === '') expectations = [...EXPECTATIONS]
    else if ((EXPECTATIONS as readonly string[]).includes(name)) expectations = [name as Expectation]
    else if (HARNESS_TEST_NAMES[name]) expectations = [...HARNESS_TEST_NAMES[name]]
    else throw new DccError('ERR_USAGE', `${origin} line ${i + 2}: unknown test name '${name}'`)
    for (const e of [...expectations]) {
      const also = ALSO_COVERS[e]
      if (also) expectations.push(also)
    }
    return { expectations, country: country.trim(), testSet: testSet.trim(), reason: rest.join(',').trim() }
  })
}

export function findKnownIssue(
  issues: readonly KnownIssue[],
  expectation: Expectation,
  country: string,
  testSet: string,
): KnownIssue | undefined {
  return issues.find(
    (issue) =>
      issue.expectations.includes(expectation) &&
      issue.country === country &&
      (issue.testSet === '' || issue.testSet === testSet),
  )
}
