/**
 * The `schema` check for WHO payloads: each kind against its published logical model (required
 * fields, types, dates, the ICVP rule that the issuer or the clinician is named). Messages name the
 * path and the rule, never a value (a holder's data stays out of them).
 *
 * - ICVP, first generation (smart-trust-phw DVCMin v0.1.0 / smart-icvp ICVPMin): n, dob required;
 *   v one vaccination or a list, each with vp, dt, bo and `is` or `cn` (must-have-issuer-or-clinician-name).
 * - ICVP, newer drafts (smart-trust-phw `input/fsh/models/DVCMin.fsh`): n, dob, s, nt, vx, v (the
 *   template version) required; vx as above.
 * - DDCC:VS / DDCC:TR (WorldHealthOrganization/ddcc `ddcc-core-data-set.fsh`): name; certificate
 *   with issuer, hcid, version; vaccination with vaccine, brand, lot, date, dose, country and
 *   manufacturer or maholder (who-ddcc-data-1); test with pathogen, type, origin, date, result.
 * - the early DDCC (gdhcn-validator samples): name, hcid, vaccine, brand, lot, date, dose, country.
 * Every date must be a calendar day (2021-02-30 and month 13 are refused, as for the DCC, never
 * rolled over into the next month).
 * - a link: the SHL payload (url, 43-character key, exp a number, flag of L/P/U).
 * Fields a model does not define are allowed (they are shown, not refused).
 */
import { hasSchemaDateShape, isNotCalendarDate } from '../dcc/schema-formats.js'
import { decodeHealthLink, healthLinkIssues } from './health-link.js'
import type { PayloadKind } from './payload-kind.js'

type Json = Record<string, unknown>
const isObject = (value: unknown): value is Json =>
  typeof value === 'object' && value !== null && !Array.isArray(value)

const DATE = /^\d{4}-\d{2}-\d{2}$/

class Issues {
  readonly list: string[] = []
  add(message: string): void {
    this.list.push(message)
  }

  required(obj: Json, path: string, keys: readonly string[]): void {
    for (const key of keys)
      if (obj[key] === undefined || obj[key] === null || obj[key] === '')
        this.add(`${path}/${key} is required`)
  }

  text(obj: Json, path: string, keys: readonly string[]): void {
    for (const key of keys)
      if (obj[key] !== undefined && typeof obj[key] !== 'string') this.add(`${path}/${key} must be a string`)
  }

  date(obj: Json, path: string, keys: readonly string[], orDateTime = false): void {
    for (const key of keys) {
      const value = obj[key]
      if (value === undefined) continue
      const ok =
        typeof value === 'string' &&
        (DATE.test(value) || (orDateTime && /^\d{4}-\d{2}-\d{2}T/.test(value) && hasSchemaDateShape(value)))
      if (!ok)
        this.add(
          `${path}/${key} must be a date (YYYY-MM-DD)${orDateTime ? ' or a date and time (YYYY-MM-DDThh:mm:ss with Z or an offset)' : ''}`,
        )
      // the DCC's rule (src/dcc/schema-formats.ts): 2021-02-30 is no day, never read as 2 March; nor
      // is an hour 25 or an offset +99:99 a time
      else if (isNotCalendarDate(value.slice(0, 10)) || isNotCalendarDate(value))
        this.add(`${path}/${key} is not a calendar date`)
    }
  }

  coded(obj: Json, path: string, keys: readonly string[]): void {
    for (const key of keys) {
      const value = obj[key]
      if (value === undefined || typeof value === 'string') continue
      if (!isObject(value) || typeof value.code !== 'string')
        this.add(`${path}/${key} must be a code or a {code, system} coding`)
    }
  }
}

/** What in the payload breaks its kind's model; empty when it conforms. */
export function checkWhoSchema(kind: Exclude<PayloadKind, 'dcc'>, payload: Json): string[] {
  const issues = new Issues()
  switch (kind) {
    case 'icvp':
      checkIcvp(payload, issues)
      break
    case 'ddcc-vs':
    case 'ddcc-tr':
      checkDdcc(kind, payload, issues)
      break
    case 'ddcc-early':
      issues.required(payload, '', ['name', 'hcid', 'vaccine', 'brand', 'lot', 'date', 'dose', 'country'])
      issues.text(payload, '', ['name', 'hcid', 'lot', 'identifier', 'centre', 'hw', 'pha'])
      issues.date(payload, '', [
        'birthDate',
        'date',
        'due_date',
        'valid_from',
        'valid_until',
        'vaccine_valid',
      ])
      issues.coded(payload, '', [
        'vaccine',
        'brand',
        'manufacturer',
        'ma_holder',
        'disease',
        'country',
        'sex',
      ])
      positive(payload, '', ['dose', 'total_doses'], issues)
      break
    case 'link': {
      const uri = payload.uri
      if (typeof uri !== 'string') issues.add('/ must be a link (a text string)')
      else {
        const decoded = decodeHealthLink(uri)
        if ('problem' in decoded) issues.add(`/ ${decoded.problem}`)
        else for (const issue of healthLinkIssues(decoded.link)) issues.add(issue)
      }
      break
    }
  }
  return issues.list
}

function checkIcvp(payload: Json, issues: Issues): void {
  const newer = payload.vx !== undefined || typeof payload.v === 'string'
  if (newer) {
    issues.required(payload, '', ['n', 'dob', 's', 'nt', 'vx', 'v'])
    issues.text(payload, '', ['n', 's', 'nt', 'id', 'dt', 'gn', 'v'])
  } else {
    issues.required(payload, '', ['n', 'dob', 'v'])
    issues.text(payload, '', ['n', 's', 'ntl', 'nid', 'ndt', 'gn'])
  }
  issues.date(payload, '', ['dob'])
  const key = newer ? 'vx' : 'v'
  const entries = payload[key]
  if (entries === undefined) return
  const list = Array.isArray(entries) ? entries : [entries]
  if (list.length === 0) issues.add(`/${key} must hold at least one vaccination`)
  list.forEach((entry, i) => {
    const path = Array.isArray(entries) ? `/${key}/${i}` : `/${key}`
    if (!isObject(entry)) return issues.add(`${path} must be an object`)
    issues.required(entry, path, ['vp', 'dt', 'bo'])
    issues.text(entry, path, ['vp', 'bo', 'cn', 'is', 'tg'])
    issues.date(entry, path, ['dt', 'vls', 'vle'])
    if (isBlank(entry.is) && isBlank(entry.cn))
      issues.add(`${path} must name the issuer (is) or the clinician (cn)`)
  })
}

function checkDdcc(kind: 'ddcc-vs' | 'ddcc-tr', payload: Json, issues: Issues): void {
  issues.required(payload, '', ['name'])
  issues.text(payload, '', ['name'])
  issues.date(payload, '', ['birthDate'])
  const certificate = payload.certificate
  if (certificate !== undefined) {
    if (!isObject(certificate)) issues.add('/certificate must be an object')
    else issues.required(certificate, '/certificate', ['issuer', 'hcid', 'version'])
  }
  const key = kind === 'ddcc-vs' ? 'vaccination' : 'test'
  const event = payload[key]
  if (!isObject(event)) {
    issues.add(`/${key} is required (an object)`)
    return
  }
  if (kind === 'ddcc-vs') {
    issues.required(event, '/vaccination', ['vaccine', 'brand', 'lot', 'date', 'dose', 'country'])
    issues.coded(event, '/vaccination', [
      'vaccine',
      'brand',
      'manufacturer',
      'maholder',
      'disease',
      'country',
    ])
    issues.date(event, '/vaccination', ['date', 'validFrom', 'nextDose'])
    positive(event, '/vaccination', ['dose', 'totalDoses'], issues)
    if (event.manufacturer === undefined && event.maholder === undefined)
      issues.add(
        '/vaccination must name the manufacturer or the marketing authorisation holder (who-ddcc-data-1)',
      )
  } else {
    issues.required(event, '/test', ['pathogen', 'type', 'origin', 'date', 'result'])
    issues.coded(event, '/test', ['pathogen', 'type', 'brand', 'manufacturer', 'origin', 'result', 'country'])
    issues.date(event, '/test', ['date'], true)
  }
}

function positive(obj: Json, path: string, keys: readonly string[], issues: Issues): void {
  for (const key of keys) {
    const value = obj[key]
    if (value !== undefined && !(Number.isInteger(value) && (value as number) > 0))
      issues.add(`${path}/${key} must be a positive integer`)
  }
}

const isBlank = (value: unknown): boolean => typeof value !== 'string' || value.trim() === ''
