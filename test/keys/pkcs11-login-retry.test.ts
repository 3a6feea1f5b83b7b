/** C_Login is tried again while the token is busy (CKR_GENERAL_ERROR / CKR_DEVICE_ERROR), never on a wrong PIN. */
import { describe, expect, it } from 'vitest'
import { LOGIN_ATTEMPTS, retryLogin } from '../../src/keys/pkcs11/token.js'

function failing(codes: string[]): { login: () => void; calls: () => number } {
  let calls = 0
  return {
    login: () => {
      const code = codes[calls++]
      if (code) throw new Error(code)
    },
    calls: () => calls,
  }
}

describe('retryLogin', () => {
  it('logs in after transient failures, with a pause between tries', () => {
    const pauses: number[] = []
    const token = failing(['CKR_GENERAL_ERROR', 'CKR_DEVICE_ERROR'])
    retryLogin(token.login, (ms) => pauses.push(ms))
    expect(token.calls()).toBe(3)
    expect(pauses).toHaveLength(2)
    expect(pauses.every((ms) => ms > 0 && ms < 500)).toBe(true)
  })

  it('gives up after LOGIN_ATTEMPTS busy answers, and never retries a wrong PIN', () => {
    const busy = failing(Array(10).fill('CKR_GENERAL_ERROR'))
    expect(() => retryLogin(busy.login, () => {})).toThrow('CKR_GENERAL_ERROR')
    expect(busy.calls()).toBe(LOGIN_ATTEMPTS)
    const wrong = failing(['CKR_PIN_INCORRECT'])
    expect(() => retryLogin(wrong.login, () => {})).toThrow('CKR_PIN_INCORRECT')
    expect(wrong.calls()).toBe(1)
  })
})
