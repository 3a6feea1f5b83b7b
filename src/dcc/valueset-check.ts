/** Codes that are not in the official EU value sets: warnings, as verifier policy decides what to do. */
import { certificateTypes } from './types.js'
import { CODED_FIELDS, isInValueSet, type ValueSetName } from './valuesets.js'

export interface ValueSetWarning {
  path: string
  message: string
}

/** The coded fields of each entry type and their value sets, as parallel arrays computed once */
const FIELDS = {
  v: Object.keys(CODED_FIELDS.v),
  t: Object.keys(CODED_FIELDS.t),
  r: Object.keys(CODED_FIELDS.r),
}
const SETS = {
  v: Object.values(CODED_FIELDS.v),
  t: Object.values(CODED_FIELDS.t),
  r: Object.values(CODED_FIELDS.r),
}

export function checkValueSets(dcc: Record<string, unknown>): ValueSetWarning[] {
  const warnings: ValueSetWarning[] = []
  for (const type of certificateTypes(dcc)) {
    const entries = dcc[type] as unknown[]
    for (let index = 0; index < entries.length; index++) {
      const entry = entries[index]
      if (typeof entry !== 'object' || entry === null) continue
      const fields = FIELDS[type]
      const sets = SETS[type]
      for (let f = 0; f < fields.length; f++) {
        const field = fields[f] as string
        const set = sets[f] as ValueSetName
        const value = (entry as Record<string, unknown>)[field]
        if (value === undefined || isInValueSet(set, value)) continue
        warnings.push({
          path: `/${type}/${index}/${field}`,
          message: `/${type}/${index}/${field} ${quoted(value)} is not in the value set ${set}`,
        })
      }
    }
  }
  return warnings
}

/**
 * The value, quoted when it has the shape of a code (value set codes are letters, digits and a few
 * marks, under 40 characters: `EU/1/20/1528`, `LP6464-4`, `840539006`); otherwise what it is, as
 * the field may hold anything, holder text or terminal controls included.
 */
function quoted(value: unknown): string {
  if (typeof value === 'object' && value !== null)
    return `(${Array.isArray(value) ? 'an array' : 'an object'})`
  if (typeof value === 'string' && !CODE_SHAPE.test(value))
    return `(a text of ${value.length} characters, not a code)`
  return `'${String(value)}'`
}

// no space: a value set code has none, and a space lets a name and a date of birth through
const CODE_SHAPE = /^[A-Za-z0-9][A-Za-z0-9./_+:-]{0,39}$/
