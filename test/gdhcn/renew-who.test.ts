/** renew given a WHO certificate refuses it (it has no EU DCC entry), instead of failing on it. */
import { describe, expect, it } from 'vitest'
import { encodeBase45 } from '../../src/codec/base45.js'
import { encodeCbor } from '../../src/codec/cbor.js'
import { addPrefix } from '../../src/codec/prefix.js'
import { deflate } from '../../src/codec/zlib.js'
import { signPayload } from '../../src/hcert/sign-hc1.js'
import { Ledger } from '../../src/ledger/ledger.js'
import { renewCertificates } from '../../src/services/renew.js'
import { TrustList } from '../../src/trust/trust-list.js'
import { parseTrustedCertificate } from '../../src/trust/trusted-certificate.js'
import { freshKeys } from '../helpers/keys.js'

describe('renew and WHO payloads', () => {
  it('an ICVP given to renew is refused with ERR_CWT, naming its kind', async () => {
    const keys = await freshKeys()
    const cwt = new Map<unknown, unknown>([
      [1, 'XXA'],
      [4, 1700000000],
      [6, 1600000000],
      [
        -260,
        new Map([
          [-6, { n: 'T', dob: '1990-01-01', v: { vp: 'XM0N24', dt: '2020-01-01', bo: 'B', cn: 'C' } }],
        ]),
      ],
    ])
    const text = addPrefix(encodeBase45(deflate(signPayload(encodeCbor(cwt), keys.signer))))
    async function* inputs() {
      yield { source: 'argument', text }
    }
    const report = await renewCertificates({
      ledger: new Ledger(':memory:'),
      signer: keys.signer,
      now: new Date('2024-01-01T00:00:00Z'),
      validity: { amount: 12, unit: 'm' },
      dueBy: 1800000000,
      inputs: inputs(),
      trust: new TrustList([parseTrustedCertificate(keys.dscDer, 'dsc')]),
      batch: 'b',
      dryRun: true,
    })
    expect(report.refused).toEqual([
      {
        source: 'argument',
        uvci: null,
        code: 'ERR_CWT',
        reason: 'the certificate carries a WHO icvp payload; renew re-issues EU DCCs only',
      },
    ])
  })
})
