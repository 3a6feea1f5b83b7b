/**
 * An ICVP record's `product` cell to its id in the ICVP product catalogue (the WHO prequalified
 * yellow fever and polio vaccines, data/gdhcn/who-codes.json from smart-icvp ICVPProductIds.fsh
 * and preQualVaccines.fsh). A cell is taken as:
 * - a catalogue id, in any letter case (`YellowFeverProductd8a09f80301dc05e124f99ffe7711fc0`, or an
 *   id of the older 32-hex form);
 * - the product's display name as the catalogue gives it (`STAMARIL, 10 doses (Sanofi Pasteur)`);
 * - its trade name, the display name up to the first comma (`STAMARIL`, `Picovax`), when one
 *   product of the catalogue (ICVPProductIds form) has it.
 * Case and runs of spaces are ignored. A name several products share (pack sizes, makers) is
 * ambiguous: the catalogue id is needed.
 */
import { icvpProducts } from '../gdhcn/who-codes.js'

export type ProductMatch = { id: string; name: string } | { ambiguous: true } | undefined

const OLD_ID = /^[0-9a-f]{32}$/
const fold = (text: string): string => text.normalize('NFC').toLowerCase().replace(/\s+/g, ' ').trim()

let byId: Map<string, string> | undefined
let byName: Map<string, string[]> | undefined

function tables(): { byId: Map<string, string>; byName: Map<string, string[]> } {
  if (!byId || !byName) {
    byId = new Map()
    byName = new Map()
    for (const id of Object.keys(icvpProducts())) {
      byId.set(id.toLowerCase(), id)
      if (OLD_ID.test(id)) continue
      const display = icvpProducts()[id] as string
      for (const name of new Set([fold(display), fold(display.split(',')[0] as string)]))
        byName.set(name, [...(byName.get(name) ?? []), id])
    }
  }
  return { byId, byName }
}

/** The catalogue product a cell names, `{ambiguous}` for a name several share, undefined for none. */
export function findIcvpProduct(cell: string): ProductMatch {
  const { byId, byName } = tables()
  const id = byId.get(cell.trim().toLowerCase()) ?? singleOf(byName.get(fold(cell)))
  if (id === null) return { ambiguous: true }
  return id === undefined ? undefined : { id, name: icvpProducts()[id] as string }
}

function singleOf(ids: string[] | undefined): string | undefined | null {
  if (!ids) return undefined
  return ids.length === 1 ? ids[0] : null
}
