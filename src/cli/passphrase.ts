/**
 * Passphrases come from HCERT_KEY_PASSPHRASE or a prompt, never from a flag value that would land in
 * shell history. The prompt appears only on a terminal and unless --no-prompt is given.
 */
import { DccError } from '../errors.js'
import { PASSPHRASE_ENV } from '../services/key-dir.js'

/**
 * HCERT_KEY_PASSPHRASE set to nothing is refused (ERR_KEYS) where it would decide how keys are
 * written or read: an empty passphrase encrypts nothing, and was taken as "no passphrase", so the
 * keys were written unencrypted without a word.
 */
export function refuseEmptyPassphraseEnv(): void {
  if (process.env[PASSPHRASE_ENV] === '')
    throw new DccError(
      'ERR_KEYS',
      `keys: ${PASSPHRASE_ENV} is set but empty; set ${PASSPHRASE_ENV} to the passphrase, or unset it (unset, keys generate writes unencrypted keys unless --encrypt)`,
    )
}

export async function passphraseFor(
  purpose: 'new' | 'existing',
  options: { required: boolean; prompt: boolean },
): Promise<string | undefined> {
  const fromEnv = process.env[PASSPHRASE_ENV]
  if (fromEnv !== undefined && fromEnv !== '') return fromEnv
  if (purpose === 'new' || options.required) refuseEmptyPassphraseEnv()
  if (!options.required) return undefined
  if (!options.prompt || !process.stdin.isTTY) {
    throw new DccError(
      'ERR_KEYS',
      `keys: a passphrase is needed; set ${PASSPHRASE_ENV} (no terminal to prompt on)`,
    )
  }
  const { password } = await import('@inquirer/prompts')
  const first = await password({
    message: purpose === 'new' ? 'Passphrase for the new private keys' : 'Passphrase of the private key',
    mask: '*',
  })
  if (purpose === 'new') {
    if (first.length < 8)
      throw new DccError('ERR_KEYS', 'keys: the passphrase must have at least 8 characters')
    const again = await password({ message: 'Repeat the passphrase', mask: '*' })
    if (again !== first) throw new DccError('ERR_KEYS', 'keys: the two passphrases differ')
  }
  return first
}
