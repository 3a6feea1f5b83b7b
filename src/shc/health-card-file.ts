/**
 * The file download form of SMART Health Cards (SMART Health Cards 1.4 "Via File Download"): a
 * `.smart-health-card` file is JSON `{"verifiableCredential": ["<JWS>", …]}`, each JWS one card.
 * Each card is given on as the `shc:/` text of its QR code (SMART Health Cards 1.4 "Encoding QRs"),
 * so that `decode` and `verify` read it through the same checks as a scanned card.
 * Errors (ERR_INPUT): the JSON has no `verifiableCredential` array of JWS strings, a JWS holds a
 * character that is not base64url or '.', or is longer than one QR code holds. Messages name the
 * position in the array, never the text.
 */
import { DccError } from '../errors.js'
import { MAX_SHC_TEXT_LENGTH, SHC_PREFIX, encodeNumeric } from './numeric.js'

/** One card of the file: its source (`file#verifiableCredential[i]`) and its `shc:/` text. */
export interface HealthCardFileItem {
  source: string
  text: string
}

/** The longest JWS whose numeric form fits one QR code (two digits a character). */
export const MAX_FILE_JWS_LENGTH = Math.floor((MAX_SHC_TEXT_LENGTH - 32) / 2)

const JWS_CHARACTERS = /^[A-Za-z0-9_.-]*$/

/** Whether bytes look like the file download form: JSON text opening with `{` that names verifiableCredential. */
export function isHealthCardFile(bytes: Uint8Array): boolean {
  const text = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength)
  return (
    /^[\s\ufeff]*\{/.test(text.subarray(0, 64).toString('utf8')) && text.includes('"verifiableCredential"')
  )
}

/** The cards of a `.smart-health-card` file, each as a `shc:/` text; throws ERR_INPUT (see above). */
export function readHealthCardFile(bytes: Uint8Array, source: string): HealthCardFileItem[] {
  let value: unknown
  try {
    value = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes).replace(/^\ufeff/, ''))
  } catch {
    throw new DccError('ERR_INPUT', `input: ${source} is not JSON, as a .smart-health-card file is`)
  }
  const list = (value as { verifiableCredential?: unknown } | null)?.verifiableCredential
  if (!Array.isArray(list) || list.length === 0)
    throw new DccError(
      'ERR_INPUT',
      `input: ${source} has no verifiableCredential array of JWS strings, as a .smart-health-card file has`,
    )
  return list.map((jws: unknown, i) => {
    const at = `${source}#verifiableCredential[${i}]`
    if (typeof jws !== 'string' || !JWS_CHARACTERS.test(jws) || jws.length === 0)
      throw new DccError('ERR_INPUT', `input: ${at} is not a JWS in compact form (base64url parts and '.')`)
    if (jws.length > MAX_FILE_JWS_LENGTH)
      throw new DccError(
        'ERR_INPUT',
        `input: ${at} is a JWS of ${jws.length} characters; hcert reads cards that fit one QR code (at most ${MAX_FILE_JWS_LENGTH})`,
      )
    return { source: list.length > 1 ? at : source, text: `${SHC_PREFIX}${encodeNumeric(jws)}` }
  })
}
