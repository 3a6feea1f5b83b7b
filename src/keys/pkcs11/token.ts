/**
 * A PKCS#11 token (PKCS#11 v2.40 base specification): the module loaded once per thread, the token
 * found by its label, a session of this thread's own opened and the user logged in. Every failure a
 * user can cause is an ERR_KEYS that says what to check; the PIN is never in a message.
 *
 * Library: pkcs11js (PeculiarVentures), a thin N-API binding of the C interface, loaded only when a
 * key directory refers to a token (the disk-key path never loads the native addon).
 */
import { createRequire } from 'node:module'
import type * as Pkcs11Js from 'pkcs11js'
import { DccError } from '../../errors.js'

export type Pkcs11 = typeof Pkcs11Js
export type Handle = Pkcs11Js.Handle

export interface TokenSession {
  /** the pkcs11js constants and classes */
  p: Pkcs11
  lib: Pkcs11Js.PKCS11
  session: Handle
  module: string
  token: string
  /** false when the module could not be initialised for OS locking: sign on one thread only */
  threadSafe: boolean
}

const require = createRequire(import.meta.url)
let binding: Pkcs11 | undefined
const pkcs11js = (): Pkcs11 => (binding ??= require('pkcs11js') as Pkcs11)

/** The CKR_ name of a PKCS#11 error, or undefined for any other error. */
export function ckr(err: unknown): string | undefined {
  const message = (err as Error | undefined)?.message
  return typeof message === 'string' && /^CKR_\w+$/.test(message) ? message : undefined
}

interface LoadedModule {
  lib: Pkcs11Js.PKCS11
  threadSafe: boolean
}

/** one per module path and thread: C_Initialize is per process, C_Finalize is never called */
const modules = new Map<string, LoadedModule>()

function loadModule(module: string): LoadedModule {
  const known = modules.get(module)
  if (known) return known
  const p = pkcs11js()
  const lib = new p.PKCS11()
  try {
    lib.load(module)
  } catch (cause) {
    throw new DccError(
      'ERR_KEYS',
      `keys: the PKCS#11 module ${module} could not be loaded (${firstLine(cause)}); check the path (SoftHSM2: /usr/lib/softhsm/libsofthsm2.so) and that it is a PKCS#11 library built for this machine`,
      { cause },
    )
  }
  let threadSafe = true
  const initialise = (flags?: number): void => {
    try {
      lib.C_Initialize(flags === undefined ? undefined : { flags })
    } catch (err) {
      // another thread of this process initialised it already: its state is shared
      if (ckr(err) !== 'CKR_CRYPTOKI_ALREADY_INITIALIZED') throw err
    }
  }
  try {
    try {
      initialise(p.CKF_OS_LOCKING_OK)
    } catch (err) {
      if (ckr(err) !== 'CKR_CANT_LOCK') throw err
      threadSafe = false
      initialise()
    }
  } catch (cause) {
    throw new DccError(
      'ERR_KEYS',
      `keys: the PKCS#11 module ${module} failed to start (${ckr(cause) ?? firstLine(cause)}); check its configuration (SoftHSM2: SOFTHSM2_CONF)`,
      { cause },
    )
  }
  const loaded = { lib, threadSafe }
  modules.set(module, loaded)
  return loaded
}

const firstLine = (err: unknown): string => String((err as Error)?.message ?? err).split('\n')[0] ?? ''

/** The slot holding the token labelled `token` (labels are padded with spaces to 32 bytes). */
function findSlot(lib: Pkcs11Js.PKCS11, module: string, token: string): Handle {
  const labels: string[] = []
  for (const slot of lib.C_GetSlotList(true)) {
    const label = lib.C_GetTokenInfo(slot).label.replace(/[\s\0]+$/, '')
    if (label === token) return slot
    if (label !== '') labels.push(label) // an empty label: a free slot's uninitialised token
  }
  throw new DccError(
    'ERR_KEYS',
    `keys: no token labelled '${token}' in ${module} (${labels.length === 0 ? 'it shows no token at all' : `tokens present: ${labels.map((l) => `'${l}'`).join(', ')}`}); check --token, that the token is plugged in and initialised (SoftHSM2: softhsm2-util --show-slots)`,
  )
}

/** PKCS#11 §5.6 C_Login results a user causes, worded (the PIN itself is never quoted) */
const LOGIN_ERRORS: Record<string, string> = {
  CKR_PIN_INCORRECT: 'the PIN was refused',
  CKR_PIN_LEN_RANGE: 'the PIN has a length the token does not accept',
  CKR_PIN_LOCKED: 'the user PIN is locked (too many wrong PINs); the security officer must unlock it',
  CKR_PIN_EXPIRED: 'the user PIN has expired; set a new one with the token’s tools',
  CKR_USER_PIN_NOT_INITIALIZED: 'the token has no user PIN yet; initialise it with the token’s tools',
}

/**
 * C_Login results that are the token being busy rather than the PIN being wrong: SoftHSM2 gives
 * CKR_GENERAL_ERROR now and then when several processes log in to one token at once.
 */
const TRANSIENT_LOGIN = new Set(['CKR_GENERAL_ERROR', 'CKR_DEVICE_ERROR'])
export const LOGIN_ATTEMPTS = 4

/** Blocks this thread `ms` milliseconds (C_Login is synchronous; so is the wait between tries). */
function sleepSync(ms: number): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms)
}

/**
 * Runs `login` again, up to LOGIN_ATTEMPTS times in all, while it fails with a transient result
 * (TRANSIENT_LOGIN), waiting 50, 100, 200 ms (and a random part) between tries; any other failure, and
 * the last transient one, is thrown as it came.
 */
export function retryLogin(login: () => void, pause: (ms: number) => void = sleepSync): void {
  for (let attempt = 1; ; attempt++) {
    try {
      login()
      return
    } catch (cause) {
      const code = ckr(cause)
      if (attempt >= LOGIN_ATTEMPTS || !code || !TRANSIENT_LOGIN.has(code)) throw cause
      pause(25 * 2 ** attempt + Math.floor(Math.random() * 25))
    }
  }
}

/** PIN results whose message says where to look: the prompt, or HCERT_PKCS11_PIN */
const PIN_WRONG = new Set(['CKR_PIN_INCORRECT', 'CKR_PIN_LEN_RANGE'])

/**
 * Load `module`, find `token`, open a read-write session and log the user in with `pin`;
 * `pinTyped`: the PIN came from the prompt (a refused one is "the PIN typed is wrong"), else from
 * HCERT_PKCS11_PIN.
 */
export function openToken(
  module: string,
  token: string,
  pin: string,
  options: { pinTyped?: boolean } = {},
): TokenSession {
  const p = pkcs11js()
  const { lib, threadSafe } = loadModule(module)
  const step = <T>(what: string, run: () => T): T => {
    try {
      return run()
    } catch (cause) {
      if (cause instanceof DccError) throw cause
      throw new DccError(
        'ERR_KEYS',
        `keys: token '${token}': ${what} failed (${ckr(cause) ?? firstLine(cause)})`,
        { cause },
      )
    }
  }
  const slot = step('listing the slots', () => findSlot(lib, module, token))
  const session = step('opening a session', () =>
    lib.C_OpenSession(slot, p.CKF_SERIAL_SESSION | p.CKF_RW_SESSION),
  )
  try {
    retryLogin(() => lib.C_Login(session, p.CKU_USER, pin))
  } catch (cause) {
    const code = ckr(cause)
    // login state is the application's: another thread's session logged in already
    if (code !== 'CKR_USER_ALREADY_LOGGED_IN') {
      lib.C_CloseSession(session)
      const where = options.pinTyped ? 'the PIN typed is wrong' : 'check HCERT_PKCS11_PIN'
      const why =
        (code &&
          LOGIN_ERRORS[code] &&
          (PIN_WRONG.has(code) ? `${LOGIN_ERRORS[code]}; ${where}` : LOGIN_ERRORS[code])) ??
        (code && TRANSIENT_LOGIN.has(code)
          ? `logging in failed ${LOGIN_ATTEMPTS} times (${code}); another process may be using the token; run again`
          : `logging in failed (${code ?? firstLine(cause)})`)
      throw new DccError('ERR_KEYS', `keys: token '${token}': ${why}`, { cause })
    }
  }
  return { p, lib, session, module, token, threadSafe }
}
