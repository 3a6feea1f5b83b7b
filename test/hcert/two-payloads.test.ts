/**
 * One HC1 with two payloads under -260 (tester finding 4): the second was silently ignored, so a
 * verifier showed one person while another was signed inside. A -260 map holding more than one of
 * the payload keys hcert reads (1, -6, 3, 4, 5) is refused: ERR_CWT at `decode`, naming the keys.
 */
import { beforeAll, describe, expect, it } from 'vitest'
import { encodeBase45 } from '../../src/codec/base45.js'
import { encodeCbor } from '../../src/codec/cbor.js'
import { addPrefix } from '../../src/codec/prefix.js'
import { deflate } from '../../src/codec/zlib.js'
import { parseClaims } from '../../src/cwt/claims.js'
import { signPayload } from '../../src/hcert/sign-hc1.js'
import { verifyHc1 } from '../../src/hcert/verify-hc1.js'
import { TrustList } from '../../src/trust/trust-list.js'
import { parseTrustedCertificate } from '../../src/trust/trusted-certificate.js'
import { freshKeys, type FreshKeys } from '../helpers/keys.js'
import { VACCINATION } from '../helpers/payloads.js'
import { DDCC_VS, ICVP_V1 } from '../helpers/who-payloads.js'

const NOW = new Date('2025-01-01T00:00:00Z')
const IAT = Date.parse('2024-12-01T00:00:00Z') / 1000
const EXP = Date.parse('2026-12-01T00:00:00Z') / 1000
const LINK = `shlink:/${Buffer.from(JSON.stringify({ url: 'https://example.org/m/abc', key: 'k'.repeat(43), flag: 'L' })).toString('base64url')}`

const claims = (entries: Array<[number, unknown]>): Uint8Array =>
  encodeCbor(
    new Map<unknown, unknown>([
      [1, 'NZL'],
      [4, EXP],
      [6, IAT],
      [-260, new Map(entries)],
    ]),
  )

let keys: FreshKeys
let trust: TrustList
beforeAll(async () => {
  keys = await freshKeys()
  trust = new TrustList([parseTrustedCertificate(keys.dscDer, 'dsc')])
})

describe('two payloads under -260', () => {
  it.each([
    [
      'the DCC and an ICVP',
      [
        [1, VACCINATION],
        [-6, ICVP_V1],
      ],
      '1, -6',
    ],
    [
      'an ICVP, a DDCC:VS and a link',
      [
        [-6, ICVP_V1],
        [3, DDCC_VS],
        [5, LINK],
      ],
      '-6, 3, 5',
    ],
    [
      'a DDCC:VS and a link',
      [
        [3, DDCC_VS],
        [5, LINK],
      ],
      '3, 5',
    ],
  ] as const)('%s: refused at decode, naming the keys', (_name, entries, held) => {
    const hc1 = addPrefix(
      encodeBase45(deflate(signPayload(claims(entries as unknown as Array<[number, unknown]>), keys.signer))),
    )
    const result = verifyHc1(hc1, { trust, now: NOW })
    expect(result.valid).toBe(false)
    expect(result.checks.decode).toBe('fail')
    expect(result.errors[0]?.code).toBe('ERR_CWT')
    expect(result.errors[0]?.message).toContain(`holds ${held.split(',').length} payloads (keys ${held})`)
  })

  it('the fast claims path refuses the DCC beside a DDCC too, and leaves unknown keys alone', () => {
    expect(() =>
      parseClaims(
        claims([
          [1, VACCINATION],
          [3, DDCC_VS],
        ]),
      ),
    ).toThrow(/holds 2 payloads \(keys 1, 3\)/)
    expect(
      parseClaims(
        claims([
          [1, VACCINATION],
          [99, 'other'],
        ]),
      ).hcert,
    ).toEqual(VACCINATION)
  })
})
