import { describe, expect, it } from 'vitest'
import { lacksTable, transliterate } from '../../src/dcc/transliterate.js'

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
    // Cyrillic, ICAO 9303 part 3 table B (bug17c)
    ['Шевченко Тарас', 'SHEVCHENKO<TARAS'],
    ['Юлия Щеглова', 'IULIIA<SHCHEGLOVA'],
    ['Алексей Жуков', 'ALEKSEI<ZHUKOV'],
    ['Хрущёв Подъячев', 'KHRUSHCHEV<PODIEIACHEV'],
    ['Ольга Соловьёва-Цой', 'OLGA<SOLOVEVA<TSOI'],
    ['Эмма Быкова', 'EMMA<BYKOVA'],
    // Ukrainian and Belarusian letters of the table
    ['Ґонта Євген', 'GONTA<IEVGEN'],
    ['Їжакевич Ірина', 'IZHAKEVICH<IRINA'],
    ['Ўладзімір', 'ULADZIMIR'],
    // Serbian and Macedonian letters of the table
    ['Ђорђе Љубић Његош', 'DORDE<LJUBIC<NJEGOSH'],
    ['Ћирић Џајић', 'CIRIC<DZAJIC'],
    ['Ѓорѓи Ќосе Ѕвезда Јован', 'GORGI<KOSE<DZVEZDA<JOVAN'],
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

describe('scripts without a table', () => {
  it.each([['王小明'], ['محمد'], ['Αλέξανδρος'], ['Nguyễn 王'], ['김민준']])(
    '%s has letters without a table',
    (name) => {
      expect(lacksTable(name)).toBe(true)
    },
  )

  it.each([['Nguyễn Văn Đức'], ['Шевченко'], ["O'Neill-Smith 3rd"], ['Ǆuro'], ['Ａｎｎａ']])(
    '%s has none',
    (name) => {
      expect(lacksTable(name)).toBe(false)
    },
  )
})
