/** The official EU DCC value sets (data/valuesets, copies of ehn-dcc-valuesets 2.12.0), loaded on first use. */
import { readFileSync } from 'node:fs'

export type ValueSetName =
  | 'disease-agent-targeted'
  | 'vaccine-prophylaxis'
  | 'vaccine-medicinal-product'
  | 'vaccine-mah-manf'
  | 'test-type'
  | 'test-manf'
  | 'test-result'
  | 'country-2-codes'

export interface ValueSetEntry {
  display: string
  active: boolean
}

export interface ValueSet {
  valueSetId: string
  valueSetDate: string
  valueSetValues: Record<string, ValueSetEntry>
}

/** Which value set each coded field of each entry type draws from. */
export const CODED_FIELDS: Readonly<Record<'v' | 't' | 'r', Readonly<Record<string, ValueSetName>>>> = {
  v: {
    tg: 'disease-agent-targeted',
    vp: 'vaccine-prophylaxis',
    mp: 'vaccine-medicinal-product',
    ma: 'vaccine-mah-manf',
    co: 'country-2-codes',
  },
  t: {
    tg: 'disease-agent-targeted',
    tt: 'test-type',
    ma: 'test-manf',
    tr: 'test-result',
    co: 'country-2-codes',
  },
  r: { tg: 'disease-agent-targeted', co: 'country-2-codes' },
}

const cache = new Map<ValueSetName, ValueSet>()

export function loadValueSet(name: ValueSetName): ValueSet {
  let set = cache.get(name)
  if (!set) {
    const url = new URL(`../../data/valuesets/${name}.json`, import.meta.url)
    set = JSON.parse(readFileSync(url, 'utf8')) as ValueSet
    cache.set(name, set)
  }
  return set
}

const codes = new Map<ValueSetName, Set<string>>()

/** Whether a code is in the value set (a Set per value set, built on first use). */
export function isInValueSet(name: ValueSetName, code: unknown): boolean {
  if (typeof code !== 'string') return false
  let set = codes.get(name)
  if (!set) {
    set = new Set(Object.keys(loadValueSet(name).valueSetValues))
    codes.set(name, set)
  }
  return set.has(code)
}

/** The display name of a code, or undefined when the code is not in the value set. */
export function displayName(name: ValueSetName, code: unknown): string | undefined {
  if (typeof code !== 'string') return undefined
  const values = loadValueSet(name).valueSetValues
  return Object.hasOwn(values, code) ? values[code]?.display : undefined
}
