/** A decoded SMART Health Card for a person reading a terminal: the JWS, the claims, each FHIR resource. */
import type { ChalkInstance } from 'chalk'
import { relativeTime } from '../../dcc/describe.js'
import type { ShcDecodeResult, ShcLayersView } from '../../shc/decode-shc.js'
import { terminalText as safe } from './terminal-text.js'

const dateOf = (seconds: number): string =>
  new Date(Math.floor(seconds) * 1000).toISOString().replace('.000Z', 'Z')

type Json = Record<string, unknown>
const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v)
const list = (v: unknown): unknown[] => (Array.isArray(v) ? v : [])
/** a value as text, whatever the card holds, safe to print on a terminal (terminal-text.ts) */
const shown = (v: unknown): string => safe(typeof v === 'string' ? v : (JSON.stringify(v) ?? ''))

/** `system#code`, or the text of a CodeableConcept */
function codes(concept: unknown): string {
  if (!isObject(concept)) return shown(concept)
  const coded = list(concept.coding)
    .filter(isObject)
    .map((c) => `${shown(c.code)}${c.system !== undefined ? ` (${shown(c.system)})` : ''}`)
  return coded.length > 0 ? coded.join(', ') : shown(concept.text ?? concept)
}

function resourceRows(resource: Json): Array<[string, string]> {
  const rows: Array<[string, string]> = []
  const add = (label: string, value: unknown, as: (v: unknown) => string = shown): void => {
    if (value !== undefined) rows.push([label, as(value)])
  }
  switch (resource.resourceType) {
    case 'Patient':
      for (const name of list(resource.name).filter(isObject))
        add('Name', [...list(name.given).map(shown), shown(name.family ?? '')].join(' ').trim())
      add('Date of birth', resource.birthDate)
      break
    case 'Immunization':
      add('Status', resource.status)
      add('Vaccine', resource.vaccineCode, codes)
      add('Date', resource.occurrenceDateTime ?? resource.occurrenceString)
      add('Lot', resource.lotNumber)
      for (const p of list(resource.performer).filter(isObject))
        if (isObject(p.actor)) add('Performer', p.actor.display ?? p.actor.reference)
      break
    case 'Observation':
      add('Status', resource.status)
      add('Code', resource.code, codes)
      add('Date', resource.effectiveDateTime)
      add('Result', resource.valueCodeableConcept, codes)
      add('Value', resource.valueQuantity)
      break
    default:
      rows.push([
        'Fields',
        Object.keys(resource)
          .filter((k) => k !== 'resourceType')
          .map(shown)
          .join(', '),
      ])
  }
  return rows
}

export function renderShc(result: ShcDecodeResult, now: Date, c: ChalkInstance): string {
  const lines: string[] = [c.bold('SMART Health Card') + c.dim(`  (${safe(result.source)})`)]
  const row = (label: string, value: string, indent = '  '): void => {
    lines.push(`${indent}${c.dim(label.padEnd(22))} ${value}`)
  }
  row(
    'Signature',
    `${result.alg === undefined ? c.yellow('no alg') : shown(result.alg)}, kid ${result.kid === undefined ? c.yellow('none') : shown(result.kid)}`,
  )
  const { iss, nbf, exp } = result.claims
  row('Issuer', iss === undefined ? c.dim('not given') : shown(iss))
  if (nbf !== undefined) row('Issued', `${dateOf(nbf)} ${c.dim(`(${relativeTime(nbf, now)})`)}`)
  if (exp !== undefined) {
    const expired = exp * 1000 <= now.getTime()
    const text = expired ? `expired ${relativeTime(exp, now)}` : `expires ${relativeTime(exp, now)}`
    row('Expires', `${dateOf(exp)} ${expired ? c.red(`(${text})`) : c.green(`(${text})`)}`)
  }
  const vc = isObject(result.payload.vc) ? result.payload.vc : {}
  if (Array.isArray(vc.type)) row('Types', vc.type.map(shown).join(', '))
  const subject = isObject(vc.credentialSubject) ? vc.credentialSubject : {}
  if (subject.fhirVersion !== undefined) row('FHIR version', shown(subject.fhirVersion))
  for (const [i, entry] of list(result.fhirBundle?.entry).entries()) {
    const resource = isObject(entry) && isObject(entry.resource) ? entry.resource : undefined
    const url = isObject(entry) && typeof entry.fullUrl === 'string' ? entry.fullUrl : `entry ${i}`
    lines.push(
      '',
      `  ${c.bold(resource ? shown(resource.resourceType) : 'Entry')} ${c.dim(`(${shown(url)})`)}`,
    )
    if (resource) for (const [label, value] of resourceRows(resource)) row(label, value)
  }
  return lines.join('\n')
}

export function renderShcLayers(layers: ShcLayersView, c: ChalkInstance): string {
  const lines = [c.bold('Layers')]
  const row = (label: string, value: string): void => {
    lines.push(`  ${c.dim(label.padEnd(22))} ${value}`)
  }
  for (const image of layers.images ?? [])
    row(
      'image',
      `${image.format.toUpperCase()} ${image.width}x${image.height}, QR found ${image.attempt}` +
        (image.mode ? `, first segment in ${image.mode} mode` : ''),
    )
  row('prefix', `${layers.prefix}${layers.chunks > 1 ? ` in ${layers.chunks} chunks` : ''}`)
  row('numeric', `${layers.digits} digits → ${layers.jwsLength} JWS characters`)
  row(
    'DEFLATE',
    layers.compressedBytes > 0
      ? `${layers.compressedBytes} bytes compressed → ${layers.inflatedBytes} bytes inflated`
      : `not compressed, ${layers.inflatedBytes} bytes`,
  )
  row('JWS', `${layers.signatureBytes}-byte signature`)
  lines.push('', c.dim('  JWS (compact):'), `    ${safe(layers.jws)}`)
  return lines.join('\n')
}
