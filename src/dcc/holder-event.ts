/**
 * Who and what a certificate is about, without the certificate's own identity: the holder
 * (names as written, NFC, and their standardised forms, date of birth) and the event (type,
 * disease, date, dose). Two certificates with the same key describe the same vaccination, test or
 * recovery of the same person; renew renews only the latest of them. Stored as a hash, so the
 * ledger index holds no names.
 *
 * The names as written are part of the key: the standardised forms (fnt/gnt, ICAO 9303
 * transliteration) alone merge different people (Müller and Mueller, Văn Ân and Văn An).
 */
import { hash } from 'node:crypto'
import { certificateTypes } from './types.js'

const text = (v: unknown): string => (typeof v === 'string' ? v.normalize('NFC') : String(v ?? ''))

/** The holder's identity as a tuple of strings: fn, gn (NFC), fnt, gnt, dob. */
export function holderParts(dcc: Record<string, unknown>): string[] {
  const nam = (dcc.nam ?? {}) as Record<string, unknown>
  return [nam.fn, nam.gn, nam.fnt, nam.gnt, dcc.dob].map(text)
}

/** True when two payloads name the same holder (names as written, standardised names, dob). */
export function sameHolder(a: Record<string, unknown>, b: Record<string, unknown>): boolean {
  const x = holderParts(a)
  const y = holderParts(b)
  return x.every((p, i) => p === y[i])
}

/** 32 hex characters: sha256 of the holder and the event, truncated. */
export function holderEventKey(dcc: Record<string, unknown>): string {
  const type = certificateTypes(dcc)[0] ?? '?'
  const entry = ((dcc[type] as Array<Record<string, unknown>> | undefined)?.[0] ?? {}) as Record<
    string,
    unknown
  >
  const event =
    type === 'v'
      ? [entry.tg, entry.dt, entry.dn]
      : type === 't'
        ? [entry.tg, entry.sc, entry.tt]
        : [entry.tg, entry.fr]
  const parts = ['k2', ...holderParts(dcc), type, ...event.map(text)]
  return hash('sha256', parts.join('\u0000'), 'hex').slice(0, 32)
}
