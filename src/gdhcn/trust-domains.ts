/**
 * The GDHCN trust domains (WHO smart-trust `trust_domains.md`; the DID trust lists are published at
 * `…/v2/trustlist/<domain>/…`): DCC, the EU DCC; DDCC, the WHO Digital Documentation of COVID-19
 * Certificates; ICVP, the smart International Certificate of Vaccination or Prophylaxis;
 * IPS-PILGRIMAGE, the International Patient Summary for pilgrims; PH4H, the Pan-American Highway
 * for Digital Health.
 */
export const GDHCN_DOMAINS = ['DCC', 'DDCC', 'ICVP', 'IPS-PILGRIMAGE', 'PH4H'] as const

export type GdhcnDomain = (typeof GDHCN_DOMAINS)[number]

/** The domain a value names, in any case (`icvp` is ICVP), or undefined when it names none. */
export function gdhcnDomain(value: string): GdhcnDomain | undefined {
  const upper = value.trim().toUpperCase()
  return GDHCN_DOMAINS.find((domain) => domain === upper)
}
