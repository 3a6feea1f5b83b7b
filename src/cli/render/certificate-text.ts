/** A decoded certificate for a person reading a terminal. */
import type { ChalkInstance } from 'chalk'
import { describeEntries, fieldsOutsideSchema, relativeTime } from '../../dcc/describe.js'
import { KIND_NAMES } from '../../gdhcn/payload-kind.js'
import type { DecodeResult, LayersView } from '../../services/decode.js'
import { renderWhoSections } from './who-certificate-text.js'
import { terminalLines, terminalText as safe } from './terminal-text.js'

const dateOf = (seconds: number): string => new Date(seconds * 1000).toISOString().replace('.000Z', 'Z')

export function renderCertificate(result: DecodeResult, now: Date, c: ChalkInstance): string {
  const lines: string[] = []
  const row = (label: string, value: string): void => {
    lines.push(`  ${c.dim(label.padEnd(22))} ${value}`)
  }
  const title =
    result.kind !== 'dcc'
      ? KIND_NAMES[result.kind]
      : `${result.type ? capitalise(result.type) : 'Unknown'} certificate`
  lines.push(c.bold(title) + c.dim(`  (${safe(result.source)})`))
  row(
    'Signature',
    `${result.alg}, kid ${result.kid ?? c.yellow('none')}${result.kidSource ? c.dim(` (in the ${result.kidSource} header)`) : ''}`,
  )
  const { iss, iat, exp } = result.claims
  row('Issuing country', iss === undefined ? c.dim('not given') : safe(iss))
  if (iat !== undefined) row('Issued', `${dateOf(iat)} ${c.dim(`(${relativeTime(iat, now)})`)}`)
  if (exp !== undefined) {
    const expired = exp * 1000 <= now.getTime()
    const text = expired ? `expired ${relativeTime(exp, now)}` : `expires ${relativeTime(exp, now)}`
    row('Expires', `${dateOf(exp)} ${expired ? c.red(`(${text})`) : c.green(`(${text})`)}`)
  }
  for (const warning of result.warnings) row('Warning', c.yellow(safe(warning)))
  if (result.kind !== 'dcc') {
    renderWhoSections(result, { row, heading: (t) => lines.push('', c.bold(`  ${t}`)) }, c)
    return lines.join('\n')
  }
  const payload = result.payload as { nam?: Record<string, unknown>; dob?: unknown; ver?: unknown }
  const nam = typeof payload.nam === 'object' && payload.nam !== null ? payload.nam : {}
  lines.push('')
  row('Surname', nam.fn === undefined ? c.dim('not given') : shown(nam.fn))
  row('Forename', nam.gn === undefined ? c.dim('not given') : shown(nam.gn))
  row('Standardised name', `${shown(nam.fnt ?? '')}<<${shown(nam.gnt ?? '')}`)
  row('Date of birth', payload.dob === '' ? c.dim('unknown') : shown(payload.dob))
  row('Schema version', shown(payload.ver))
  for (const entry of describeEntries(result.payload)) {
    lines.push('', c.bold(`  ${capitalise(entry.typeName)}`))
    for (const field of entry.fields) {
      const value = safe(field.value)
      const named = field.display
        ? `${safe(field.display)} ${c.dim(`(${value})`)}`
        : field.unknownCode
          ? `${value} ${c.yellow('(not in the EU value set)')}`
          : value
      row(safe(field.label), named)
    }
  }
  const others = fieldsOutsideSchema(result.payload)
  if (others.length > 0) {
    lines.push('', c.bold('  Fields outside the DCC schema'))
    for (const field of others) row(safe(field.key), safe(field.value))
  }
  return lines.join('\n')
}

export function renderLayers(layers: LayersView, c: ChalkInstance): string {
  const lines = [c.bold('Layers')]
  const row = (label: string, value: string): void => {
    lines.push(`  ${c.dim(label.padEnd(22))} ${value}`)
  }
  if (layers.image)
    row(
      'image',
      `${layers.image.format.toUpperCase()} ${layers.image.width}x${layers.image.height}, QR found ${layers.image.attempt}` +
        (layers.image.mode ? `, ${layers.image.mode} mode` : ''),
    )
  row(
    'prefix',
    layers.prefix === null ? c.yellow('none (accepted with --allow-missing-prefix)') : safe(layers.prefix),
  )
  row('base45', `${layers.base45Length} characters`)
  row('zlib', `${layers.compressedBytes} bytes compressed → ${layers.inflatedBytes} bytes inflated`)
  row(
    'COSE',
    `${layers.coseTags.length ? `tags ${layers.coseTags.join(' → ')}` : 'untagged'}, ${layers.signatureBytes}-byte signature`,
  )
  lines.push(
    '',
    c.dim('  CBOR diagnostic notation:'),
    terminalLines(layers.diagnostic).replace(/^/gm, '    '),
  )
  return lines.join('\n')
}

/**
 * a payload value as text, whatever the certificate holds (an object may have a key named
 * toString), safe for a terminal
 */
function shown(value: unknown): string {
  return safe(typeof value === 'object' && value !== null ? JSON.stringify(value) : String(value))
}

function capitalise(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1)
}
