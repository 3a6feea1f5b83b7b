import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { signHc1 } from '../../src/hcert/sign-hc1.js'
import { hc1LengthBound, QR_CAPACITY_Q, signedShapeOf } from '../../src/issue/hc1-size.js'
import { exampleSigner } from '../helpers/keys.js'
import { VACCINATION } from '../helpers/payloads.js'

const IAT = 1640044800
const EXP = 1671580800
const LARGE = JSON.parse(
  readFileSync(
    join(import.meta.dirname, '..', 'fixtures', 'bug-reports', 'bug19-large-payload.json'),
    'utf8',
  ),
)
LARGE.v[0].ci = 'URN:UVCI:01:AT:ABCDEFGHJKLMNPQRSTUV#Q'

describe('the HC1 length, before signing', () => {
  it('2,420 is what a version 40 QR code holds at error correction Q, alphanumeric', async () => {
    const QRCode = (await import('qrcode')).default
    const make = (n: number) => () =>
      QRCode.create([{ data: 'A'.repeat(n), mode: 'alphanumeric' }], { errorCorrectionLevel: 'Q' })
    expect(make(QR_CAPACITY_Q)).not.toThrow()
    expect(make(QR_CAPACITY_Q + 1)).toThrow(/too big/)
  })

  it.each(['ES256', 'PS256'] as const)(
    '%s: never below the signed length, near the limit and far below it',
    (alg) => {
      const signer = exampleSigner(alg)
      const shape = signedShapeOf(signer, IAT, EXP)
      const claims = { iss: 'AT', iat: IAT, exp: EXP }
      const small = hc1LengthBound(VACCINATION, 'AT', shape)
      expect(small).toBeGreaterThanOrEqual(signHc1(VACCINATION, claims, signer).hc1.length)
      expect(small).toBeLessThan(QR_CAPACITY_Q)
      let near = 0
      for (let cut = 0; cut < 1200; cut += 37) {
        const dcc = { ...LARGE, 'x-note': (LARGE['x-note'] as string).slice(cut) }
        const bound = hc1LengthBound(dcc, 'AT', shape)
        if (bound < QR_CAPACITY_Q - 150 || bound > QR_CAPACITY_Q + 150) continue
        near++
        for (let k = 0; k < 4; k++) expect(signHc1(dcc, claims, signer).hc1.length).toBeLessThanOrEqual(bound)
      }
      expect(near).toBeGreaterThan(3)
    },
  )
})
