/**
 * The key reference a key directory holds instead of dsc.key.pem when the DSC key lives in a PKCS#11
 * token: module, token label, key label and CKA_ID. Never a PIN. JSON:
 *   {"pkcs11": {"module": "/usr/lib/softhsm/libsofthsm2.so", "token": "hcert", "keyLabel": "hcert DSC", "keyId": "9f…"}}
 */
import { existsSync, readFileSync } from 'node:fs'
import { DccError } from '../../errors.js'

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

export function keyReferenceJson(reference: KeyReference): string {
  return `${JSON.stringify({ pkcs11: reference }, null, 2)}\n`
}

/** The reference at `path`, or undefined when there is none; ERR_KEYS when it is not one hcert wrote. */
export function readKeyReference(path: string): KeyReference | undefined {
  if (!existsSync(path)) return undefined
  let parsed: unknown
  try {
    parsed = JSON.parse(readFileSync(path, 'utf8'))
  } catch {
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
