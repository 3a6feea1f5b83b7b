/**
 * A SMART Health Link (`shlink:/…`) or WHO Verifiable Health Link (`vhlink:/…`) decoded, never
 * fetched: the part after the scheme (and after a viewer URL's `#`) is base64url JSON
 * `{url, key, exp?, flag?, label?, v?}` (HL7 SMART Health Cards and Links IG 1.0.0, "SHLink Payload").
 * Reading what the link points to needs the network and the key; hcert does neither.
 */
import { jsonTooDeep, MAX_JSON_DEPTH } from '../codec/json-depth.js'

export interface HealthLink {
  scheme: 'shlink' | 'vhlink'
  /** the viewer URL the link was given in (`https://viewer.example/#shlink:/…`: the part before `#`) */
  viewer?: string
  /** the manifest (or, with flag U, the file) URL */
  url?: unknown
  /** the 43-character base64url AES key that decrypts the content */
  key?: unknown
  /** expiry, seconds since 1970 */
  exp?: unknown
  /** L long-term, P passcode needed, U direct file */
  flag?: unknown
  label?: unknown
  v?: unknown
  /** fields the IG does not define, shown rather than dropped */
  other?: Record<string, unknown>
}

const KNOWN = new Set(['url', 'key', 'exp', 'flag', 'label', 'v'])

/** The link's payload, or a reason (no personal data: the reason names the part, never its text). */
export function decodeHealthLink(uri: string): { link: HealthLink } | { problem: string } {
  const text = uri.trim()
  const match = /(?:^|#)(shlink|vhlink):\/([A-Za-z0-9_-]+)$/.exec(text)
  if (!match) return { problem: 'is not a shlink:/ or vhlink:/ link with a base64url payload' }
  let json: unknown
  try {
    json = JSON.parse(Buffer.from(match[2] as string, 'base64url').toString('utf8'))
  } catch {
    return { problem: 'has a payload that is not base64url JSON' }
  }
  if (typeof json !== 'object' || json === null || Array.isArray(json))
    return { problem: 'has a payload that is not a JSON object' }
  if (jsonTooDeep(json)) return { problem: `has a payload nesting more than ${MAX_JSON_DEPTH} levels deep` }
  const link: HealthLink = { scheme: match[1] as HealthLink['scheme'] }
  if (match.index > 0) link.viewer = text.slice(0, match.index)
  const other: Record<string, unknown> = {}
  for (const [name, value] of Object.entries(json)) {
    if (KNOWN.has(name)) (link as unknown as Record<string, unknown>)[name] = value
    else other[name] = value
  }
  if (Object.keys(other).length > 0) link.other = other
  return { link }
}

/** What the SHL payload requires (url and a 43-character key; exp a number; flag of L, P, U). */
export function healthLinkIssues(link: HealthLink): string[] {
  const issues: string[] = []
  if (typeof link.url !== 'string' || !/^https:\/\//.test(link.url)) issues.push('/url must be an https URL')
  if (typeof link.key !== 'string' || !/^[A-Za-z0-9_-]{43}$/.test(link.key))
    issues.push('/key must be 43 base64url characters')
  if (link.exp !== undefined && typeof link.exp !== 'number') issues.push('/exp must be a number')
  if (link.flag !== undefined && (typeof link.flag !== 'string' || !/^[LPU]*$/.test(link.flag)))
    issues.push('/flag must be made of L, P and U')
  if (link.label !== undefined && (typeof link.label !== 'string' || link.label.length > 80))
    issues.push('/label must be text of at most 80 characters')
  return issues
}
