/**
 * WHO payloads for tests, one of each kind hcert reads under claim -260 (GDHCN.md): the ICVP in both
 * field generations (-6), the DDCC core data set for a vaccination (3) and a test result (4).
 * Made up: no real person.
 */
export const ICVP_V1 = {
  n: 'Test Person',
  dob: '1990-01-02',
  s: 'F',
  ntl: 'NZL',
  v: {
    tg: '1D47',
    vp: 'YellowFeverProductd8a09f80301dc05e124f99ffe7711fc0',
    dt: '2024-11-30',
    bo: 'LOT1',
    cn: 'Dr Test',
    xx: 'kept',
  },
}
export const ICVP_V2 = {
  n: 'Test Person',
  dob: '1990-01-02',
  s: 'F',
  nt: 'NZL',
  v: '1.0.0',
  vx: { vp: 'YellowFeverProductd8a09f80301dc05e124f99ffe7711fc0', dt: '2024-11-30', bo: 'LOT1', is: 'org-1' },
}
export const CODING = (code: string, system = 'http://id.who.int/icd/release/11/mms') => ({ code, system })
export const DDCC_VS = {
  name: 'Test Person',
  birthDate: '1990-01-02',
  certificate: { issuer: { identifier: { value: 'NZ' } }, hcid: 'HCID-1', version: 'RC-2.0.0' },
  vaccination: {
    vaccine: CODING('XM0GQ8'),
    brand: CODING('EU/1/20/1528', 'https://ec.europa.eu/health/documents/community-register/html/'),
    manufacturer: CODING('ORG-100030215', 'https://spor.ema.europa.eu/v1/organisations'),
    lot: 'LOT1',
    date: '2024-11-30',
    dose: 1,
    country: CODING('NZL', 'urn:iso:std:iso:3166'),
  },
}
export const DDCC_TR = {
  name: 'Test Person',
  test: {
    pathogen: CODING('XN109'),
    type: CODING('LP6464-4', 'http://loinc.org'),
    origin: CODING('258500001', 'http://snomed.info/sct'),
    date: '2024-11-30T10:00:00Z',
    result: CODING('260415000', 'http://snomed.info/sct'),
  },
}

/** the early DDCC form that sits directly in the CWT (no -260 container) */
export const EARLY = {
  name: 'Test Person',
  hcid: 'H1',
  vaccine: CODING('1119349007', 'http://snomed.info/sct'),
  brand: CODING('TEST', 'x'),
  lot: 'L',
  date: '2024-11-30',
  dose: 1,
  country: CODING('NZL', 'urn:iso:std:iso:3166'),
}
