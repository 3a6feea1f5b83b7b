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
          message: `/${type}/${index}/${field} ${shape(value)} is not in the value set ${set}`,
        })
      }
    }
  }
  return warnings
}

/**
 * What the value is, never the value itself: a coded field may hold anything, a holder's name or
 * date of birth included (`'1977-07-07'` has the shape of a code), so only its kind and length are
 * named (`(a text of 7 characters)`, `(a number)`, `(an array)`).
 */
function shape(value: unknown): string {
  if (Array.isArray(value)) return '(an array)'
  if (value === null) return '(null)'
  if (typeof value === 'object') return '(an object)'
  if (typeof value === 'string')
    return `(a text of ${value.length} characters${CODE_SHAPE.test(value) ? '' : ', not a code'})`
  return `(a ${typeof value})`
}

// no space: a value set code has none, and a space lets a name and a date of birth through
const CODE_SHAPE = /^[A-Za-z0-9][A-Za-z0-9./_+:-]{0,39}$/
