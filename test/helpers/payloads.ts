/** Valid DCC payloads of each type (schema 1.3), with made-up people. */
export const VACCINATION = {
  ver: '1.3.0',
  nam: { fn: 'Nguyễn', fnt: 'NGUYEN', gn: 'Văn Đức', gnt: 'VAN<DUC' },
  dob: '1980-05-17',
  v: [
    {
      tg: '840539006',
      vp: '1119349007',
      mp: 'EU/1/20/1528',
      ma: 'ORG-100030215',
      dn: 2,
      sd: 2,
      dt: '2021-06-01',
      co: 'VN',
      is: 'Ministry of Health',
      ci: 'URN:UVCI:01:VN:TEST0000001',
    },
  ],
}

export const TEST = {
  ver: '1.3.0',
  nam: { fn: 'Tran', fnt: 'TRAN', gn: 'Thi Mai', gnt: 'THI<MAI' },
  dob: '1990-01-02',
  t: [
    {
      tg: '840539006',
      tt: 'LP6464-4',
      nm: 'Roche LightCycler qPCR',
      sc: '2021-06-01T10:00:00Z',
      tr: '260415000',
      tc: 'Test centre',
      co: 'VN',
      is: 'Ministry of Health',
      ci: 'URN:UVCI:01:VN:TEST0000002',
    },
  ],
}

export const RECOVERY = {
  ver: '1.3.0',
  nam: { fn: 'Le', fnt: 'LE', gn: 'Minh', gnt: 'MINH' },
  dob: '1975',
  r: [
    {
      tg: '840539006',
      fr: '2021-04-01',
      co: 'VN',
      is: 'Ministry of Health',
      df: '2021-04-12',
      du: '2021-09-28',
      ci: 'URN:UVCI:01:VN:TEST0000003',
    },
  ],
}

/** 2021-06-02T00:00:00Z, and a year later. */
export const IAT = 1622592000
export const EXP = IAT + 365 * 86400
export const DURING = new Date((IAT + 86400) * 1000)

/**
 * The VACCINATION payload for another holder and UVCI (given names in capitals A–Z and spaces), for
 * tests that need the UVCI of each record known in advance (e.g. its QR image's file name).
 */
export function vaccinationFor(gn: string, ci: string, dn = 1): Record<string, unknown> {
  const entry = VACCINATION.v[0] as Record<string, unknown>
  return {
    ...VACCINATION,
    nam: { fn: 'Nguyen', fnt: 'NGUYEN', gn, gnt: gn.toUpperCase().replace(/ /g, '<') },
    dob: '1980-01-01',
    v: [{ ...entry, dn, ci }],
  }
}
