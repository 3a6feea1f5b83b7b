/**
 * Text map keys that messages may quote: the field names of the payloads hcert reads (the DCC
 * schema 1.3's properties). Any other text key could be holder data (a name written as a key by
 * a confused or hostile issuer), so messages name it by its position instead.
 */
const FIELD_NAMES: ReadonlySet<string> = new Set([
  // DCC (HCERT §3, DCC schema 1.3)
  'ver',
  'nam',
  'fn',
  'fnt',
  'gn',
  'gnt',
  'dob',
  'v',
  't',
  'r',
  'tg',
  'vp',
  'mp',
  'ma',
  'dn',
  'sd',
  'dt',
  'co',
  'is',
  'ci',
  'tt',
  'nm',
  'sc',
  'tr',
  'tc',
  'fr',
  'df',
  'du',
])

/** true when `key` is a known field name, safe to show in a message */
export function isQuotableKey(key: unknown): key is string {
  return typeof key === 'string' && FIELD_NAMES.has(key)
}

/**
 * One step of a path into a map, for messages: `.dob` for a field name, `.<key 3>` (the third key)
 * for any other key.
 */
export function keyStep(key: unknown, position: number): string {
  return isQuotableKey(key) ? `.${key}` : `.<key ${position + 1}>`
}
