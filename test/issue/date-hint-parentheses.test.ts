/**
 * Round 9, finding 6: the local-style date hint opened two parentheses and closed one. Every
 * hint added to a rejection reason is balanced: each "(" has its ")".
 */
import { describe, expect, it } from 'vitest'
import { LOCAL_DATE_HINT, SPREADSHEET_DATE_HINT } from '../../src/issue/spreadsheet-date.js'

/** the depth of parentheses at the end (0: balanced), or -1 when one closes before it opens */
function depth(text: string): number {
  let level = 0
  for (const ch of text) {
    if (ch === '(') level++
    if (ch === ')' && --level < 0) return -1
  }
  return level
}

describe('date hints in rejection reasons', () => {
  it('close every parenthesis they open', () => {
    for (const hint of [LOCAL_DATE_HINT, SPREADSHEET_DATE_HINT]) expect(depth(hint), hint).toBe(0)
  })
})
