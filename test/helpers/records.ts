/**
 * Input records for CLI and ledger tests: many distinct valid vaccinations, as CSV.
 */

/** A, B, …, Z, AA, AB, …: a distinct name part for each i ≥ 0 */
export const letters = (i: number): string =>
  (i < 26 ? '' : letters(Math.floor(i / 26) - 1)) + String.fromCharCode(65 + (i % 26))

export const CSV_HEADER = 'id,type,fn,gn,dob,vaccine,dose,doses,date'

export interface CsvRecords {
  /** first and last record number, inclusive (default from 1) */
  from?: number
  to: number
  /** the id is `${prefix}${i}` (default P) */
  prefix?: string
  /** surname and the first part of the given name (default Nguyen, Van) */
  fn?: string
  gn?: string
  /** records given dose 5 of 2, which data cleaning rejects */
  bad?: (i: number) => boolean
}

/**
 * A CSV file's text: the header, then record i on line i - from + 2, each a valid Comirnaty dose
 * 1/2 of 2021-06-01 for `${fn}, ${gn} ${letters(i)}` born 1980-01-01 (unless bad(i)).
 */
export function vaccinationCsv(options: CsvRecords): string {
  const { from = 1, to, prefix = 'P', fn = 'Nguyen', gn = 'Van', bad = () => false } = options
  const rows = [CSV_HEADER]
  for (let i = from; i <= to; i++)
    rows.push(`${prefix}${i},v,${fn},${gn} ${letters(i)},1980-01-01,Comirnaty,${bad(i) ? 5 : 1},2,2021-06-01`)
  return `${rows.join('\n')}\n`
}

/**
 * One vaccination entry of a DCC payload (`v[0]`, DCC schema 1.3.0): dose 1/2 of Comirnaty
 * (EU/1/20/1528, BioNTech) against COVID-19 on 2021-06-01 in VN, issuer "Ministry of Health";
 * `changes` replace or add fields (`ci`, `is`, `dn`, …).
 */
export function vaccinationEntry(changes: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    tg: '840539006',
    vp: '1119349007',
    mp: 'EU/1/20/1528',
    ma: 'ORG-100030215',
    dn: 1,
    sd: 2,
    dt: '2021-06-01',
    co: 'VN',
    is: 'Ministry of Health',
    ...changes,
  }
}
