/**
 * The key reference a key directory holds instead of dsc.key.pem when the DSC key lives in a PKCS#11
 * token: module, token label, key label and CKA_ID. Never a PIN. JSON:
 *   {"pkcs11": {"module": "/usr/lib/softhsm/libsofthsm2.so", "token": "hcert", "keyLabel": "hcert DSC", "keyId": "9f…"}}
 */
import { existsSync } from 'node:fs'
import { DccError } from '../../errors.js'
import { forbiddenCharacter } from '../../issue/clean-text.js'
import { readKeyInputFile } from '../read-key-file.js'

export interface KeyReference {
  /** path of the PKCS#11 module (a shared library) */
  module: string
  /** CKA_LABEL of the token (CK_TOKEN_INFO.label) */
  token: string
  /** CKA_LABEL of the key pair */
  keyLabel: string
  /** CKA_ID of the key pair, hex */
  keyId: string
}

/**
 * The longest CKA_LABEL hcert gives a key pair, in characters. PKCS#11 sets no limit, but tokens
 * do (some keep 32 or 64 bytes, and tools show less); 64 is what --org takes too.
 */
export const MAX_KEY_LABEL_LENGTH = 64

/**
 * `--key-label` as the token will hold it: 1 to 64 characters, none of them a control character,
 * bidirectional control or invisible character (what `keys show` and tools like pkcs11-tool would
 * print). ERR_USAGE otherwise; the value is not quoted.
 */
export function checkKeyLabel(label: string): void {
  const length = [...label].length
  if (label.trim() === '') throw new DccError('ERR_USAGE', '--key-label must name the key (it is empty)')
  if (length > MAX_KEY_LABEL_LENGTH)
    throw new DccError(
      'ERR_USAGE',
      `--key-label is ${length} characters long; hcert allows at most ${MAX_KEY_LABEL_LENGTH} (tokens limit CKA_LABEL)`,
    )
  const problem = forbiddenCharacter(label)
  if (problem)
    throw new DccError(
      'ERR_USAGE',
      `--key-label must not contain control characters (line breaks, tabs…), bidirectional controls or invisible characters: it ${problem}`,
    )
}

export function keyReferenceJson(reference: KeyReference): string {
  return `${JSON.stringify({ pkcs11: reference }, null, 2)}\n`
}

/** The reference at `path`, or undefined when there is none; ERR_KEYS when it is not one hcert wrote. */
export function readKeyReference(path: string): KeyReference | undefined {
  if (!existsSync(path)) return undefined
  let parsed: unknown
  try {
    parsed = JSON.parse(readKeyInputFile(path).toString('utf8'))
  } catch (cause) {
    if (cause instanceof DccError) throw cause
    parsed = undefined
  }
  const ref = (parsed as { pkcs11?: Record<string, unknown> } | undefined)?.pkcs11
  const fields = ['module', 'token', 'keyLabel', 'keyId'] as const
  if (
    !ref ||
    typeof ref !== 'object' ||
    !fields.every((f) => typeof ref[f] === 'string' && ref[f] !== '') ||
    !/^([0-9a-f]{2})+$/.test(ref.keyId as string)
  )
    throw new DccError(
      'ERR_KEYS',
      `keys: ${path} is not a key reference hcert wrote (JSON {"pkcs11": {module, token, keyLabel, keyId}})`,
    )
  return {
    module: ref.module as string,
    token: ref.token as string,
    keyLabel: ref.keyLabel as string,
    keyId: ref.keyId as string,
  }
}
