/**
 * Display names for the codes WHO payloads carry (data/gdhcn/who-codes.json: ICD-11 codes and ICVP
 * product ids from the WHO smart-icvp value sets, CC BY-NC-SA 3.0 IGO, with attribution there);
 * SNOMED CT codes and EU product ids are named from the EU DCC value sets (data/valuesets).
 */
import { readFileSync } from 'node:fs'
import { displayName, type ValueSetName } from '../dcc/valuesets.js'

interface WhoCodes {
  icvpDiseases: string[]
  icd11: Record<string, string>
  products: Record<string, string>
}

let codes: WhoCodes | undefined

function load(): WhoCodes {
  codes ??= JSON.parse(
    readFileSync(new URL('../../data/gdhcn/who-codes.json', import.meta.url), 'utf8'),
  ) as WhoCodes
  return codes
}

const own = (table: Record<string, string>, code: string): string | undefined =>
  Object.hasOwn(table, code) ? table[code] : undefined

/** An ICD-11 code's name (disease or vaccine type), or undefined. */
export function icd11Name(code: unknown): string | undefined {
  return typeof code === 'string' ? own(load().icd11, code) : undefined
}

/** An ICVP product id's name (WHO prequalified vaccines), or undefined. */
export function productName(code: unknown): string | undefined {
  return typeof code === 'string' ? own(load().products, code) : undefined
}

/** The ICVP product ids with their display names (WHO prequalified vaccines), for `hcert issue --kind icvp`. */
export function icvpProducts(): Readonly<Record<string, string>> {
  return load().products
}

/** Whether a code is an ICVP disease (yellow fever 1D47, poliomyelitis 1C81). */
export function isIcvpDisease(code: unknown): boolean {
  return typeof code === 'string' && load().icvpDiseases.includes(code)
}

const SNOMED_SETS: readonly ValueSetName[] = [
  'disease-agent-targeted',
  'vaccine-prophylaxis',
  'test-type',
  'test-result',
]
const EU_SETS: readonly ValueSetName[] = ['vaccine-medicinal-product', 'vaccine-mah-manf', 'test-manf']

/**
 * A code's name from what its system says: ICD-11, SNOMED CT (the EU value sets), or, with no
 * system, any table that holds it (ICVP products, ICD-11, EU products and manufacturers).
 */
export function codeName(code: unknown, system?: unknown): string | undefined {
  if (typeof code !== 'string') return undefined
  const sys = typeof system === 'string' ? system : ''
  if (/icd/i.test(sys)) return icd11Name(code)
  if (/snomed/i.test(sys)) return firstName(SNOMED_SETS, code)
  if (sys !== '' && !/ehn|ec\.europa|dcc/i.test(sys)) return undefined
  return productName(code) ?? icd11Name(code) ?? firstName([...EU_SETS, ...SNOMED_SETS], code)
}

function firstName(sets: readonly ValueSetName[], code: string): string | undefined {
  for (const set of sets) {
    const name = displayName(set, code)
    if (name !== undefined) return name
  }
  return undefined
}
