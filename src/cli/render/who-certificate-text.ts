/** The payload part of a WHO certificate (ICVP, DDCC, a link) for a terminal: sections of named fields. */
import type { ChalkInstance } from 'chalk'
import { describeWhoPayload } from '../../gdhcn/describe-who.js'
import type { DecodeResult } from '../../services/decode.js'

export interface RowWriter {
  row(label: string, value: string): void
  heading(title: string): void
}

export function renderWhoSections(result: DecodeResult, out: RowWriter, c: ChalkInstance): void {
  for (const section of describeWhoPayload(result.kind, result.payload)) {
    out.heading(section.title)
    for (const field of section.fields) {
      const value = field.display
        ? `${field.display} ${c.dim(`(${field.value})`)}`
        : field.unknownCode
          ? `${field.value} ${c.yellow('(not in the WHO value sets)')}`
          : field.value
      out.row(field.label, field.unknownField ? `${value} ${c.dim('(field not in the model)')}` : value)
    }
  }
}
