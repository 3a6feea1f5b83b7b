/** Codes that are not in the official EU value sets: warnings, as verifier policy decides what to do. */
import { certificateTypes } from './types.js'
import { CODED_FIELDS, isInValueSet } from './valuesets.js'

export interface ValueSetWarning {
  path: string
  message: string
}

/** [field, value set] pairs per entry type, computed once */
const FIELDS = {
  v: Object.entries(CODED_FIELDS.v),
  t: Object.entries(CODED_FIELDS.t),
  r: Object.entries(CODED_FIELDS.r),
} as const

export function checkValueSets(dcc: Record<string, unknown>): ValueSetWarning[] {
  const warnings: ValueSetWarning[] = []
  for (const type of certificateTypes(dcc)) {
    const entries = dcc[type] as unknown[]
    for (let index = 0; index < entries.length; index++) {
      const entry = entries[index]
      if (typeof entry !== 'object' || entry === null) continue
      for (const [field, set] of FIELDS[type]) {
        const value = (entry as Record<string, unknown>)[field]
        if (value === undefined || isInValueSet(set, value)) continue
        warnings.push({
          path: `/${type}/${index}/${field}`,
          message: `/${type}/${index}/${field} '${String(value)}' is not in the value set ${set}`,
        })
      }
    }
  }
  return warnings
}
