/**
 * Who and what an ICVP is about (as holder-event.ts is for the DCC): the holder (name standardised,
 * ICAO 9303 transliteration, and date of birth) and the vaccination (product and date). `issue`
 * warns about a second certificate of one key; renew renews only the latest certificate of a
 * holder and event, of the same name as written (sameHolderOf). Stored as a hash, so that the
 * ledger's index holds no names. Keys stored before `icvp2` (the name as written) are kept.
 */
import { hash } from 'node:crypto'
import { holderEventKey, sameHolder, standardisedName } from '../dcc/holder-event.js'

const text = (v: unknown): string => (typeof v === 'string' ? v.normalize('NFC') : String(v ?? ''))

function vaccination(payload: Record<string, unknown>): Record<string, unknown> {
  const v = payload.v
  const first = Array.isArray(v) ? v[0] : v
  return first && typeof first === 'object' ? (first as Record<string, unknown>) : {}
}

/** 32 hex characters: sha256 of `icvp2`, the holder (n standardised, dob) and the vaccination (vp, dt), truncated. */
export function icvpHolderEventKey(payload: Record<string, unknown>): string {
  const v = vaccination(payload)
  const parts = ['icvp2', standardisedName(payload.n), text(payload.dob), text(v.vp), text(v.dt)]
  return hash('sha256', parts.join('\u0000'), 'hex').slice(0, 32)
}

/** The holder-event key of a payload of a ledger type (`icvp`, or a DCC's v/t/r). */
export function holderEventOf(type: string, payload: Record<string, unknown>): string {
  return type === 'icvp' ? icvpHolderEventKey(payload) : holderEventKey(payload)
}

/** Whether two payloads of a ledger type name the same holder, as written. */
export function sameHolderOf(type: string, a: Record<string, unknown>, b: Record<string, unknown>): boolean {
  if (type !== 'icvp') return sameHolder(a, b)
  return text(a.n) === text(b.n) && text(a.dob) === text(b.dob)
}
