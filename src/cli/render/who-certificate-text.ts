/** The payload part of a WHO certificate (ICVP, DDCC, a link) for a terminal: sections of named fields. */
import type { ChalkInstance } from 'chalk'
import { describeWhoPayload } from '../../gdhcn/describe-who.js'
import type { DecodeResult } from '../../services/decode.js'
import { terminalText as safe } from './terminal-text.js'

export interface RowWriter {
  row(label: string, value: string): void
  heading(title: string): void
}

export function renderWhoSections(result: DecodeResult, out: RowWriter, c: ChalkInstance): void {
  for (const section of describeWhoPayload(result.kind, result.payload)) {
    out.heading(safe(section.title))
    for (const field of section.fields) {
      // labels and values come from the certificate (a field not in the model is labelled by its key)
      const shown = safe(field.value)
      const value = field.display
        ? `${safe(field.display)} ${c.dim(`(${shown})`)}`
        : field.unknownCode
          ? `${shown} ${c.yellow('(not in the WHO value sets)')}`
          : shown
      out.row(safe(field.label), field.unknownField ? `${value} ${c.dim('(field not in the model)')}` : value)
    }
  }
}
