/**
 * The inputs of one SMART Health Card for `hcert decode`: one `shc:/` text, or the chunks of a card
 * given as several arguments, lines or images (in any order). Errors: ERR_USAGE when several inputs
 * are not all `shc:/` texts.
 */
import { DccError } from '../errors.js'
import type { QrImage } from '../qr/read-qr-image.js'
import type { CertificateInput } from '../services/read-input.js'
import { decodeShc, type ShcDecodeResult } from './decode-shc.js'
import { isShcText } from './numeric.js'

export interface ShcInput {
  source: string
  /** one `shc:/` text a line */
  texts: string[]
  images: QrImage[]
  warnings: string[]
}

/** Several inputs as the chunks of one card; throws ERR_USAGE unless every one is a `shc:/` text. */
export function combineShcInputs(inputs: readonly CertificateInput[]): ShcInput {
  if (!inputs.every((input) => isShcText(input.text)))
    throw new DccError(
      'ERR_USAGE',
      'decode reads one certificate; several inputs are accepted only as the chunks (shc:/i/n/…) of one SMART Health Card',
    )
  return {
    source: inputs.map((input) => input.source).join(' + '),
    texts: inputs.flatMap((input) => input.text.split('\n')),
    images: inputs.flatMap((input) => (input.image ? [input.image] : [])),
    warnings: inputs.flatMap((input) =>
      inputs.length > 1 ? input.warnings.map((w) => `${input.source}: ${w}`) : input.warnings,
    ),
  }
}

/** `hcert decode` of a card given as one or several inputs. */
export function decodeShcInputs(
  inputs: readonly CertificateInput[],
  options: { layers?: boolean },
): ShcDecodeResult {
  const card = combineShcInputs(inputs)
  const result = decodeShc(card.texts, card.source, { layers: options.layers, images: card.images })
  result.warnings.unshift(...card.warnings)
  return result
}
