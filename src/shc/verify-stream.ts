/**
 * SMART Health Cards met in `hcert verify`'s stream of inputs: a whole card is verified at once; the
 * chunks of a chunked card (`shc:/i/n/…`, from several arguments, lines or images, in any order) are
 * held until the card is complete. The same chunk read twice is merged, as decode merges it; a chunk
 * whose index the pending card holds with other digits starts another card. Cards still incomplete
 * at the end of the inputs are reported with ERR_SHC_CHUNK.
 */
import { DccError } from '../errors.js'
import { chunkFit } from './chunks.js'
import { parseShcText, type ShcPart } from './numeric.js'
import type { ShcVerifyOptions, ShcVerifyResult } from './verify-shc.js'

export interface ShcStreamInput {
  source: string
  text: string
  warnings: string[]
}

export type SourcedShcResult = ShcVerifyResult & { source: string }

interface Pending {
  inputs: ShcStreamInput[]
  /** the digits of each chunk index held */
  chunks: Map<number, string>
}

export class ShcVerifyStream {
  /** pending chunked cards, by their chunk count */
  private readonly pending = new Map<number, Pending>()

  constructor(private readonly options: ShcVerifyOptions) {}

  /** The results this input completes: none while a card waits for more chunks. */
  async push(input: ShcStreamInput): Promise<SourcedShcResult[]> {
    let header: ShcPart | undefined
    try {
      header = parseShcText(input.text)
    } catch {
      // the checks report it, on this input alone
    }
    if (!header || header.total === 1) return [await this.verify([input])]
    const out: SourcedShcResult[] = []
    let card = this.pending.get(header.total)
    // the same rule as decode's (chunkFit): an identical chunk read twice is merged, another one starts another card
    if (card && chunkFit(card.chunks, header) === 'conflict') {
      out.push(await this.verify(card.inputs))
      card = undefined
    }
    if (!card) {
      card = { inputs: [], chunks: new Map() }
      this.pending.set(header.total, card)
    }
    card.inputs.push(input)
    card.chunks.set(header.index, header.digits)
    if (card.chunks.size === header.total) {
      this.pending.delete(header.total)
      out.push(await this.verify(card.inputs))
    }
    return out
  }

  /** The cards still missing chunks, each an ERR_SHC_CHUNK result. */
  async end(): Promise<SourcedShcResult[]> {
    const out: SourcedShcResult[] = []
    for (const card of this.pending.values()) out.push(await this.verify(card.inputs))
    this.pending.clear()
    return out
  }

  private async verify(inputs: readonly ShcStreamInput[]): Promise<SourcedShcResult> {
    const source = inputs.map((input) => input.source).join(' + ')
    // jose and the card checks load with the first card: HCERT runs do not pay for them
    const { shcInputFailure, verifyShc } = await import('./verify-shc.js')
    let result: ShcVerifyResult
    try {
      result = await verifyShc(
        inputs.map((input) => input.text),
        this.options,
      )
    } catch (err) {
      if (process.env.DEBUG) console.error(err)
      const error =
        err instanceof DccError
          ? err
          : new DccError(
              'ERR_INTERNAL',
              'internal error while verifying this input (a bug in hcert; set DEBUG=1 for details and please report it)',
            )
      result = shcInputFailure(error)
    }
    const prefix = inputs.length > 1
    for (const input of inputs)
      for (const message of input.warnings)
        result.warnings.unshift({ check: 'input', message: prefix ? `${input.source}: ${message}` : message })
    return { source, ...result }
  }
}
