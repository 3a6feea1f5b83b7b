/** Vaccine products by code or by name, with the manufacturer and vaccine types the EU encoding instructions pair with them. */
import { readFileSync } from 'node:fs'
import { loadValueSet } from '../dcc/valuesets.js'

interface EncodingInstruction {
  'vaccine-code': string
  'vaccine-manufacturer'?: string
  'sct-codes'?: string[]
}

export interface VaccineProduct {
  code: string
  name: string
  manufacturer: string | undefined
  vaccineTypes: string[]
}

let products: Map<string, VaccineProduct> | undefined

function load(): Map<string, VaccineProduct> {
  const url = new URL('../../data/valuesets/vaccine-encoding-instructions.json', import.meta.url)
  const instructions = (
    JSON.parse(readFileSync(url, 'utf8')) as { valueSetValues: Record<string, EncodingInstruction> }
  ).valueSetValues
  const byCode = new Map<string, EncodingInstruction>()
  for (const entry of Object.values(instructions)) byCode.set(entry['vaccine-code'], entry)
  const map = new Map<string, VaccineProduct>()
  for (const [code, entry] of Object.entries(loadValueSet('vaccine-medicinal-product').valueSetValues)) {
    const instruction = byCode.get(code)
    const product: VaccineProduct = {
      code,
      name: entry.display.replace(/ \(deprecated\)$/, ''),
      manufacturer: instruction?.['vaccine-manufacturer'],
      vaccineTypes: instruction?.['sct-codes'] ?? [],
    }
    map.set(code.toLowerCase(), product)
    map.set(product.name.toLowerCase(), product)
  }
  return map
}

/** A product by its value-set code (`EU/1/20/1528`) or its name (`Comirnaty`), case-insensitive. */
export function findVaccine(codeOrName: string): VaccineProduct | undefined {
  products ??= load()
  return products.get(codeOrName.trim().toLowerCase())
}

export function allVaccines(): VaccineProduct[] {
  products ??= load()
  return [...new Set(products.values())]
}
