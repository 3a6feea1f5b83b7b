/** The WHO gdhcn-validator samples (test/fixtures/gdhcn, Apache-2.0) decode to exactly their unpacked JSON. */
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { describeWhoPayload } from '../../src/gdhcn/describe-who.js'
import { unpackSign1 } from '../../src/gdhcn/unpacked.js'
import { decodeHc1 } from '../../src/hcert/decode-hc1.js'
import { decodeCertificate } from '../../src/services/decode.js'

const DIR = join(import.meta.dirname, '..', 'fixtures', 'gdhcn')
const read = (name: string): string => readFileSync(join(DIR, name), 'utf8').trim()
const json = (name: string): unknown => JSON.parse(read(name))

describe('gdhcn-validator samples', () => {
  it.each([
    ['DVCTestQR.txt', 'DVCTestQRUnpacked.json', 'icvp'],
    ['WHOQR1Contents.txt', 'WHOQR1Unpacked.json', 'ddcc-early'],
  ])('%s decodes to exactly %s, as kind %s', (qr, unpacked, kind) => {
    const decoded = decodeHc1(read(qr))
    expect(unpackSign1(decoded.sign1)).toStrictEqual(json(unpacked))
    expect(decoded.claims.kind).toBe(kind)
    const result = decodeCertificate({ text: read(qr), source: qr, warnings: [] }, { unpacked: true })
    expect(result.kind).toBe(kind)
    expect(result.type).toBe('vaccination')
    expect(result.unpacked).toStrictEqual(json(unpacked))
  })

  it('the ICVP payload is the -260/-6 entry, unknown fields kept, codes named from the WHO value sets', () => {
    const expected = (json('DVCTestQRUnpacked.json') as { contents: { '-260': { '-6': unknown } } }).contents[
      '-260'
    ]['-6']
    const result = decodeCertificate({ text: read('DVCTestQR.txt'), source: 'x', warnings: [] })
    expect(result.payload).toStrictEqual(expected)
    const sections = describeWhoPayload('icvp', result.payload)
    expect(sections.map((s) => s.title)).toEqual(['Holder', 'Vaccination'])
    const vaccination = Object.fromEntries((sections[1]?.fields ?? []).map((f) => [f.key, f]))
    expect(vaccination.tg).toMatchObject({ label: 'Disease', value: '1D47', display: 'Yellow fever' })
    expect(vaccination.vp).toMatchObject({ value: 'XM0N24', display: 'Yellow fever vaccines' })
    // every field of the sample is shown, none dropped
    expect(Object.keys(vaccination).sort()).toEqual(Object.keys((result.payload as { v: object }).v).sort())
  })

  it('the early DDCC names SNOMED codes from the EU value sets and keeps every field', () => {
    const result = decodeCertificate({ text: read('WHOQR1Contents.txt'), source: 'x', warnings: [] })
    const fields = describeWhoPayload('ddcc-early', result.payload).flatMap((s) => s.fields)
    expect(fields).toHaveLength(Object.keys(result.payload).length)
    expect(fields.find((f) => f.key === 'disease')).toMatchObject({ value: '840539006', display: 'COVID-19' })
    expect(fields.find((f) => f.key === 'vaccine')?.display).toBe('SARS-CoV-2 mRNA vaccine')
  })
})
