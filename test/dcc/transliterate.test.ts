import { describe, expect, it } from 'vitest'
import { transliterate } from '../../src/dcc/transliterate.js'

describe('ICAO 9303 transliteration', () => {
  it.each([
    // ICAO and schema examples
    ['Smith-Jones', 'SMITH<JONES'],
    ['Charles Edward', 'CHARLES<EDWARD'],
    ["d'Červenková Panklová", 'DCERVENKOVA<PANKLOVA'],
    ['Musterfrau-Gößinger', 'MUSTERFRAU<GOESSINGER'],
    ['Åström', 'AASTROEM'],
    ['Øyvind Ærø', 'OEYVIND<AEROE'],
    ['Þórður', 'THORDUR'],
    ['Łukasz Żółć', 'LUKASZ<ZOLC'],
    ['Ħal Għaxaq', 'HAL<GHAXAQ'],
    ['Işıl', 'ISIL'],
    ['Peña', 'PENA'],
    ['Ĳsselmeer', 'IJSSELMEER'],
    // Vietnamese: Đ by table, horns and tone marks by decomposition
    ['Nguyễn Văn Đức', 'NGUYEN<VAN<DUC'],
    ['Trần Thị Ánh', 'TRAN<THI<ANH'],
    ['Phạm Hồng Thái', 'PHAM<HONG<THAI'],
    ['Đặng Thùy Dương', 'DANG<THUY<DUONG'],
    ['Lê Ngọc Ơn', 'LE<NGOC<ON'],
    ['Hoàng Ưng', 'HOANG<UNG'],
    ['Võ  Thị   Sáu', 'VO<THI<SAU'],
    [' -Trailing- ', 'TRAILING'],
  ])('%s → %s', (name, expected) => {
    expect(transliterate(name)).toBe(expected)
  })

  it('never exceeds 80 characters nor ends with <', () => {
    const long = transliterate(`${'A'.repeat(79)} B`)
    expect(long.length).toBeLessThanOrEqual(80)
    expect(long.endsWith('<')).toBe(false)
    expect(transliterate('x'.repeat(200))).toHaveLength(80)
  })

  it('gives only A-Z and <', () => {
    expect(transliterate('Ǆuro Ǉubić 123 ☃')).toMatch(/^[A-Z<]*$/)
  })
})
