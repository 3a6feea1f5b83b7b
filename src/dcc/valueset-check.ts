/** Codes that are not in the official EU value sets: warnings, as verifier policy decides what to do. */
import { certificateTypes } from './types.js'
import { CODED_FIELDS, displayName } from './valuesets.js'

export interface ValueSetWarning {
  path: string
  message: string
}

export function checkValueSets(dcc: Record<string, unknown>): ValueSetWarning[] {
  const warnings: ValueSetWarning[] = []
  for (const type of certificateTypes(dcc)) {
    ;(dcc[type] as unknown[]).forEach((entry, index) => {
      if (typeof entry !== 'object' || entry === null) return
      for (const [field, set] of Object.entries(CODED_FIELDS[type])) {
        const value = (entry as Record<string, unknown>)[field]
        if (value === undefined) continue
        if (displayName(set, value) === undefined) {
          warnings.push({
            path: `/${type}/${index}/${field}`,
            message: `/${type}/${index}/${field} '${String(value)}' is not in the value set ${set}`,
          })
        }
      }
    })
  }
  return warnings
}
