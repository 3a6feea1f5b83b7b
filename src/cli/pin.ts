/**
 * The user PIN of a PKCS#11 token: from HCERT_PKCS11_PIN, or a masked prompt on a terminal (unless
 * --no-prompt). Never from a flag (argv shows in `ps` and lands in shell history), never printed.
 */
import { DccError } from '../errors.js'
import { PIN_ENV } from '../services/key-dir.js'

/** True when pinFor asks at the prompt (HCERT_PKCS11_PIN is unset or empty): a refused PIN was typed. */
export function pinIsTyped(): boolean {
  const fromEnv = process.env[PIN_ENV]
  return fromEnv === undefined || fromEnv === ''
}

export async function pinFor(token: string, options: { prompt: boolean }): Promise<string> {
  const fromEnv = process.env[PIN_ENV]
  if (fromEnv !== undefined && fromEnv !== '') return fromEnv
  if (!options.prompt || !process.stdin.isTTY)
    throw new DccError(
      'ERR_KEYS',
      `keys: PKCS#11 token '${token}' needs its user PIN; set ${PIN_ENV} (no terminal to prompt on)`,
    )
  const { password } = await import('@inquirer/prompts')
  const pin = await password({ message: `User PIN of PKCS#11 token '${token}'`, mask: '*' })
  if (pin === '') throw new DccError('ERR_KEYS', `keys: no PIN given for PKCS#11 token '${token}'`)
  return pin
}
